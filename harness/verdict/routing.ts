import { ERROR_OUTCOME_BASE, OUTCOME_DROPPED, OUTCOME_ERRORS, type OutcomeError, type RequestLog } from '../load/types.ts';
import type { ConntrackNew } from '../observe/conntrack.ts';
import { parseEndpointSubject, type TimelineEvent } from '../observe/events.ts';
import { percentileOf } from './thresholds.ts';

/**
 * How far a connection-tracking event may come after the request it opened completed, on the
 * run clock: conntrack stamps an event when it reads it, and the run clock (performance.now)
 * and the wall clock may drift apart by a few ms over a run.
 */
export const MATCH_SLACK_MS = 50;

export interface RouteOptions {
  /** The NodePort the log's requests went to (ConntrackNew.dport). */
  readonly nodePort: number;
  /** Epoch ms to the run clock (Clock.t0Wall subtracted). */
  readonly wallToRun: (wallMs: number) => number;
  /** A pod IP's pod name (podsByAddress), else the IP stands for the pod. */
  readonly podOf: (address: string) => string | undefined;
}

/** Outcomes of a connect that never completed: the client never learnt its local port. */
const CONNECT_FAILURES: ReadonlySet<number> = new Set(
  (['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ETIMEDOUT'] satisfies OutcomeError[]).map((c) => ERROR_OUTCOME_BASE + OUTCOME_ERRORS.indexOf(c)),
);

/**
 * The log with `routedTo`: for each request that went out on a connection (localPort > 0), the
 * backend of the latest new connection from that local port to `nodePort` that conntrack saw by
 * the time the request completed (a kept-alive connection was opened long before; a new one
 * during the request). A connect that failed (refused, timed out) has no local port: it gets
 * the earliest connection no request claimed that conntrack saw while it was under way; its SYN
 * made one. Names go into the log's `pods` table, the same one X-Pod-Name fills, so both can be
 * compared by index.
 */
export function routeRequests(log: RequestLog, events: readonly ConntrackNew[], o: RouteOptions): RequestLog {
  if (!log.localPort) return log;
  type Opened = { t: number; backend: string; claimed: boolean };
  const opened: Opened[] = [];
  const byPort = new Map<number, Opened[]>();
  for (const e of events) {
    if (e.dport !== o.nodePort) continue;
    let list = byPort.get(e.sport);
    if (!list) byPort.set(e.sport, (list = []));
    const open = { t: o.wallToRun(e.wallMs), backend: e.backend, claimed: false };
    list.push(open);
    opened.push(open);
  }
  opened.sort((a, b) => a.t - b.t);
  for (const list of byPort.values()) list.sort((a, b) => a.t - b.t);
  const pods = [...log.pods];
  const index = new Map(pods.map((name, i) => [name, i]));
  const intern = (name: string) => {
    let i = index.get(name);
    if (i === undefined) index.set(name, (i = pods.push(name) - 1));
    return i;
  };
  const routedTo = new Uint16Array(log.count);
  const unported: number[] = [];
  for (let i = 0; i < log.count; i++) {
    if (log.localPort[i] === 0) {
      if (CONNECT_FAILURES.has(log.outcome[i]!)) unported.push(i);
      continue;
    }
    const list = byPort.get(log.localPort[i]!);
    if (!list) continue;
    const by = log.startedAt[i]! + (Number.isFinite(log.latencyMs[i]) ? log.latencyMs[i]! : 0) + MATCH_SLACK_MS;
    let lo = 0;
    let hi = list.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.t <= by) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) continue;
    list[found]!.claimed = true;
    const backend = list[found]!.backend;
    routedTo[i] = intern(o.podOf(backend) ?? backend);
  }
  const unclaimed = opened.filter((e) => !e.claimed);
  let next = 0;
  for (const i of unported.sort((a, b) => log.startedAt[a]! - log.startedAt[b]!)) {
    const from = log.startedAt[i]! - MATCH_SLACK_MS;
    const by = log.startedAt[i]! + log.latencyMs[i]! + MATCH_SLACK_MS;
    while (next < unclaimed.length && unclaimed[next]!.t < from) next++;
    const e = unclaimed[next];
    if (!e || e.t > by) continue;
    next++;
    routedTo[i] = intern(o.podOf(e.backend) ?? e.backend);
  }
  return { ...log, pods, routedTo };
}

/** Pod IP to pod name, from the watcher's endpoint events (subjects by endpointSubject, detail starting with the pod's name). */
export function podsByAddress(timeline: readonly TimelineEvent[]): Map<string, string> {
  const pods = new Map<string, string>();
  for (const e of timeline) {
    if (e.kind !== 'endpoint-ready' && e.kind !== 'endpoint-not-ready') continue;
    const endpoint = parseEndpointSubject(e.subject);
    const pod = e.detail?.split(' ')[0];
    if (endpoint && pod) pods.set(endpoint.address, pod);
  }
  return pods;
}

/** How a run knew which pod served each request, and how far that knowledge reaches. */
export interface RoutingSummary {
  /** 'conntrack' (the entry node's connection tracking) or 'header' (the app's own response header only). */
  readonly method: 'conntrack' | 'header';
  /** The node whose connection tracking was read. */
  readonly node?: string;
  /** Requests sent (not dropped by the generator). */
  readonly sent: number;
  /** Requests attributed to a pod: from the cluster's side (conntrack), or by the pod header. */
  readonly attributed: number;
  /** With conntrack: requests both attributed and answered with the pod header, compared. */
  readonly compared: number;
  /** Of the compared ones, where both name the same pod. */
  readonly agreed: number;
}

