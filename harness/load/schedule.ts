/**
 * An arrival rate that changes over time, as k6's ramping-arrival-rate executor defines one:
 * from `startRate`, each stage moves the rate linearly to its `target` over its duration. A
 * zdt run lasts as long as its maintenance, not as the stages, so after the last stage its
 * target holds until the load is stopped.
 */
export interface RateSchedule {
  /** Requests per second at the start. */
  readonly startRate: number;
  readonly stages: readonly RateStage[];
}

export interface RateStage {
  /** ms; 0 jumps to `target` at once. */
  readonly durationMs: number;
  /** Requests per second at the stage's end. */
  readonly target: number;
}

/** The first bad field of a schedule as [field, value, rule], or undefined when it is sound. */
export function scheduleProblem(schedule: RateSchedule): [field: string, value: unknown, rule: string] | undefined {
  const rate = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  if (typeof schedule !== 'object' || schedule === null) return ['', schedule, 'must be { startRate, stages }'];
  if (!rate(schedule.startRate)) return ['startRate', schedule.startRate, 'must be a finite number of requests per second >= 0'];
  if (!Array.isArray(schedule.stages)) return ['stages', schedule.stages, 'must be an array of { durationMs, target }'];
  for (const [i, stage] of schedule.stages.entries()) {
    if (!rate(stage?.durationMs)) return [`stages[${i}].durationMs`, stage?.durationMs, 'must be a finite number of ms >= 0'];
    if (!rate(stage.target)) return [`stages[${i}].target`, stage.target, 'must be a finite number of requests per second >= 0'];
  }
  const last = finalRate(schedule);
  // The last rate holds for the rest of the run: 0 would leave the maintenance without load.
  if (!(last > 0)) return [schedule.stages.length > 0 ? `stages[${schedule.stages.length - 1}].target` : 'startRate', last, 'must be > 0: the last rate holds until the load stops'];
  return undefined;
}

/** The rate after the last stage, req/s. */
export function finalRate(schedule: RateSchedule): number {
  return schedule.stages.at(-1)?.target ?? schedule.startRate;
}

/** The highest rate the schedule reaches, req/s (stages are linear, so it is at an end of one). */
export function peakRate(schedule: RateSchedule): number {
  return Math.max(schedule.startRate, ...schedule.stages.map((s) => s.target));
}

/**
 * A stretch of the schedule with a linear rate: `rate0 + 2·halfSlope·t` requests per ms, t ms
 * after `startMs`, so `rate0·t + halfSlope·t²` requests arrive in its first t ms.
 */
interface Segment {
  readonly startMs: number;
  /** Requests due before the segment (fractional). */
  readonly startCount: number;
  /** Requests due within it; Infinity for the last rate, which holds forever. */
  readonly count: number;
  readonly durationMs: number;
  /** Requests per ms at its start. */
  readonly rate0: number;
  /** Half the rate's change per ms, per ms. */
  readonly halfSlope: number;
}

function segmentsOf(schedule: RateSchedule): Segment[] {
  const segments: Segment[] = [];
  let startMs = 0;
  let startCount = 0;
  let rate = schedule.startRate;
  for (const { durationMs, target } of schedule.stages) {
    // A zero-length stage is a jump: no request is due within it.
    if (durationMs > 0) {
      const count = ((rate + target) / 2) * (durationMs / 1000);
      segments.push({ startMs, startCount, count, durationMs, rate0: rate / 1000, halfSlope: (target - rate) / (2 * durationMs * 1000) });
      startCount += count;
    }
    startMs += durationMs;
    rate = target;
  }
  segments.push({ startMs, startCount, count: Infinity, durationMs: Infinity, rate0: rate / 1000, halfSlope: 0 });
  return segments;
}

/** Requests due in the schedule's first `ms` (fractional): the integral of its rate. */
export function arrivalsBy(schedule: RateSchedule, ms: number): number {
  let total = 0;
  for (const s of segmentsOf(schedule)) {
    if (ms <= s.startMs) break;
    const t = Math.min(ms - s.startMs, s.durationMs);
    total = s.startCount + s.rate0 * t + s.halfSlope * t * t;
  }
  return total;
}

/**
 * When each request of a schedule is due: request n when n requests' worth of the rate has
 * passed (request 0 at the start), as k6's arrival-rate executors space iterations. Walks the
 * stages forward, so each call is O(1) and allocates nothing; n must not decrease.
 */
export class ArrivalCursor {
  readonly #segments: readonly Segment[];
  #index = 0;

  constructor(schedule: RateSchedule) {
    this.#segments = segmentsOf(schedule);
  }

  /** ms after the schedule's start at which request `n` is due. */
  offsetOf(n: number): number {
    let s = this.#segments[this.#index]!;
    while (n - s.startCount >= s.count) s = this.#segments[++this.#index]!;
    const k = n - s.startCount;
    // At rate 0 the root below is 0/0.
    if (k === 0) return s.startMs;
    // The positive root of halfSlope·t² + rate0·t = k, in the form that stays exact as halfSlope nears 0.
    return s.startMs + (2 * k) / (s.rate0 + Math.sqrt(Math.max(0, s.rate0 * s.rate0 + 4 * s.halfSlope * k)));
  }
}
