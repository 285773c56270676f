import { ErrorCode, ZdtError } from '../errors.ts';
import type { Service } from '../kube/types.ts';
import type { LoadedManifest } from '../manifests/load.ts';
import { matchesServiceSelector } from '../manifests/select.ts';
import { placeOf } from '../manifests/render.ts';
import { podSources, type PodSource } from '../manifests/workloads.ts';

/** The serving pod sources (controllers' templates and bare Pods) among `sources` that a Service selects, in manifest order. */
const selectedBy = (sources: readonly PodSource[], service: Service) => sources.filter((s) => s.serving && matchesServiceSelector(s.labels, service.spec?.selector));

type LoadedService = LoadedManifest & { object: Service };

/** How many Services one run loads at most: kind-config/ publishes NodePorts 30080-30083, one per Service. */
export const MAX_SERVICES = 4;

/**
 * The Services to put load on, in manifest order: the named ones, or by default every Service
 * whose selector matches a serving pod source (a Deployment, StatefulSet, DaemonSet or
 * ReplicaSet template, or a bare Pod) in the same manifests; a Service without one (a headless
 * Service for something outside the app, say) is left out. A named Service that is missing,
 * or selects nothing here, is ZDT_SERVICE: no request through it could ever succeed. More than
 * MAX_SERVICES is ZDT_INVALID_OPTION, asking for --service.
 */
export function findServices(manifests: readonly LoadedManifest[], names?: readonly string[]): LoadedService[] {
  const services = manifests.filter((m) => m.object.kind === 'Service') as LoadedService[];
  const found = services.map((s) => s.object.metadata?.name ?? '?');
  if (services.length === 0) throw new ZdtError(ErrorCode.Service, 'the manifests define no Service: zdt needs one to send load through', { details: { found } });
  // Worked out once for every Service, not per Service.
  const sources = podSources(manifests);
  const selectsBackend = (svc: LoadedService) => selectedBy(sources, svc.object).length > 0;
  let chosen: LoadedService[];
  if (names === undefined || names.length === 0) {
    chosen = services.filter(selectsBackend);
    if (chosen.length === 0) throw selectsNothing(sources, services[0]!);
  } else {
    chosen = [...new Set(names)].map((name) => {
      const named = services.find((s) => s.object.metadata?.name === name);
      if (!named) throw new ZdtError(ErrorCode.Service, `no Service named ${name} in the manifests (found: ${found.join(', ')})`, { details: { service: name, found } });
      if (!selectsBackend(named)) throw selectsNothing(sources, named);
      return named;
    });
  }
  if (chosen.length > MAX_SERVICES) {
    const chosenNames = chosen.map((s) => s.object.metadata?.name ?? '?');
    const how = names === undefined || names.length === 0 ? 'choose' : 'name';
    throw new ZdtError(ErrorCode.InvalidOption, `${chosen.length} Services to load (${chosenNames.join(', ')}), and the kind configs publish ${MAX_SERVICES} NodePorts: ${how} up to ${MAX_SERVICES} with --service a,b`, {
      details: { option: '--service', found: chosenNames },
    });
  }
  return chosen;
}

function selectsNothing(sources: readonly PodSource[], svc: LoadedService): ZdtError {
  const selector = svc.object.spec?.selector;
  const templates = sources.filter((s) => s.serving);
  return new ZdtError(
    ErrorCode.Service,
    `${placeOf(svc)}: Service ${svc.object.metadata?.name} selects ${JSON.stringify(selector ?? {})}, which matches no pod template in the manifests (${templates.map((t) => `${t.kind}/${t.name} ${JSON.stringify(t.labels ?? {})}`).join('; ') || 'no workloads'})`,
    { details: { service: svc.object.metadata?.name, selector } },
  );
}
