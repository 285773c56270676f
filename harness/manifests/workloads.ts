/**
 * The kinds that own pods, in one place: where each keeps its pod template, how many pods it
 * wants, how its live status says it is ready, and how a release rolls it. Deploy, lint and
 * the scenario runner all ask this module, so a kind is never known to one and not another.
 */
import type { KubeObject, ObjectMeta, PodSpec } from '../kube/types.ts';
import type { LoadedManifest } from './load.ts';

/** Kinds whose pods can sit behind a Service, in the order a release applies them (file order within a kind). */
export const SERVING_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod'] as const;
export type ServingKind = (typeof SERVING_KINDS)[number];

export const isServingKind = (kind: string | undefined): kind is ServingKind => (SERVING_KINDS as readonly string[]).includes(kind ?? '');

/** apiVersion of each serving kind, for API calls made from a manifest's kind alone. */
export const API_VERSION: Readonly<Record<ServingKind, string>> = {
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  Pod: 'v1',
};

export interface PodTemplate {
  metadata?: ObjectMeta;
  spec?: PodSpec;
}

/** Anything that creates pods (a controller's template, or a bare Pod): what selectors match. */
export interface PodSource {
  readonly manifest: LoadedManifest;
  readonly kind: string;
  readonly name: string;
  /** `Kind/namespace/name`; unnamespaced manifests count as `default`, as with kubectl without `-n`. */
  readonly ref: string;
  readonly namespace: string;
  readonly labels: Record<string, string> | undefined;
  readonly spec: PodSpec | undefined;
  /** A serving kind (not a Job or CronJob). */
  readonly serving: boolean;
  /** False for a bare Pod: nothing recreates it when it is evicted. */
  readonly controlled: boolean;
  /**
   * Pods it keeps: spec.replicas (1 when unset, as the API server defaults it), 1 for a bare
   * Pod, undefined for a DaemonSet (one per eligible node) and batch kinds.
   */
  readonly replicas: number | undefined;
  /** The HorizontalPodAutoscaler scaling it, if any: `replicas` is then its minReplicas, the floor it may be scaled down to. */
  readonly autoscaler?: LoadedManifest;
}

export function namespaceOf(object: KubeObject): string {
  return object.metadata?.namespace ?? 'default';
}

export function refOf(object: KubeObject): string {
  return `${object.kind}/${namespaceOf(object)}/${object.metadata?.name}`;
}

/**
 * Where each pod-owning kind keeps its pod template: the serving kinds, and Job and CronJob,
 * which also own pods but run to completion (never a Service's backend worth verifying). A
 * bare Pod is its own template (`[]`). The manifest shape check reads this table too.
 */
export const POD_TEMPLATE_PATHS: ReadonlyMap<string, readonly string[]> = new Map([
  ['Deployment', ['spec', 'template']],
  ['StatefulSet', ['spec', 'template']],
  ['DaemonSet', ['spec', 'template']],
  ['ReplicaSet', ['spec', 'template']],
  ['Pod', []],
  ['Job', ['spec', 'template']],
  ['CronJob', ['spec', 'jobTemplate', 'spec', 'template']],
]);

/** The pod template of a pod-owning object (a bare Pod is its own), else undefined. */
export function podTemplateOf(object: KubeObject): PodTemplate | undefined {
  const path = POD_TEMPLATE_PATHS.get(object.kind ?? '');
  if (path === undefined) return undefined;
  if (path.length === 0) return { metadata: object.metadata, spec: object.spec as PodSpec | undefined };
  return path.reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], object) as PodTemplate | undefined;
}

function replicasOf(object: KubeObject): number | undefined {
  if (object.kind === 'Pod') return 1;
  if (object.kind === 'DaemonSet' || !isServingKind(object.kind)) return undefined;
  const replicas = (object.spec as { replicas?: unknown } | undefined)?.replicas;
  return typeof replicas === 'number' ? replicas : 1;
}

interface HorizontalPodAutoscaler extends KubeObject {
  spec?: { minReplicas?: number; scaleTargetRef?: { kind?: string; name?: string } };
}

/**
 * The floor of each autoscaled workload, by `Kind/namespace/name`: its HorizontalPodAutoscaler's
 * minReplicas (1 when unset, as the API server defaults it). An autoscaler may scale down to it
 * at any quiet hour, so that is the count a drain must be survived with.
 */
function autoscalerFloors(manifests: readonly LoadedManifest[]): Map<string, { manifest: LoadedManifest; minReplicas: number }> {
  const floors = new Map<string, { manifest: LoadedManifest; minReplicas: number }>();
  for (const manifest of manifests) {
    if (manifest.object.kind !== 'HorizontalPodAutoscaler') continue;
    const hpa = manifest.object as HorizontalPodAutoscaler;
    const target = hpa.spec?.scaleTargetRef;
    if (!target?.kind || !target.name) continue;
    floors.set(`${target.kind}/${namespaceOf(hpa)}/${target.name}`, { manifest, minReplicas: hpa.spec?.minReplicas ?? 1 });
  }
  return floors;
}

