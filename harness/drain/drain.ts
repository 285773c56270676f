/**
 * kubectl drain over KubeApi: cordon, list the node's pods, filter, evict them all concurrently
 * (kubectl runs one goroutine per pod), wait until each is gone, all under one global deadline.
 */
import { ErrorCode, ZdtError, isZdtError } from '../errors.ts';
import type { KubeApi } from '../kube/api.ts';
import type { Pod } from '../kube/types.ts';
import type { TimelineSink } from '../observe/events.ts';
import { abortError } from '../wait.ts';
import { cordon, uncordon } from './cordon.ts';
import { evictPod, waitForPodGone, type Refusal } from './evict.ts';
import { defaultFilters, drainFilteredError, planDrain, podKey, type PodDecision } from './filters.ts';
import { resolveDrainOptions, type DrainOptions, type ResolvedDrainOptions } from './options.ts';
import { ApiOutage, retryTransient } from './outage.ts';
import { explainBudget, pdbsForPod } from './pdb.ts';

export interface DrainResult {
  readonly node: string;
  /** namespace/name of the pods whose eviction was accepted (or that were gone already). */
  readonly evicted: readonly string[];
  /** namespace/name of the pods that were already terminating and were waited for. */
  readonly waitedFor: readonly string[];
  readonly skipped: readonly PodDecision[];
  readonly durationMs: number;
}

export type NodeDrainOutcome =
  | { readonly node: string; readonly ok: true; readonly result: DrainResult }
  | { readonly node: string; readonly ok: false; readonly error: unknown };

/** Bound on the clean-up calls made after the drain's own deadline has passed. */
const CLEANUP_TIMEOUT_MS = 15_000;

interface PodRefusals {
  readonly pod: Pod;
  count: number;
  readonly firstAt: number;
  last: Refusal;
}

interface PodFailure {
  readonly pod: Pod;
  readonly error: unknown;
}

const isDeadline = (err: unknown) => isZdtError(err, ErrorCode.Timeout) || isZdtError(err, ErrorCode.Aborted);
const messageOf = (err: unknown) => {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(err);
};

/**
 * Drains one node. Resolves when every evictable pod is gone. API calls that reach no API server
 * are retried until the deadline ('api-unreachable' / 'api-reachable' events). Rejects with ZDT_DRAIN_FILTERED
 * (nothing evicted), ZDT_DRAIN_BLOCKED (a PDB refused evictions until the deadline),
 * ZDT_TIMEOUT (pods did not go in time), ZDT_EVICTION_MULTIPLE_PDBS, ZDT_KUBE_API or ZDT_ABORTED.
 * On failure the node is uncordoned unless it was cordoned before or options.keepCordoned.
 */
