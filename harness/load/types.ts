/**
 * The load generator's output, one entry per scheduled request, in columns so a
 * 10-minute run at 1,000 req/s stays small. Times are ms on the run clock (harness/clock.ts).
 */
export interface RequestLog {
  readonly count: number;
  /** When the request was due (open model: the schedule, not when it could be sent). */
  readonly scheduledAt: Float64Array;
  /** When it was actually started; startedAt - scheduledAt is the generator's lag. */
  readonly startedAt: Float64Array;
  /** Time to complete (response fully read) or to fail. */
  readonly latencyMs: Float32Array;
  /** An HTTP status (100..599) or an error outcome (>= 1000, see OUTCOME_ERRORS). */
  readonly outcome: Uint16Array;
  /** Index into `pods` of the pod that answered (0 = unknown / no answer). */
  readonly pod: Uint16Array;
  /** pods[0] is '' (unknown). */
  readonly pods: readonly string[];
  /** Requests that could not start within the late-start bound, or were dropped: a starved generator, not a failure of the service. */
  readonly lateStarts: number;
  readonly dropped: number;
}

/** Error outcomes, encoded as 1000 + index. The order is stable: reports store the codes. */
export const OUTCOME_ERRORS = [
  'ECONNREFUSED',
  'ECONNRESET',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'TIMEOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'OTHER',
] as const;
export type OutcomeError = (typeof OUTCOME_ERRORS)[number];

export const ERROR_OUTCOME_BASE = 1000;

export function errorOutcome(code: OutcomeError): number {
  return ERROR_OUTCOME_BASE + OUTCOME_ERRORS.indexOf(code);
}

/** "200", "503", "ECONNRESET"... for reports. */
export function outcomeLabel(outcome: number): string {
  return outcome >= ERROR_OUTCOME_BASE ? (OUTCOME_ERRORS[outcome - ERROR_OUTCOME_BASE] ?? 'OTHER') : String(outcome);
}

/** A request failed when it errored or answered 5xx; a 4xx is the application's own answer. */
export function isFailure(outcome: number): boolean {
  return outcome >= 500;
}