/** Every pod source in the manifests, in manifest order. */
export function podSources(manifests: readonly LoadedManifest[]): PodSource[] {
  const floors = autoscalerFloors(manifests);
  return manifests.flatMap((manifest): PodSource[] => {
    const { object } = manifest;
    const template = podTemplateOf(object);
    if (!template) return [];
    const replicas = replicasOf(object);
    const floor = replicas === undefined || object.kind === 'Pod' ? undefined : floors.get(refOf(object));
    return [
      {
        manifest,
        kind: object.kind ?? '',
        name: object.metadata?.name ?? '',
        ref: refOf(object),
        namespace: namespaceOf(object),
        labels: template.metadata?.labels,
        spec: template.spec,
        serving: isServingKind(object.kind),
        controlled: object.kind !== 'Pod',
        replicas: floor?.minReplicas ?? replicas,
        ...(floor ? { autoscaler: floor.manifest } : {}),
      },
    ];
  });
}

/**
 * The manifests as a run applies them: every autoscaled workload at its autoscaler's floor
 * (spec.replicas = minReplicas), the fewest pods it may have when a drain comes. The objects
 * changed are returned with the count they got.
 */
export function atAutoscalerFloor(manifests: readonly LoadedManifest[]): { manifests: LoadedManifest[]; floored: { source: PodSource; replicas: number }[] } {
  const floored = podSources(manifests).filter((s) => s.autoscaler && (s.manifest.object.spec as { replicas?: number } | undefined)?.replicas !== s.replicas);
  const changed = new Map(floored.map((s) => [s.manifest, s.replicas!]));
  return {
    manifests: manifests.map((m) => {
      const replicas = changed.get(m);
      return replicas === undefined ? m : { ...m, object: { ...m.object, spec: { ...(m.object.spec as object), replicas } } };
    }),
    floored: floored.map((source) => ({ source, replicas: source.replicas! })),
  };
}

/** What a serving kind's live status lacks before it counts as ready, or undefined when ready. */
export function workloadProblem(live: KubeObject): string | undefined {
  const spec = (live.spec ?? {}) as { replicas?: number; updateStrategy?: { type?: string } };
  const st = (live.status ?? {}) as Record<string, unknown>;
  const n = (field: string): number => (typeof st[field] === 'number' ? (st[field] as number) : 0);
  if (live.kind !== 'Pod' && n('observedGeneration') < (live.metadata?.generation ?? 0)) return 'change not observed by its controller yet';
  const want = spec.replicas ?? 1;
  switch (live.kind) {
    case 'Deployment':
      // kubectl rollout status: updated, no old replicas left, all available.
      if (n('updatedReplicas') < want) return `${n('updatedReplicas')}/${want} replicas updated`;
      if (n('replicas') > want) return `${n('replicas') - want} old replica(s) still terminating`;
      if (n('availableReplicas') < want) return `${n('availableReplicas')}/${want} replicas available`;
      return undefined;
    case 'StatefulSet':
      // Ready, and (RollingUpdate) every pod at the update revision: currentRevision catches up then.
      if (n('readyReplicas') < want) return `${n('readyReplicas')}/${want} replicas ready`;
      if (spec.updateStrategy?.type !== 'OnDelete') {
        if (n('updatedReplicas') < want) return `${n('updatedReplicas')}/${want} replicas updated`;
        if (st.currentRevision !== st.updateRevision) return `current revision ${String(st.currentRevision)} is not the update revision ${String(st.updateRevision)} yet`;
      }
      return undefined;
    case 'DaemonSet': {
      const desired = n('desiredNumberScheduled');
      if (n('updatedNumberScheduled') < desired) return `${n('updatedNumberScheduled')}/${desired} pods updated`;
      if (n('numberReady') < desired) return `${n('numberReady')}/${desired} pods ready`;
      return undefined;
    }
    case 'ReplicaSet':
      if (n('readyReplicas') < want) return `${n('readyReplicas')}/${want} replicas ready`;
      return undefined;
    case 'Pod': {
      const ready = (st.conditions as { type: string; status: string }[] | undefined)?.find((c) => c.type === 'Ready');
      if (live.metadata?.deletionTimestamp) return 'terminating';
      if (ready?.status !== 'True') return `phase ${String(st.phase ?? 'Pending')}, not ready`;
      return undefined;
    }
    default:
      return undefined;
  }
}

/**
 * What a pod-template change does to a running workload, for reports: only some controllers
 * replace their pods when the template changes.
 */
export function rolloutEffect(source: Pick<PodSource, 'kind' | 'manifest'>): 'replaces-pods' | 'recreate-by-hand' | 'no-effect' {
  const strategy = (source.manifest.object.spec as { updateStrategy?: { type?: string } } | undefined)?.updateStrategy?.type;
  switch (source.kind) {
    case 'Deployment':
      return 'replaces-pods';
    case 'StatefulSet':
    case 'DaemonSet':
      return strategy === 'OnDelete' ? 'no-effect' : 'replaces-pods';
    case 'Pod':
      // A pod's spec is immutable: a release deletes and re-creates it (kubectl replace --force).
      return 'recreate-by-hand';
    default:
      // A ReplicaSet's template applies only to pods it creates later.
      return 'no-effect';
  }
}
