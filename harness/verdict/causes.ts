import { ERROR_OUTCOME_BASE, failedAt, outcomeLabel, type OutcomeError, type RequestLog } from '../load/types.ts';
import type { TimelineEvent } from '../observe/events.ts';
import { displacedPods } from './displaced.ts';
import { increment, ranked } from './counts.ts';

/**
 * Why a request failed, read from what it got, the kind of connection it went on, and the
 * cluster's state when it started (ready endpoints, pods terminating). The rules and their
 * order are in causeOf.
 */
export const CAUSES = {
  'app-error': 'the app answered a status outside --expect-status',
  'no-ready-endpoint': 'no ready endpoint',
  'lost-pod': 'timed out on a pod that no longer answered',
  'sent-after-sigterm': 'sent to a pod that had stopped serving after SIGTERM',
  'refused-by-ready-pod': 'refused by a pod in the endpoints (Ready, not serving)',
  'keep-alive-closed': 'a kept-alive connection closed by the server under the request',
  unexplained: 'no cluster event explains it',
} as const;
export type Cause = keyof typeof CAUSES;

/** The one-line fix for each cause, in the settings' own words. */
export const FIXES: Readonly<Record<Cause, string>> = {
  'app-error': "read the app's logs for that time, or widen --expect-status if that status is an answer",
  'no-ready-endpoint': 'keep a pod serving throughout: 2 or more replicas, a PodDisruptionBudget (minAvailable >= 1) for drains, RollingUpdate with maxUnavailable 0 for rollouts, and a preStop delay longer than a replacement needs to become Ready',
  'lost-pod': 'no pod was shutting down, so a node or its network was lost: its pods stay in the endpoints until the control plane notices (node-monitor-grace-period); shorter tolerationSeconds for node.kubernetes.io/unreachable replace them sooner; clients need timeouts and retries',
  'sent-after-sigterm': 'sleep in a preStop hook before the app stops (longer than the endpoint removal takes to reach every kube-proxy, e.g. 5 s), then let it finish in-flight requests',
  'refused-by-ready-pod': 'make the readiness probe check the port the Service sends to (httpGet or tcpSocket on it), so a pod is Ready only once it serves',
  'keep-alive-closed': "recycle kept-alive connections before the pod quits (nginx keepalive_time, or Connection: close once terminating) and keep the server's idle timeout longer than the client's, or retry idempotent requests on a reused connection",
  unexplained: "see the failure bursts' events around it",
};

export interface CauseCount {
  readonly cause: Cause;
  /** CAUSES[cause]. */
  readonly label: string;
  readonly count: number;
  /** FIXES[cause]. */
  readonly fix: string;
}

/** Ready endpoints over time, ascending (Report.readyEndpoints.series). */
type Series = readonly { readonly t: number; readonly ready: number }[];

