import { CONNECTION_KINDS, OUTCOME_DROPPED, type ConnectionKind, type RequestLog } from '../load/types.ts';
import type { TimelineEvent, TimelineKind } from '../observe/events.ts';

/** The blind spot of one kind of connection (RequestLog.newConnection). */
export interface ConnectionResolution {
  readonly connection: ConnectionKind;
  readonly blindSpotMs: number;
}

/**
 * How short an outage the run could have missed. An outage that begins after one request
 * started and ends before the next one started meets no request, so the blind spot is the
 * longest stretch without a request start during the disruption: from the maintenance's first
 * event (cordon, drain, rollout, eviction, a pod terminating or a node fault; the load's start
 * when there is none) to the end of the load. An outage of new connections only (routing to a pod that quit)
 * meets only requests on new connections, so each kind of connection has its own.
 * Times are ms on the run clock.
 */
export interface Resolution {
  readonly startMs: number;
  readonly endMs: number;
  /** Longest stretch in [startMs, endMs] without a request start, over all requests. */
  readonly blindSpotMs: number;
  /** The same per kind of connection; empty when the log did not record it. */
  readonly connections: readonly ConnectionResolution[];
}

/** The events that begin the disruption a scenario causes. */
const DISRUPTION_KINDS: ReadonlySet<TimelineKind> = new Set(['cordon', 'drain-start', 'rollout-start', 'eviction-accepted', 'pod-terminating', 'node-fault']);

/**
 * When the maintenance window of a load [loadStartMs, loadEndMs] begins: the maintenance's
 * first event in the timeline, or the load's start when there is none in the load (a disruption
 * that began before the load counts from the load's start). The window ends with the load.
 */
export function maintenanceStart(timeline: readonly TimelineEvent[], loadStartMs: number, loadEndMs: number): number {
  let startMs = loadEndMs;
  for (const e of timeline) if (DISRUPTION_KINDS.has(e.kind) && e.t < startMs) startMs = e.t;
  if (startMs === loadEndMs) startMs = loadStartMs;
  return Math.max(startMs, loadStartMs);
}

/**
 * The run's Resolution over the load window [loadStartMs, loadEndMs]; null when no request was
 * sent in it. A disruption that began before the load counts from the load's start.
 */
export function resolutionOf(log: RequestLog, timeline: readonly TimelineEvent[], loadStartMs: number, loadEndMs: number): Resolution | null {
  const startMs = maintenanceStart(timeline, loadStartMs, loadEndMs);
  const endMs = loadEndMs;
  const starts: [number[], number[]] = [[], []];
  const all: number[] = [];
  for (let i = 0; i < log.count; i++) {
    const t = log.startedAt[i]!;
    if (log.outcome[i] === OUTCOME_DROPPED || t < startMs || t > endMs) continue;
    all.push(t);
    if (log.newConnection) starts[log.newConnection[i]!]!.push(t);
  }
  if (all.length === 0) return null;
  const connections = CONNECTION_KINDS.flatMap((connection, k) =>
    starts[k]!.length > 0 ? [{ connection, blindSpotMs: longestStretch(starts[k]!, startMs, endMs) }] : [],
  );
  return { startMs, endMs, blindSpotMs: longestStretch(all, startMs, endMs), connections: log.newConnection ? connections : [] };
}

/** Longest stretch between consecutive times, the window's edges included. */
function longestStretch(times: number[], startMs: number, endMs: number): number {
  times.sort((a, b) => a - b);
  let longest = 0;
  let previous = startMs;
  for (const t of times) {
    longest = Math.max(longest, t - previous);
    previous = t;
  }
  return Math.max(longest, endMs - previous);
}

/**
 * The run's resolution from its Services' own: an outage of one Service meets only that
 * Service's stream, so the run is only as fine as its coarsest stream, per kind of connection too.
 */
export function coarsest(resolutions: readonly (Resolution | null)[]): Resolution | null {
  const known = resolutions.filter((r): r is Resolution => r !== null);
  if (known.length === 0) return null;
  const kinds = CONNECTION_KINDS.flatMap((connection) => {
    const spots = known.flatMap((r) => r.connections.filter((c) => c.connection === connection).map((c) => c.blindSpotMs));
    return spots.length > 0 ? [{ connection, blindSpotMs: Math.max(...spots) }] : [];
  });
  return {
    startMs: Math.min(...known.map((r) => r.startMs)),
    endMs: Math.max(...known.map((r) => r.endMs)),
    blindSpotMs: Math.max(...known.map((r) => r.blindSpotMs)),
    connections: kinds,
  };
}
