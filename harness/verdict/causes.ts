import { ERROR_OUTCOME_BASE, failedAt, outcomeLabel, type OutcomeError, type RequestLog } from '../load/types.ts';
import { parseBackendSubject, type TimelineEvent } from '../observe/events.ts';
import { displacedPods, type DisplacedPod } from './displaced.ts';
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
  'stale-route': 'routed to a pod that no longer existed (its IP still in the rules)',
  'killed-at-grace-end': 'in flight when its container was killed at the end of the grace period (exit 137)',
  'lb-stale-backend': 'sent by the load balancer to a node whose pod had left, before its health check took the node out',
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
  'stale-route': 'keep the pod alive and serving until routing has caught up: a preStop delay longer than the measured propagation lag, inside terminationGracePeriodSeconds',
  'killed-at-grace-end': 'make terminationGracePeriodSeconds longer than the preStop delay plus the time the app needs to finish in-flight requests after SIGTERM',
  'lb-stale-backend': "under externalTrafficPolicy Local a node without a serving pod of its own drops what its load balancer still sends it: keep each pod serving (preStop sleep) for longer than the load balancer takes to take a node out (its health check's interval × unhealthy threshold: 24 s for GCE's 8 s × 3), inside terminationGracePeriodSeconds; or use externalTrafficPolicy Cluster",
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
 * Causes the load balancer's own record (staleBackends) outweighs: those read from timing alone,
 * and a kept-alive connection closed under the request, which reads the connection's mode: a
 * fresh connection of the keep-alive mode that haproxy closes after failing to reach the node
 * looks the same. The others (a status, no ready endpoint, a kill, a stale route) rest on the
 * request's own evidence.
 */
const GUESSES: ReadonlySet<Cause> = new Set<Cause>(['lost-pod', 'sent-after-sigterm', 'refused-by-ready-pod', 'keep-alive-closed', 'unexplained']);

/**
 * How late the watcher may see a container's exit 137 after the kill: the kubelet reports a
 * container's state in its next pod status update, which it batches (about a second on kind).
 */
export const KILL_SEEN_WITHIN_MS = 1500;
/** How long after the watcher saw the kill a reset it caused may still be recorded (the generator's own lag). */
const KILL_RESET_SLACK_MS = 50;

/**
 * The cause of each failed request in `log`, by index (undefined for one that did not fail). A request reset or
 * closed in the moments before the watcher saw a container killed (exit 137; of the pod it was
 * routed to, when known), having started before, is that kill's doing (a client timeout is
 * the client giving up, not the kill); other requests go through causeOf. A request whose pod
 * is known from the cluster's side (RequestLog.routedTo) is judged by that pod's own exit: sent
 * to it after its termination began is after SIGTERM however late; sent to a pod that was not
 * leaving never is. Others are judged by any pod's exit within PROPAGATION_MS. `series` is the
 * ready endpoints of the Service the log loaded (with several Services, judge each stream with
 * its own series and add them up: a sum hides a Service at zero). Count them with tallyCauses.
 */
export function requestCauses(log: RequestLog, timeline: readonly TimelineEvent[], series: Series): (Cause | undefined)[] {
  const exits = displacedPods(timeline);
  const kills = timeline.filter((e) => e.kind === 'container-killed');
  const stale = staleBackends(timeline, exits);
  const causes = new Array<Cause | undefined>(log.count).fill(undefined);
  for (let i = 0; i < log.count; i++) {
    if (!failedAt(log, i)) continue;
    const t = log.startedAt[i]!;
    const routed = log.routedTo?.[i] ? `pod/${log.pods[log.routedTo[i]!]}` : undefined;
    const endedAt = t + (Number.isFinite(log.latencyMs[i]) ? log.latencyMs[i]! : 0);
    // Cut by a kill (of the pod it was routed to, when known): the dying process's socket reset or closed it between the kill and the watcher seeing it.
    const killed = kills.some((k) => (routed === undefined || k.subject === routed) && t <= k.t && endedAt >= k.t - KILL_SEEN_WITHIN_MS && endedAt <= k.t + KILL_RESET_SLACK_MS);
    let justTerminated: boolean;
    let justGone: boolean;
    let alreadyGone = false;
    if (routed === undefined) {
      justTerminated = exits.some((d) => t >= d.terminatingAtMs && t <= d.terminatingAtMs + PROPAGATION_MS);
      // A pod's IP stays in kube-proxy's rules for as long after the pod is gone: packets to it go nowhere.
      justGone = exits.some((d) => t >= d.terminatingAtMs && t <= (d.goneAtMs ?? d.terminatingAtMs) + PROPAGATION_MS);
    } else {
      // Its own exit only (a StatefulSet's replacement of the same name serves again once the old one is gone).
      const exit = exits.find((d) => d.pod === routed && t >= d.terminatingAtMs && t <= (d.goneAtMs ?? Infinity) + PROPAGATION_MS);
      justTerminated = justGone = exit !== undefined;
      alreadyGone = exit?.goneAtMs != null && t >= exit.goneAtMs;
    }
    const cause = killed && CLOSED.has(outcomeLabel(log.outcome[i]!)) ? 'killed-at-grace-end' : causeOf(log.outcome[i]!, log.newConnection ? log.newConnection[i] === 1 : undefined, readyAt(series, t), justTerminated, justGone, alreadyGone);
    // While the load balancer still sent to a node whose pod had left, that is the likelier reading of a failure the rules could only guess at.
    causes[i] = GUESSES.has(cause) && stale.some((w) => t >= w.from && t <= w.to) ? 'lb-stale-backend' : cause;
  }
  return causes;
}

