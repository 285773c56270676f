import { failedAt, outcomeLabel, type RequestLog } from '../load/types.ts';
import type { TimelineEvent } from '../observe/events.ts';
import { requireCount, requireNonNegative, requirePositive } from './options.ts';
import { increment, ranked } from './counts.ts';

export interface BurstOptions {
  /** Failures started less than this apart belong to one burst (ms). */
  readonly gapMs?: number;
  /** Timeline events this long before a burst's first failure are candidates for its cause (ms). */
  readonly beforeMs?: number;
  /** ...and this long after its last failure (ms). */
  readonly afterMs?: number;
  /** At most this many nearby events are kept per burst, shared between before and after its first failure. */
  readonly maxEvents?: number;
}

export type ResolvedBurstOptions = Required<BurstOptions>;

export interface NearbyEvent extends TimelineEvent {
  /** event.t - burst.startMs: negative when the event came before the first failure. */
  readonly offsetMs: number;
  readonly position: 'before' | 'during' | 'after';
}

/** A count per label as a list: an object would reorder numeric labels such as "503". */
export interface LabelCount {
  readonly label: string;
  readonly count: number;
}

export interface Burst {
  /** startedAt of the first and last failed request in the burst (ms on the run clock). */
  readonly startMs: number;
  readonly endMs: number;
  readonly count: number;
  /** Failures by outcome label ("ECONNREFUSED", "503"), most frequent first. */
  readonly outcomes: readonly LabelCount[];
  /** Timeline events around the burst: alternately the nearest before its first failure and from it onwards. */
  readonly events: readonly NearbyEvent[];
}

export function resolveBurstOptions(options: BurstOptions = {}): ResolvedBurstOptions {
  const resolved: ResolvedBurstOptions = {
    gapMs: options.gapMs ?? 250,
    beforeMs: options.beforeMs ?? 5000,
    afterMs: options.afterMs ?? 1000,
    maxEvents: options.maxEvents ?? 8,
  };
  requirePositive('gapMs', resolved.gapMs);
  requireNonNegative('beforeMs', resolved.beforeMs);
  requireNonNegative('afterMs', resolved.afterMs);
  requireCount('maxEvents', resolved.maxEvents);
  return resolved;
}

/**
 * Groups failed requests into bursts by their start time (when the request met the broken
 * path; a timeout completes long after its cause) and attaches the timeline events around each.
 */
export function findBursts(log: RequestLog, timeline: readonly TimelineEvent[], options: BurstOptions = {}): Burst[] {
  const opts = resolveBurstOptions(options);
  const failures: number[] = [];
  for (let i = 0; i < log.count; i++) if (failedAt(log, i)) failures.push(i);
  failures.sort((a, b) => log.startedAt[a]! - log.startedAt[b]!);

  const bursts: Burst[] = [];
  let members: number[] = [];
  const close = () => {
    if (members.length > 0) bursts.push(makeBurst(log, members, timeline, opts));
    members = [];
  };
  for (const i of failures) {
    const last = members.at(-1);
    if (last !== undefined && log.startedAt[i]! - log.startedAt[last]! >= opts.gapMs) close();
    members.push(i);
  }
  close();
  return bursts;
}

function makeBurst(log: RequestLog, members: readonly number[], timeline: readonly TimelineEvent[], opts: ResolvedBurstOptions): Burst {
  const startMs = log.startedAt[members[0]!]!;
  const endMs = log.startedAt[members.at(-1)!]!;
  const counts = new Map<string, number>();
  for (const i of members) increment(counts, outcomeLabel(log.outcome[i]!));
  return { startMs, endMs, count: members.length, outcomes: countsOf(counts), events: nearbyEvents(timeline, startMs, endMs, opts) };
}

/**
 * Events within [start - beforeMs, end + afterMs], taken alternately from before the first
 * failure and from it onwards, each side nearest first. Both sides get room: a long burst holds
 * many effects (pods deleted, replacements ready) that must not crowd out the eviction that
 * caused it, and a busy drain must not crowd out what happened during the burst.
 */
export function nearbyEvents(
  timeline: readonly TimelineEvent[],
  startMs: number,
  endMs: number,
  opts: Pick<ResolvedBurstOptions, 'beforeMs' | 'afterMs' | 'maxEvents'>,
): NearbyEvent[] {
  const inWindow = timeline.filter((e) => e.t >= startMs - opts.beforeMs && e.t <= endMs + opts.afterMs);
  const before = inWindow.filter((e) => e.t < startMs).sort((a, b) => b.t - a.t);
  const onwards = inWindow.filter((e) => e.t >= startMs).sort((a, b) => a.t - b.t);
  const picked: TimelineEvent[] = [];
  for (let i = 0; picked.length < opts.maxEvents && (i < before.length || i < onwards.length); i++) {
    for (const e of [before[i], onwards[i]]) if (e && picked.length < opts.maxEvents) picked.push(e);
  }
  return picked.map((e) => ({ ...e, offsetMs: e.t - startMs, position: e.t < startMs ? 'before' : e.t > endMs ? 'after' : 'during' }));
}

/** Counts by label, in `ranked` order. */
export function countsOf(counts: ReadonlyMap<string, number>): LabelCount[] {
  return ranked(counts).map(([label, count]) => ({ label, count }));
}
