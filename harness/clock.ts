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
  const base = performance.now();
  const t0Wall = Date.now();
  return {
    now: () => performance.now() - base,
    t0Wall,
    wall: (offsetMs) => t0Wall + offsetMs,
  };
}
