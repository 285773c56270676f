import { expect } from 'chai';
import { isZdtError } from '../../harness/errors.ts';
import { errorOutcome, OUTCOME_DROPPED, type OutcomeError, type RequestLog } from '../../harness/load/types.ts';
import type { TimelineEvent, TimelineKind } from '../../harness/observe/events.ts';

/** One request of a hand-built log; `outcome` is an HTTP status, an error label or OUTCOME_DROPPED. */
export interface Req {
  readonly at: number;
  readonly latency?: number;
  readonly outcome?: number | OutcomeError;
  readonly pod?: string;
  /** Sent on a connection of its own (RequestLog.newConnection); the log has the column when any request sets it. */
  readonly newConnection?: boolean;
  /** The connection's client-side port (RequestLog.localPort); the log has the column when any request sets it. */
  readonly localPort?: number;
  /** Failed on a reused connection before any response (RequestLog.reusedUnanswered); the log has the column when any request sets it. */
  readonly reusedUnanswered?: boolean;
}

export function makeLog(reqs: readonly Req[], extra: { lateStarts?: number } = {}): RequestLog {
  const pods = [''];
  const log = {
    count: reqs.length,
    scheduledAt: new Float64Array(reqs.length),
    startedAt: new Float64Array(reqs.length),
    latencyMs: new Float32Array(reqs.length),
    outcome: new Uint16Array(reqs.length),
    pod: new Uint16Array(reqs.length),
    pods,
    lateStarts: extra.lateStarts ?? 0,
    dropped: reqs.filter((r) => r.outcome === OUTCOME_DROPPED).length,
    ...(reqs.some((r) => r.newConnection !== undefined) ? { newConnection: Uint8Array.from(reqs, (r) => (r.newConnection ? 1 : 0)) } : {}),
    ...(reqs.some((r) => r.localPort !== undefined) ? { localPort: Uint16Array.from(reqs, (r) => r.localPort ?? 0) } : {}),
    ...(reqs.some((r) => r.reusedUnanswered !== undefined) ? { reusedUnanswered: Uint8Array.from(reqs, (r) => (r.reusedUnanswered ? 1 : 0)) } : {}),
  };
  reqs.forEach((r, i) => {
    const outcome = r.outcome ?? 200;
    log.scheduledAt[i] = r.at;
    log.startedAt[i] = r.at;
    log.latencyMs[i] = outcome === OUTCOME_DROPPED ? NaN : (r.latency ?? 2);
    log.outcome[i] = typeof outcome === 'number' ? outcome : errorOutcome(outcome);
    if (r.pod) {
      if (!pods.includes(r.pod)) pods.push(r.pod);
      log.pod[i] = pods.indexOf(r.pod);
    }
  });
  return log;
}

/** The message of the ZDT_INVALID_OPTION `fn` throws; fails the test when it throws nothing or anything else. */
export function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(isZdtError(err, 'ZDT_INVALID_OPTION'), String(err)).to.equal(true);
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
}

export const ev = (t: number, kind: TimelineKind, subject: string, detail?: string): TimelineEvent =>
  detail === undefined ? { t, kind, subject } : { t, kind, subject, detail };

export const T0_WALL = Date.UTC(2025, 0, 2, 3, 4, 5, 0);

/**
 * A 10 s drain story at 100 req/s over three pods: web-b is evicted at 4.1 s and its endpoint
 * lingers, so 26 requests get ECONNREFUSED (4.200-4.450 s); a 503 burst follows at 7.000-7.050 s.
 */
export function drainStory(options: { failures?: boolean } = {}): { log: RequestLog; timeline: TimelineEvent[] } {
  const failures = options.failures ?? true;
  const pods = ['web-a', 'web-b', 'web-c'];
  const reqs: Req[] = [];
  for (let at = 1000; at < 11000; at += 10) {
    const n = reqs.length;
    let outcome: Req['outcome'] = 200;
    if (failures && at >= 4200 && at <= 4450) outcome = 'ECONNREFUSED';
    if (failures && at >= 7000 && at <= 7050) outcome = 503;
    reqs.push({ at, latency: 1 + (n % 10), outcome, pod: outcome === 200 ? pods[n % 3]! : '' });
  }
  const timeline = [
    ev(0, 'load-start', 'load'),
    ev(500, 'endpoint-ready', 'endpoint/web/10.244.1.2'),
    ev(501, 'endpoint-ready', 'endpoint/web/10.244.2.3'),
    ev(502, 'endpoint-ready', 'endpoint/web/10.244.3.4'),
    ev(4000, 'cordon', 'node/zdt-worker2'),
    ev(4100, 'eviction-accepted', 'pod/web-b'),
    ev(4120, 'pod-terminating', 'pod/web-b'),
    ev(4300, 'endpoint-not-ready', 'endpoint/web/10.244.2.3'),
    ev(4600, 'endpoint-removed', 'endpoint/web/10.244.2.3'),
    ev(5000, 'eviction-refused', 'pod/web-c', '429 Cannot evict pod as it would violate the pod\'s disruption budget.'),
    ev(6000, 'pod-ready', 'pod/web-d'),
    ev(6100, 'endpoint-ready', 'endpoint/web/10.244.1.9'),
    ev(6990, 'pod-not-ready', 'pod/web-a', 'zdt-worker'),
    ev(9800, 'pod-deleted', 'pod/web-b', 'zdt-worker2'),
    ev(11000, 'load-stop', 'load'),
  ];
  return { log: makeLog(reqs), timeline };
}