/**
 * When zdt's load balancer still sent to a node whose pod had left (externalTrafficPolicy Local:
 * the node then serves nothing itself): from that pod's termination until the load balancer took
 * the node out ('lb-backend-down') or it was healthy again ('lb-backend-up': a pod of its own
 * serves there again), or to the end of the run. An episode opens at a node's first failed check
 * ('lb-check-failed') after a pod there began terminating. A node whose checks fail
 * with no pod leaving it (a lost node) opens none: those failures keep the pods' causes. Under
 * externalTrafficPolicy Cluster a drained node's checks pass (it forwards elsewhere), so there
 * are none. Episodes are per Service and node (subject lb/<service>/<node>); with several
 * Services, judge each stream with its own events, as Report.services does.
 */
function staleBackends(timeline: readonly TimelineEvent[], exits: readonly DisplacedPod[]): { readonly from: number; readonly to: number }[] {
  const windows: { from: number; to: number }[] = [];
  const open = new Map<string, number>();
  const closedAt = new Map<string, number>();
  for (const e of timeline) {
    const backend = parseBackendSubject(e.subject);
    if (!backend) continue;
    const key = e.subject;
    if (e.kind === 'lb-check-failed') {
      if (open.has(key)) continue;
      const after = closedAt.get(key) ?? -Infinity;
      const left = exits.filter((d) => d.node === backend.node && d.terminatingAtMs <= e.t && d.terminatingAtMs > after).map((d) => d.terminatingAtMs);
      if (left.length > 0) open.set(key, Math.max(...left));
      continue;
    }
    const since = open.get(key);
    if (since !== undefined) windows.push({ from: since, to: e.t });
    open.delete(key);
    closedAt.set(key, e.t);
  }
  for (const since of open.values()) windows.push({ from: since, to: Infinity });
  return windows;
}

/** Counts requestCauses' answer, most frequent first; `only` limits it to the requests it accepts (one burst's). */
export function tallyCauses(causes: readonly (Cause | undefined)[], only?: (i: number) => boolean): CauseCount[] {
  const counts = new Map<Cause, number>();
  causes.forEach((cause, i) => {
    if (cause !== undefined && (!only || only(i))) increment(counts, cause);
  });
  return countsOf(counts);
}

/** The causes of `log`'s failed requests, counted (requestCauses, then tallyCauses). */
export function failureCauses(log: RequestLog, timeline: readonly TimelineEvent[], series: Series, only?: (i: number) => boolean): CauseCount[] {
  return tallyCauses(requestCauses(log, timeline, series), only);
}

/** Adds up per-Service cause counts into the run's. */
export function sumCauses(lists: readonly (readonly CauseCount[])[]): CauseCount[] {
  const counts = new Map<Cause, number>();
  for (const c of lists.flat()) increment(counts, c.cause, c.count);
  return countsOf(counts);
}

/**
 * One failed request's cause, first rule that holds: a status is the app's own answer; with no
 * ready endpoint nothing could serve it (the root cause, whatever the rules still pointed at); a
 * timeout on a connection conntrack routed to a pod already deleted (`alreadyGone`) met a stale
 * route; a timeout while a pod was shutting down, or within
 * PROPAGATION_MS of it being gone, met that pod after SIGTERM (its IP still routed), any other
 * timeout met a pod that no longer answered (a lost node); a new
 * connection refused or reset within PROPAGATION_MS of a pod's termination went to that pod,
 * still in kube-proxy's rules, after it stopped serving; a kept-alive connection closed under
 * the request was the server's doing (its shutdown or idle timeout); any other refusal came from
 * a pod in the endpoints that does not listen (Ready too early).
 * `newConnection` is undefined when the log did not record it (then treated as new).
 */
export function causeOf(outcome: number, newConnection: boolean | undefined, ready: number | null, justTerminated: boolean, justGone = justTerminated, alreadyGone = false): Cause {
  if (outcome < ERROR_OUTCOME_BASE) return 'app-error';
  if (ready === 0) return 'no-ready-endpoint';
  const label = outcomeLabel(outcome);
  if (alreadyGone && TIMEOUTS.has(label)) return 'stale-route';
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
