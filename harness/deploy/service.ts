import { ErrorCode, ZdtError } from '../errors.ts';
import type { Service } from '../kube/types.ts';
import type { LoadedManifest } from '../manifests/load.ts';
import { matchesServiceSelector } from '../manifests/select.ts';
import { podSources, type PodSource } from '../manifests/workloads.ts';

/** The serving pod sources (controllers' templates and bare Pods) a Service selects, in manifest order. */
export function backendsOf(manifests: readonly LoadedManifest[], service: Service): PodSource[] {
  return podSources(manifests).filter((s) => s.serving && matchesServiceSelector(s.labels, service.spec?.selector));
}

type LoadedService = LoadedManifest & { object: Service };

/**
 * The Services to put load on, in manifest order: the named ones, or by default every Service
 * whose selector matches a serving pod source (a Deployment, StatefulSet, DaemonSet or
 * ReplicaSet template, or a bare Pod) in the same manifests; a Service without one (a headless
 * Service for something outside the app, say) is left out. A named Service that is missing,
 * or selects nothing here, is ZDT_SERVICE: no request through it could ever succeed.
 */
export function findServices(manifests: readonly LoadedManifest[], names?: readonly string[]): LoadedService[] {
  const services = manifests.filter((m) => m.object.kind === 'Service') as LoadedService[];
  const found = services.map((s) => s.object.metadata?.name ?? '?');
  if (services.length === 0) throw new ZdtError(ErrorCode.Service, 'the manifests define no Service: zdt needs one to send load through', { details: { found } });
  const selectsBackend = (svc: LoadedService) => backendsOf(manifests, svc.object).length > 0;
  if (names === undefined || names.length === 0) {
    const serving = services.filter(selectsBackend);
    if (serving.length === 0) throw selectsNothing(manifests, services[0]!);
    return serving;
  }
  return [...new Set(names)].map((name) => {
    const chosen = services.find((s) => s.object.metadata?.name === name);
    if (!chosen) throw new ZdtError(ErrorCode.Service, `no Service named ${name} in the manifests (found: ${found.join(', ')})`, { details: { service: name, found } });
    if (!selectsBackend(chosen)) throw selectsNothing(manifests, chosen);
    return chosen;
  });
}

function selectsNothing(manifests: readonly LoadedManifest[], svc: LoadedService): ZdtError {
  const selector = svc.object.spec?.selector;
  const templates = podSources(manifests).filter((s) => s.serving);
  return new ZdtError(
    ErrorCode.Service,
    `${svc.file}:${svc.line}: Service ${svc.object.metadata?.name} selects ${JSON.stringify(selector ?? {})}, which matches no pod template in the manifests (${templates.map((t) => `${t.kind}/${t.name} ${JSON.stringify(t.labels ?? {})}`).join('; ') || 'no workloads'})`,
    { details: { service: svc.object.metadata?.name, selector } },
  );
}
