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
  return performance.timeOrigin + performance.now() - clock.now();
}

/** The clock whose t0 is `origin` (see clockOrigin) and whose wall time at t0 is `t0Wall` (epoch ms). */
export function clockAt(origin: number, t0Wall: number): Clock {
  return {
    now: () => performance.timeOrigin + performance.now() - origin,
    t0Wall,
    wall: (offsetMs) => t0Wall + offsetMs,
  };
}
