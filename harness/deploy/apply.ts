import { ErrorCode, ZdtError, isZdtError } from '../errors.ts';
import type { KubeApi } from '../kube/api.ts';
import type { KubeObject } from '../kube/types.ts';
import type { LoadedManifest } from '../manifests/load.ts';

export const FIELD_MANAGER = 'zdt';

/** Kinds that are not namespaced; zdt never applies them, as a run must stay inside its namespace. */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'PriorityClass',
  'CustomResourceDefinition', 'IngressClass', 'RuntimeClass', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
]);

/**
 * Server-side applies every manifest into `namespace` (overriding any namespace in the files,
 * so each run is isolated and removed with its namespace). A rejected object names its file
 * and line.
 */
export async function applyManifests(api: KubeApi, manifests: readonly LoadedManifest[], namespace: string, signal?: AbortSignal): Promise<KubeObject[]> {
  const applied: KubeObject[] = [];
  for (const { object, file, line } of manifests) {
    const where = `${file}:${line}: ${object.kind}/${object.metadata?.name}`;
    if (CLUSTER_SCOPED.has(object.kind ?? '')) {
      throw new ZdtError(ErrorCode.Manifest, `${where} is cluster-scoped; zdt deploys into a namespace of its own per run, so remove it from the directory`, { details: { file, line } });
    }
    const copy: KubeObject = structuredClone(object);
    copy.metadata = { ...copy.metadata, namespace };
    try {
      applied.push(await api.apply(copy, FIELD_MANAGER, signal));
    } catch (err) {
      if (!isZdtError(err, ErrorCode.KubeApi)) throw err;
      throw new ZdtError(ErrorCode.Manifest, `${where} was rejected by the API server: ${err.details.message ?? err.message}`, { cause: err, details: { file, line } });
    }
  }
  return applied;
}