export async function drainNode(api: KubeApi, nodeName: string, options: DrainOptions = {}, sink?: TimelineSink): Promise<DrainResult> {
  const o = resolveDrainOptions(options);
  const subject = `node/${nodeName}`;
  const started = performance.now();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), o.timeoutMs);
  const signal = o.signal ? AbortSignal.any([o.signal, deadline.signal]) : deadline.signal;
  const refusals = new Map<string, PodRefusals>();
  const outage = new ApiOutage(sink, subject, o.pollIntervalMs);
  let cordonedHere = false;

  sink?.record('drain-start', subject);
  try {
    cordonedHere = await cordon(api, nodeName, sink, signal, outage);
    const pods = await retryTransient(() => api.list<Pod>({ apiVersion: 'v1', kind: 'Pod' }, { fieldSelector: `spec.nodeName=${nodeName}` }, signal), outage, signal);
    const plan = planDrain(pods, defaultFilters, o);
    if (plan.failed.length > 0) throw drainFilteredError(nodeName, plan.failed);

    const onRefused = (pod: Pod) => (refusal: Refusal) => {
      const entry = refusals.get(podKey(pod));
      if (entry) {
        entry.count++;
        entry.last = refusal;
      } else refusals.set(podKey(pod), { pod, count: 1, firstAt: performance.now(), last: refusal });
    };
    const drainPod = async (pod: Pod, evict: boolean) => {
      if (evict) {
        const outcome = await evictPod(api, pod, { ...o, signal, onRefused: onRefused(pod), outage }, sink);
        if (outcome === 'gone') return;
      }
      const timeoutMs = Math.max(0, started + o.timeoutMs - performance.now());
      await waitForPodGone(api, pod, { timeoutMs, intervalMs: o.pollIntervalMs, signal, outage });
    };
    const tasks = [...plan.evict.map((p) => ({ pod: p, evict: true })), ...plan.wait.map((p) => ({ pod: p, evict: false }))];
    // Like kubectl, one pod's failure does not stop the others: all settle, then errors are reported.
    const settled = await Promise.allSettled(tasks.map((t) => drainPod(t.pod, t.evict)));
    const failures: PodFailure[] = settled.flatMap((s, i) => (s.status === 'rejected' ? [{ pod: tasks[i]!.pod, error: s.reason }] : []));
    if (failures.length > 0) throw await podFailuresError(api, nodeName, o, failures, refusals);

    const result: DrainResult = {
      node: nodeName,
      evicted: plan.evict.map(podKey),
      waitedFor: plan.wait.map(podKey),
      skipped: plan.skipped,
      durationMs: performance.now() - started,
    };
    sink?.record('drain-done', subject, `${result.evicted.length} evicted, ${result.waitedFor.length} waited for, ${result.skipped.length} skipped`);
    return result;
  } catch (err) {
    const error = o.signal?.aborted ? abortError(o.signal) : isZdtError(err, ErrorCode.Aborted) && deadline.signal.aborted ? timeoutError(nodeName, o, err) : err;
    sink?.record('drain-failed', subject, messageOf(error));
    if (cordonedHere && !o.keepCordoned) {
      // The drain's own signal may be spent; the clean-up gets a fresh, bounded one.
      await uncordon(api, nodeName, sink, AbortSignal.timeout(CLEANUP_TIMEOUT_MS), outage).catch((e: unknown) =>
        sink?.record('note', subject, `uncordon after failed drain failed: ${messageOf(e)}`),
      );
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function timeoutError(
  node: string,
  o: ResolvedDrainOptions,
  cause: unknown,
  pending: readonly PodFailure[] = [],
  refusals: ReadonlyMap<string, PodRefusals> = new Map(),
): ZdtError {
  const clause = (f: PodFailure) => {
    const r = refusals.get(podKey(f.pod));
    return r ? `eviction of pod ${podKey(f.pod)} refused ${r.count} times (${r.last.status}: ${r.last.message})` : messageOf(f.error);
  };
  const what = pending.length > 0 ? `: ${pending.map(clause).join('; ')}` : '';
  return new ZdtError(ErrorCode.Timeout, `drain of node ${node} timed out after ${Math.round(o.timeoutMs / 1000)}s${what}`, {
    cause,
    details: { node, timeoutMs: o.timeoutMs, pods: pending.map((f) => podKey(f.pod)) },
  });
}

/** Turns the pods' failures into the drain's one error, the most actionable first. */
async function podFailuresError(
  api: KubeApi,
  node: string,
  o: ResolvedDrainOptions,
  failures: readonly PodFailure[],
  refusals: ReadonlyMap<string, PodRefusals>,
): Promise<unknown> {
  if (o.signal?.aborted) return abortError(o.signal);
  const hard = failures.find((f) => !isDeadline(f.error));
  if (hard) {
    const others = failures.length > 1 ? ` (and ${failures.length - 1} other pod failure(s): ${failures.filter((f) => f !== hard).map((f) => messageOf(f.error)).join('; ')})` : '';
    if (!isZdtError(hard.error)) return hard.error;
    return new ZdtError(hard.error.code, `drain of node ${node} failed: ${hard.error.message}${others}`, {
      cause: hard.error,
      details: { ...hard.error.details, node, pod: podKey(hard.pod) },
    });
  }
  const blocked = failures.flatMap((f) => {
    const r = refusals.get(podKey(f.pod));
    return r && r.last.status === 429 ? [r] : [];
  });
  if (blocked.length === 0) return timeoutError(node, o, failures[0]?.error, failures, refusals);

  const now = performance.now();
  const cleanup = AbortSignal.timeout(CLEANUP_TIMEOUT_MS);
  // The 429 normally names its PDB; otherwise find the budgets whose selector matches the pod.
  const named = await Promise.all(
    blocked.map(async (r) => (r.last.pdb !== undefined ? [r.last.pdb] : await pdbsForPod(api, r.pod, cleanup).catch(() => []))),
  );
  const pdbs = [...new Set(named.flat())].sort();
  const by = pdbs.length === 0 ? 'a PodDisruptionBudget' : `PodDisruptionBudget ${pdbs.join(', ')}`;
  const clauses = blocked.map((r) => `eviction of pod ${podKey(r.pod)} refused ${r.count} times (429) over ${Math.round((now - r.firstAt) / 1000)}s`);
  // Each budget lives in its refused pod's namespace; the explanation is best effort, the verdict stands without it.
  const budgets = new Map(blocked.flatMap((r, i) => (named[i] ?? []).map((name) => [`${r.pod.metadata?.namespace}/${name}`, { namespace: r.pod.metadata?.namespace ?? '', name }] as const)));
  const why = await Promise.all([...budgets.values()].map((b) => explainBudget(api, b.namespace, b.name, cleanup).catch(() => undefined)));
  const explained = why.filter((w): w is string => w !== undefined);
  const because = explained.length > 0 ? `. ${explained.join('. ')}` : '';
  return new ZdtError(ErrorCode.DrainBlocked, `drain of node ${node} blocked by ${by}: ${clauses.join('; ')}${because}`, {
    cause: failures[0]?.error,
    details: {
      node,
      pdbs,
      budgets: explained,
      timeoutMs: o.timeoutMs,
      pods: blocked.map((r) => ({ pod: podKey(r.pod), refusals: r.count, lastMessage: r.last.message })),
    },
  });
}

/**
 * Drains every node concurrently, each in its own independent task: nothing coordinates them
 * but the API server's PDB checks. Options are validated once up front; all drains settle.
 */
export async function drainNodes(api: KubeApi, nodes: readonly string[], options: DrainOptions = {}, sink?: TimelineSink): Promise<NodeDrainOutcome[]> {
  resolveDrainOptions(options);
  const dup = nodes.find((n, i) => nodes.indexOf(n) !== i);
  if (dup !== undefined) {
    throw new ZdtError(ErrorCode.InvalidOption, `nodes must be distinct, got ${dup} twice`, { details: { option: 'nodes', value: [...nodes] } });
  }
  const settled = await Promise.allSettled(nodes.map((node) => drainNode(api, node, options, sink)));
  return settled.map((s, i): NodeDrainOutcome => {
    const node = nodes[i]!;
    return s.status === 'fulfilled' ? { node, ok: true, result: s.value } : { node, ok: false, error: s.reason };
  });
}
