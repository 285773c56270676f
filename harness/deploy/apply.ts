import { ErrorCode, ZdtError, isZdtError } from '../errors.ts';
import type { KubeApi } from '../kube/api.ts';
import type { KubeObject } from '../kube/types.ts';
import { duplicates, objectIdentity, places } from '../manifests/check.ts';
import { placeOf } from '../manifests/render.ts';
import type { LoadedManifest } from '../manifests/load.ts';

export const FIELD_MANAGER = 'zdt';

/** Kinds that are not namespaced; zdt never applies them, as a run must stay inside its namespace. */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'PriorityClass',
  'CustomResourceDefinition', 'IngressClass', 'RuntimeClass', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
]);

/**
 * Helm's install order for the namespaced kinds: what others refer to by name comes before
 * them. A pod whose ServiceAccount, Secret, ConfigMap or claim does not exist yet is refused or
 * stuck, and its controller retries with a growing back-off, so file order could slow or fail
 * the wait for readiness. Other kinds (custom resources) come last; file order holds within a kind.
 */
const APPLY_ORDER = [
  'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodDisruptionBudget', 'ServiceAccount', 'Secret', 'ConfigMap',
  'PersistentVolumeClaim', 'Role', 'RoleBinding', 'Service', 'DaemonSet', 'Pod', 'ReplicationController', 'ReplicaSet',
  'Deployment', 'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob', 'Ingress',
];

/** An object whose file sets `metadata.namespace`: zdt applied it into the run's namespace instead. */
export interface RemappedObject {
  readonly file: string;
  readonly line: number;
  readonly kind: string;
  readonly name: string;
  /** The namespace the file sets. */
  readonly namespace: string;
}

export interface ApplyResult {
  /** The objects as the API server returned them, in the order applied. */
  readonly applied: KubeObject[];
  /** In manifest order, so the caller can say which namespaces were replaced. */
  readonly remapped: RemappedObject[];
}

/**
 * Server-side applies every manifest into `namespace`, in dependency order (APPLY_ORDER),
 * overriding any namespace in the files so each run is isolated and removed with its
 * namespace. Before applying anything it refuses cluster-scoped objects and objects that the
 * override would merge into one; a rejected object names its file and line.
 */
export async function applyManifests(api: KubeApi, manifests: readonly LoadedManifest[], namespace: string, signal?: AbortSignal): Promise<ApplyResult> {
  checkApplicable(manifests);
  const applied: KubeObject[] = [];
  for (const manifest of applyOrder(manifests)) {
    const copy: KubeObject = structuredClone(manifest.object);
    copy.metadata = { ...copy.metadata, namespace };
    try {
      applied.push(await api.apply(copy, FIELD_MANAGER, signal));
    } catch (err) {
      if (!isZdtError(err, ErrorCode.KubeApi)) throw err;
      const { file, line } = manifest;
      throw new ZdtError(ErrorCode.Manifest, `${where(manifest)} was rejected by the API server: ${err.details.message ?? err.message}`, { cause: err, details: { file, line } });
    }
  }
  const remapped = manifests.flatMap(({ object, file, line }): RemappedObject[] => {
    const from = object.metadata?.namespace;
    return from === undefined || from === namespace ? [] : [{ file, line, kind: object.kind ?? '', name: object.metadata?.name ?? '', namespace: from }];
  });
  return { applied, remapped };
}

const where = (m: LoadedManifest) => `${placeOf(m)}: ${m.object.kind}/${m.object.metadata?.name}`;

/**
 * What applyManifests refuses before applying anything, exported so a caller can refuse it
 * before a cluster starts: cluster-scoped objects, and objects that differ only in namespace
 * (all become one object in the run's namespace, the last applied replacing the others).
 */
export function checkApplicable(manifests: readonly LoadedManifest[]): void {
  const scoped = manifests.find((m) => CLUSTER_SCOPED.has(m.object.kind ?? ''));
  if (scoped) {
    throw new ZdtError(ErrorCode.Manifest, `${where(scoped)} is cluster-scoped; zdt deploys into a namespace of its own per run, so remove it from the directory`, {
      details: { file: scoped.file, line: scoped.line },
    });
  }
  // Identity without the namespace: every object gets the run's.
  const merged = duplicates(manifests, (m) => objectIdentity(m.object, ''))[0];
  if (merged) {
    const ns = (m: LoadedManifest) => (m.object.metadata?.namespace === undefined ? 'no namespace' : `namespace ${m.object.metadata.namespace}`);
    const last = merged.at(-1)!;
    throw new ZdtError(
      ErrorCode.Manifest,
      `${where(last)} (${ns(last)}) would be one object in the run's namespace with ${places(merged.slice(0, -1), (m) => `${placeOf(m)} (${ns(m)})`)}: verify one namespace's objects at a time`,
      { details: { places: merged.map(({ file, line }) => ({ file, line })) } },
    );
  }
}

function applyOrder(manifests: readonly LoadedManifest[]): LoadedManifest[] {
  const rank = (m: LoadedManifest) => {
    const i = APPLY_ORDER.indexOf(m.object.kind ?? '');
    return i === -1 ? APPLY_ORDER.length : i;
  };
  // Array.prototype.sort is stable, so file order holds within a kind.
  return [...manifests].sort((a, b) => rank(a) - rank(b));
}
