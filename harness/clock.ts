import { ErrorCode, ZdtError } from './errors.ts';

/**
 * One monotonic clock per run. Load records and timeline events are both stamped in
 * milliseconds since `t0`, so a failure burst and a cordon can be compared directly.
 */
export interface Clock {
  /** Milliseconds since t0 (monotonic, sub-millisecond resolution). */
  now(): number;
  /** Wall time (epoch ms) at t0. */
  readonly t0Wall: number;
  /** Wall time (epoch ms) of an offset on this clock. */
  wall(offsetMs: number): number;
}

export function createClock(): Clock {
  return clockAt(performance.timeOrigin + performance.now(), Date.now());
}

/**
 * A clock's t0 as performance.timeOrigin + performance.now(): the same instant, as the same
 * number, on every thread of the process, so a worker can rebuild the clock with clockAt.
 * `clock` must advance with performance.now(), as createClock's does.
 */
export function clockOrigin(clock: Clock): number {
  // Measured, a preemption between the two readings below would shift it (12.5 ms seen in a unit
  // run on a busy machine): a clock made here knows its origin exactly.
  return ORIGINS.get(clock) ?? performance.timeOrigin + performance.now() - clock.now();
}

const ORIGINS = new WeakMap<Clock, number>();

/** The clock whose t0 is `origin` (see clockOrigin) and whose wall time at t0 is `t0Wall` (epoch ms). */
export function clockAt(origin: number, t0Wall: number): Clock {
  const clock: Clock = {
    now: () => performance.timeOrigin + performance.now() - origin,
    t0Wall,
    wall: (offsetMs) => t0Wall + offsetMs,
  };
  ORIGINS.set(clock, origin);
  return clock;
}

/** Another machine's clock against this one's, from round trips (see estimateClockOffset). */
export interface ClockOffset {
  /** The other clock minus this one, ms. */
  readonly offsetMs: number;
  /** Half the round trip the estimate came from, ms: the true offset lies within offsetMs ± this. */
  readonly uncertaintyMs: number;
  readonly samples: number;
}

/** One round trip: this machine's time when asking and when the answer came, and the other clock's time in the answer (all epoch ms). */
export interface ClockSample {
  readonly sentAt: number;
  readonly remoteAt: number;
  readonly receivedAt: number;
}

/**
 * NTP's estimate (RFC 5905, on-wire protocol): the other clock read at the midpoint of a round
 * trip, from the sample with the shortest round trip, whose asymmetry can err the least.
 * Throws ZDT_INVALID_OPTION without samples.
 */
export function estimateClockOffset(samples: readonly ClockSample[]): ClockOffset {
  const best = [...samples].sort((a, b) => a.receivedAt - a.sentAt - (b.receivedAt - b.sentAt))[0];
  if (!best) throw new ZdtError(ErrorCode.InvalidOption, 'no round trips to estimate a clock offset from', { details: { option: 'samples', value: 0 } });
  return { offsetMs: best.remoteAt - (best.sentAt + best.receivedAt) / 2, uncertaintyMs: (best.receivedAt - best.sentAt) / 2, samples: samples.length };
}