const TIMEOUTS: ReadonlySet<string> = new Set<OutcomeError>(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'TIMEOUT', 'ETIMEDOUT', 'EHOSTUNREACH']);
/** A server that closed or reset the connection: what a quitting pod, or an idle timeout, does. */
const CLOSED: ReadonlySet<string> = new Set<OutcomeError>(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH']);
/**
 * How long after a pod's termination began kube-proxy may still route new connections to it:
 * kind's kube-proxy syncs at most once a second (minSyncPeriod 1s), and a 3 s preStop delay is
 * the figure practitioners report as usually enough (kubernetes#43576; ../PEERS.md).
 */
export const PROPAGATION_MS = 3000;

/**
 * The cause of each failed request in `log`, counted, most frequent first. A request whose pod
 * is known from the cluster's side (RequestLog.routedTo) is judged by that pod's own exit: sent
 * to it after its termination began is after SIGTERM however late; sent to a pod that was not
 * leaving never is. Others are judged by any pod's exit within PROPAGATION_MS. `series` is the
 * ready endpoints of the Service the log loaded (with several Services, judge each stream with
 * its own series and add them up: a sum hides a Service at zero).
 */
export function failureCauses(log: RequestLog, timeline: readonly TimelineEvent[], series: Series): CauseCount[] {
  const exits = displacedPods(timeline);
  const counts = new Map<Cause, number>();
  for (let i = 0; i < log.count; i++) {
    if (!failedAt(log, i)) continue;
    const t = log.startedAt[i]!;
    const routed = log.routedTo?.[i] ? `pod/${log.pods[log.routedTo[i]!]}` : undefined;
    let justTerminated: boolean;
    let justGone: boolean;
    if (routed === undefined) {
      justTerminated = exits.some((d) => t >= d.terminatingAtMs && t <= d.terminatingAtMs + PROPAGATION_MS);
      // A pod's IP stays in kube-proxy's rules for as long after the pod is gone: packets to it go nowhere.
      justGone = exits.some((d) => t >= d.terminatingAtMs && t <= (d.goneAtMs ?? d.terminatingAtMs) + PROPAGATION_MS);
    } else {
      // Its own exit only (a StatefulSet's replacement of the same name serves again once the old one is gone).
      justTerminated = justGone = exits.some((d) => d.pod === routed && t >= d.terminatingAtMs && t <= (d.goneAtMs ?? Infinity) + PROPAGATION_MS);
    }
    const cause = causeOf(log.outcome[i]!, log.newConnection ? log.newConnection[i] === 1 : undefined, readyAt(series, t), justTerminated, justGone);
    increment(counts, cause);
  }
  return countsOf(counts);
}

/** Adds up per-Service cause counts into the run's. */
export function sumCauses(lists: readonly (readonly CauseCount[])[]): CauseCount[] {
  const counts = new Map<Cause, number>();
  for (const c of lists.flat()) increment(counts, c.cause, c.count);
  return countsOf(counts);
}

/**
 * One failed request's cause, first rule that holds: a status is the app's own answer; with no
 * ready endpoint nothing could serve it; a timeout while a pod was shutting down, or within
 * PROPAGATION_MS of it being gone, met that pod after SIGTERM (its IP still routed), any other
 * timeout met a pod that no longer answered (a lost node); a new
 * connection refused or reset within PROPAGATION_MS of a pod's termination went to that pod,
 * still in kube-proxy's rules, after it stopped serving; a kept-alive connection closed under
 * the request was the server's doing (its shutdown or idle timeout); any other refusal came from
 * a pod in the endpoints that does not listen (Ready too early).
 * `newConnection` is undefined when the log did not record it (then treated as new).
 */
export function causeOf(outcome: number, newConnection: boolean | undefined, ready: number | null, justTerminated: boolean, justGone = justTerminated): Cause {
  if (outcome < ERROR_OUTCOME_BASE) return 'app-error';
  if (ready === 0) return 'no-ready-endpoint';
  const label = outcomeLabel(outcome);
  if (TIMEOUTS.has(label)) return justGone ? 'sent-after-sigterm' : 'lost-pod';
  const refused = label === 'ECONNREFUSED';
  const closed = CLOSED.has(label);
  if (newConnection !== false && (refused || closed) && justTerminated) return 'sent-after-sigterm';
  if (newConnection === false && closed) return 'keep-alive-closed';
  if (refused || closed) return 'refused-by-ready-pod';
  return 'unexplained';
}

/** Ready endpoints at `t`: the last point at or before it; null before the first (not observed). */
function readyAt(series: Series, t: number): number | null {
  let lo = 0;
  let hi = series.length - 1;
  let found: number | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (series[mid]!.t <= t) {
      found = series[mid]!.ready;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function countsOf(counts: ReadonlyMap<Cause, number>): CauseCount[] {
  return ranked(counts).map(([cause, count]) => ({ cause, label: CAUSES[cause], count, fix: FIXES[cause] }));
}
