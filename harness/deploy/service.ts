import { ErrorCode, ZdtError } from '../errors.ts';
import type { Service } from '../kube/types.ts';
import type { LoadedManifest } from '../manifests/load.ts';
import { matchesServiceSelector } from '../manifests/select.ts';
import { podSources, type PodSource } from '../manifests/workloads.ts';

/** The serving pod sources (controllers' templates and bare Pods) a Service selects, in manifest order. */
export function backendsOf(manifests: readonly LoadedManifest[], service: Service): PodSource[] {
  return podSources(manifests).filter((s) => s.serving && matchesServiceSelector(s.labels, service.spec?.selector));
}

/**
 * The Service to put load on: the named one, or the only one. Its selector must match a
 * serving pod source (a Deployment, StatefulSet, DaemonSet or ReplicaSet template, or a bare
 * Pod) in the same manifests, else no request could ever succeed and zdt cannot verify.
 */
export function findService(manifests: readonly LoadedManifest[], name?: string): LoadedManifest & { object: Service } {
  const services = manifests.filter((m) => m.object.kind === 'Service') as (LoadedManifest & { object: Service })[];
  const names = services.map((s) => s.object.metadata?.name ?? '?');
  let chosen: (LoadedManifest & { object: Service }) | undefined;
  if (name !== undefined) {
    chosen = services.find((s) => s.object.metadata?.name === name);
    if (!chosen) {
      throw new ZdtError(ErrorCode.Service, `no Service named ${name} in the manifests${names.length ? ` (found: ${names.join(', ')})` : ''}`, { details: { service: name, found: names } });
    }
  } else if (services.length === 1) {
    chosen = services[0];
  } else {
    throw new ZdtError(
      ErrorCode.Service,
      services.length === 0 ? 'the manifests define no Service: zdt needs one to send load through' : `the manifests define ${services.length} Services (${names.join(', ')}): choose one with --service`,
      { details: { found: names } },
    );
  }
  const svc = chosen!;
  const selector = svc.object.spec?.selector;
  if (backendsOf(manifests, svc.object).length === 0) {
    const templates = podSources(manifests).filter((s) => s.serving);
    throw new ZdtError(
      ErrorCode.Service,
      `${svc.file}:${svc.line}: Service ${svc.object.metadata?.name} selects ${JSON.stringify(selector ?? {})}, which matches no pod template in the manifests (${templates.map((t) => `${t.kind}/${t.name} ${JSON.stringify(t.labels ?? {})}`).join('; ') || 'no workloads'})`,
      { details: { service: svc.object.metadata?.name, selector } },
    );
  }
  return svc;
}
