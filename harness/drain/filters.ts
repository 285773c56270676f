/**
 * kubectl drain's pod filters as plain values. Each filter either has no opinion on a pod
 * (undefined: ask the next one) or decides; the first decision wins, and a pod no filter decides
 * on is evicted.
 */
import { ErrorCode, ZdtError } from '../errors.ts';
import type { Pod } from '../kube/types.ts';
import type { DrainFlagNames } from './options.ts';

export type PodAction =
  /** Send an eviction, then wait until the pod is gone. */
  | 'evict'
  /** Already leaving: no eviction (a PDB could refuse it forever), but wait until it is gone. */
  | 'wait'
  /** Leave the pod alone. */
  | 'skip'
  /** The drain must not proceed. */
  | 'fail';

export interface FilterVerdict {
  readonly action: PodAction;
  readonly reason: string;
}

export interface FilterContext {
  readonly ignoreDaemonSets: boolean;
  readonly deleteEmptyDirData: boolean;
  readonly force: boolean;
  /** How a refusal names the option that would let the pod through (see DrainOptions.optionNames). */
  readonly optionNames: DrainFlagNames;
}

export interface PodFilter {
  readonly name: string;
  check(pod: Pod, ctx: FilterContext): FilterVerdict | undefined;
}

export interface PodDecision extends FilterVerdict {
  readonly pod: Pod;
  /** The filter that decided; "default" when none did. */
  readonly filter: string;
}

export interface DrainPlan {
  readonly evict: readonly Pod[];
  readonly wait: readonly Pod[];
  readonly skipped: readonly PodDecision[];
  readonly failed: readonly PodDecision[];
  /** Every pod's decision, in input order (evictions included, with their reason). */
  readonly decisions: readonly PodDecision[];
}

export const podKey = (pod: Pod): string => `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;

const controllerOf = (pod: Pod) => pod.metadata?.ownerReferences?.find((o) => o.controller === true);
const isFinished = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

export const terminatingFilter: PodFilter = {
  name: 'terminating',
  check: (pod) => (pod.metadata?.deletionTimestamp ? { action: 'wait', reason: 'already terminating' } : undefined),
};

export const daemonSetFilter: PodFilter = {
  name: 'daemonset',
  check: (pod, ctx) => {
    if (controllerOf(pod)?.kind !== 'DaemonSet') return undefined;
    // The DaemonSet controller ignores unschedulable and would recreate the pod on this node.
    return ctx.ignoreDaemonSets
      ? { action: 'skip', reason: 'DaemonSet-managed' }
      : { action: 'fail', reason: `DaemonSet-managed, the DaemonSet would recreate it on this node (${ctx.optionNames.ignoreDaemonSets} skips it)` };
  },
};

export const mirrorPodFilter: PodFilter = {
  name: 'mirror',
  // Static pods belong to the kubelet; the API object is only a mirror that cannot be evicted.
  check: (pod) => (pod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined ? { action: 'skip', reason: 'mirror (static) pod' } : undefined),
};

export const finishedPodFilter: PodFilter = {
  name: 'finished',
  // A finished pod's disruption already happened: the API server deletes it without consulting PDBs,
  // and neither its local data nor its missing controller matters any more.
  check: (pod) => (isFinished(pod) ? { action: 'evict', reason: `finished (${pod.status?.phase})` } : undefined),
};

export const localStorageFilter: PodFilter = {
  name: 'local-storage',
  check: (pod, ctx) => {
    if (!pod.spec?.volumes?.some((v) => v.emptyDir !== undefined)) return undefined;
    return ctx.deleteEmptyDirData
      ? { action: 'evict', reason: `uses emptyDir local storage (${ctx.optionNames.deleteEmptyDirData}: its data is lost)` }
      : { action: 'fail', reason: `uses emptyDir local storage, whose data an eviction deletes (${ctx.optionNames.deleteEmptyDirData} evicts it anyway)` };
  },
};

export const unreplicatedFilter: PodFilter = {
  name: 'unreplicated',
  check: (pod, ctx) => {
    if (controllerOf(pod)) return undefined;
    return ctx.force
      ? { action: 'evict', reason: `declares no controller (${ctx.optionNames.force}: it will not be recreated)` }
      : { action: 'fail', reason: `declares no controller, nothing would recreate it: run it from a Deployment or StatefulSet (${ctx.optionNames.force} deletes it for good)` };
  },
};

/** kubectl's set, in an order where the more specific reason decides first. */
export const defaultFilters: readonly PodFilter[] = Object.freeze([
  terminatingFilter,
  daemonSetFilter,
  mirrorPodFilter,
  finishedPodFilter,
  localStorageFilter,
  unreplicatedFilter,
]);

export function decide(pod: Pod, filters: readonly PodFilter[], ctx: FilterContext): PodDecision {
  for (const filter of filters) {
    const verdict = filter.check(pod, ctx);
    if (verdict) return { ...verdict, pod, filter: filter.name };
  }
  return { action: 'evict', reason: 'managed by a controller', pod, filter: 'default' };
}

export function planDrain(pods: readonly Pod[], filters: readonly PodFilter[], ctx: FilterContext): DrainPlan {
  const decisions = pods.map((pod) => decide(pod, filters, ctx));
  const of = (action: PodAction) => decisions.filter((d) => d.action === action);
  return {
    evict: of('evict').map((d) => d.pod),
    wait: of('wait').map((d) => d.pod),
    skipped: of('skip'),
    failed: of('fail'),
    decisions,
  };
}

/** ZDT_DRAIN_FILTERED listing each pod that stops the drain and why, grouped like kubectl's report. */
export function drainFilteredError(node: string, failed: readonly PodDecision[]): ZdtError {
  const byReason = new Map<string, string[]>();
  for (const d of failed) byReason.set(d.reason, [...(byReason.get(d.reason) ?? []), podKey(d.pod)]);
  const parts = [...byReason].map(([reason, pods]) => `${reason}: ${pods.join(', ')}`);
  return new ZdtError(ErrorCode.DrainFiltered, `cannot drain node ${node}: ${parts.join('; ')}`, {
    details: { node, pods: failed.map((d) => ({ pod: podKey(d.pod), filter: d.filter, reason: d.reason })) },
  });
}