/** Counts for RoutingSummary from a log routeRequests filled. */
export function summarizeRouting(log: RequestLog, source: { readonly method: RoutingSummary['method']; readonly node?: string }): RoutingSummary {
  let sent = 0;
  let attributed = 0;
  let compared = 0;
  let agreed = 0;
  for (let i = 0; i < log.count; i++) {
    if (log.outcome[i] !== OUTCOME_DROPPED) sent++;
    const routed = source.method === 'header' ? log.pod[i]! : (log.routedTo?.[i] ?? 0);
    if (routed === 0) continue;
    attributed++;
    if (source.method === 'header' || log.pod[i]! === 0) continue;
    compared++;
    if (log.pod[i] === routed) agreed++;
  }
  return { ...source, sent, attributed, compared, agreed };
}

/** One pod taken out of rotation during the run, and the new connections still routed to it after. */
export interface PodLag {
  readonly pod: string;
  /**
   * When it left rotation (run clock, ms): its endpoint, ready before, stopped being ready or left
   * the EndpointSlice while another endpoint of its Service was ready. Until then kube-proxy
   * rightly keeps sending to a terminating endpoint (it falls back to them when none is ready).
   */
  readonly outAtMs: number;
  /** The last new connection conntrack routed to it after that, or null when none was. */
  readonly lastNewMs: number | null;
  /** lastNewMs - outAtMs, 0 when no new connection came after. */
  readonly lagMs: number;
}

/**
 * Measured propagation lag: how long after a pod's endpoint left rotation new connections still
 * went to it (kube-proxy had not yet synced the change). What the preStop delay must outlast
 * (part 3 of the series: "delaying shutdown until endpoint removal has propagated").
 */
export interface PropagationLag {
  readonly pods: readonly PodLag[];
  readonly p50Ms: number;
  readonly maxMs: number;
  /** The shortest preStop delay among the serving containers, when they set one (ms). */
  readonly preStopDelayMs?: number;
  /** preStopDelayMs - maxMs: what the delay leaves to spare (negative: too short). */
  readonly marginMs?: number;
}

/** When each endpoint that was ready left rotation (see PodLag.outAtMs), by address, from the watcher's endpoint events. */
export function outOfRotation(timeline: readonly TimelineEvent[]): Map<string, number> {
  const ready = new Map<string, Map<string, boolean>>();
  const waiting = new Map<string, string>();
  const out = new Map<string, number>();
  const anyReady = (service: string) => [...(ready.get(service)?.values() ?? [])].some(Boolean);
  for (const e of timeline) {
    const endpoint = e.kind.startsWith('endpoint-') ? parseEndpointSubject(e.subject) : undefined;
    if (!endpoint) continue;
    const { service, address } = endpoint;
    let endpoints = ready.get(service);
    if (!endpoints) ready.set(service, (endpoints = new Map()));
    const was = endpoints.get(address) ?? false;
    if (e.kind === 'endpoint-ready') {
      endpoints.set(address, true);
      waiting.delete(address);
    } else {
      if (e.kind === 'endpoint-removed') endpoints.delete(address);
      else endpoints.set(address, false);
      if (was && !out.has(address)) waiting.set(address, service);
    }
    for (const [a, s] of waiting) {
      if (!anyReady(s)) continue;
      out.set(a, e.t);
      waiting.delete(a);
    }
  }
  return out;
}

/**
 * Lag per pod whose endpoint left rotation (outOfRotation) while conntrack watched. Null when
 * none did.
 */
export function propagationLag(
  timeline: readonly TimelineEvent[],
  events: readonly ConntrackNew[],
  o: { readonly wallToRun: (wallMs: number) => number; readonly nodePorts: readonly number[]; readonly preStopDelayMs?: number },
): PropagationLag | null {
  const out = outOfRotation(timeline);
  if (out.size === 0) return null;
  const pods = podsByAddress(timeline);
  const ports = new Set(o.nodePorts);
  const lastNew = new Map<string, number>();
  for (const e of events) {
    if (!ports.has(e.dport)) continue;
    const t = o.wallToRun(e.wallMs);
    if (t > (lastNew.get(e.backend) ?? -Infinity)) lastNew.set(e.backend, t);
  }
  const lags = [...out].map(([address, outAtMs]): PodLag => {
    const last = lastNew.get(address);
    const lastNewMs = last !== undefined && last > outAtMs ? last : null;
    return { pod: pods.get(address) ?? address, outAtMs, lastNewMs, lagMs: lastNewMs === null ? 0 : lastNewMs - outAtMs };
  });
  const sorted = lags.map((l) => l.lagMs).sort((a, b) => a - b);
  const maxMs = sorted.at(-1)!;
  return {
    pods: lags,
    p50Ms: percentileOf(sorted, 50),
    maxMs,
    ...(o.preStopDelayMs === undefined ? {} : { preStopDelayMs: o.preStopDelayMs, marginMs: o.preStopDelayMs - maxMs }),
  };
}
