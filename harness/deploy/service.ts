import { ErrorCode, ZdtError } from '../errors.ts';
import type { Service } from '../kube/types.ts';
import type { LoadedManifest } from '../manifests/load.ts';
import { matchesServiceSelector } from '../manifests/select.ts';

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

/** Pod template labels of every workload in the manifests. */
function templateLabels(manifests: readonly LoadedManifest[]): { name: string; labels: Record<string, string> }[] {
  return manifests.flatMap(({ object }) => {
    if (!WORKLOADS.has(object.kind ?? '')) return [];
    const spec = object.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined;
    return [{ name: `${object.kind}/${object.metadata?.name}`, labels: spec?.template?.metadata?.labels ?? {} }];
  });
}

/**
 * The Service to put load on: the named one, or the only one. Its selector must match a pod
 * template in the same manifests, else no request could ever succeed and zdt cannot verify.
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
  const templates = templateLabels(manifests);
  if (!templates.some((t) => matchesServiceSelector(t.labels, selector))) {
    throw new ZdtError(
      ErrorCode.Service,
      `${svc.file}:${svc.line}: Service ${svc.object.metadata?.name} selects ${JSON.stringify(selector ?? {})}, which matches no pod template in the manifests (${templates.map((t) => `${t.name} ${JSON.stringify(t.labels)}`).join('; ') || 'no workloads'})`,
      { details: { service: svc.object.metadata?.name, selector } },
    );
  }
  return svc;
}
