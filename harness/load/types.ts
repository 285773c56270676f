import type { GeneratorHealth } from './health.ts';
import { DEFAULT_EXPECT_STATUS, isExpectedStatus, type ExpectedStatuses } from './status.ts';

/**
 * The load generator's output, one entry per scheduled request, in columns so a
 * 10-minute run at 1,000 req/s stays small. Times are ms on the run clock (harness/clock.ts).
 */
export interface RequestLog {
  readonly count: number;
  /** When the request was due (open model: the schedule, not when it could be sent). */
  readonly scheduledAt: Float64Array;
  /** When it was actually started (for a dropped request: when it was dropped); startedAt - scheduledAt is the generator's lag. */
  readonly startedAt: Float64Array;
  /** Time to complete (response fully read) or to fail; NaN for a dropped request. */
  readonly latencyMs: Float32Array;
  /** An HTTP status (100..599), an error outcome (>= 1000, see OUTCOME_ERRORS), or OUTCOME_DROPPED (never sent). */
  readonly outcome: Uint16Array;
  /** Index into `pods` of the pod that answered (0 = unknown / no answer). */
  readonly pod: Uint16Array;
  /**
   * 1 where the request went out on a connection opened for it (`connection: close`), 0 where it
   * went on a kept-alive one (see CONNECTION_MODES in pool.ts). Absent in a log built by hand.
   */
  readonly newConnection?: Uint8Array;
  /**
   * The client-side TCP port each request's connection had (0: no connection was established, or
   * not recorded). With the entry node's connection tracking it tells which pod the connection was
   * routed to (harness/observe/conntrack.ts). Absent in a log built by hand.
   */
  readonly localPort?: Uint16Array;
  /**
   * Index into `pods` of the pod the cluster routed the request's connection to, by its
   * connection tracking (harness/verdict/routing.ts); 0 = not known. Unlike `pod`, it needs no
   * header from the app and is known for failed requests too.
   */
  readonly routedTo?: Uint16Array;
  /**
   * 1 where the request failed on a connection that had already carried a complete response,
   * before any response header came back (see Completion in pool.ts). Absent in a log built by hand.
   */
  readonly reusedUnanswered?: Uint8Array;
  /** pods[0] is '' (unknown). */
  readonly pods: readonly string[];
  /**
   * A starved generator, not a failure of the service: lateStarts were sent, but later than the
   * late-start bound after their schedule; dropped were never sent because the in-flight cap was
   * reached (their outcome is OUTCOME_DROPPED). A verdict should call a run with either
   * inconclusive rather than pass or fail it on those requests.
   */
  readonly lateStarts: number;
  readonly dropped: number;
  /** How the generator's process fared (event-loop delay, CPU): why it fell behind, when it did. Absent in a log built by hand. */
  readonly generator?: GeneratorHealth;
  /**
   * The statuses the run expected (LoadOptions.expectStatus); any other status is a failure.
   * startLoad always sets it; a log built by hand without it is judged by the same default as
   * startLoad's, 200-399, so one log never gets two verdicts depending on who made it.
   */
  readonly expectStatus?: ExpectedStatuses;
}

/** The kinds of connection a request can go out on, indexed by RequestLog.newConnection (0 kept-alive, 1 new). */
export const CONNECTION_KINDS = ['keep-alive', 'new'] as const;
export type ConnectionKind = (typeof CONNECTION_KINDS)[number];

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
  // The generator's own machine ran out of local ports or file descriptors.
  'EADDRNOTAVAIL',
  'EMFILE',
  // The connection ended before the body its content-length announced (undici's code when it closes a 'new' connection).
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  // The answer was not HTTP (llhttp rejected it).
  'HTTP_PARSE',
  // TLS handshake or certificate verification failed (self-signed certificate without `insecure`, plain HTTP on the port...).
  'TLS',
] as const;
export type OutcomeError = (typeof OUTCOME_ERRORS)[number];

export const ERROR_OUTCOME_BASE = 1000;

/** Outcome of a request the generator dropped (in-flight cap reached): not sent, so neither ok nor failed. */
export const OUTCOME_DROPPED = 0;

export function errorOutcome(code: OutcomeError): number {
  return ERROR_OUTCOME_BASE + OUTCOME_ERRORS.indexOf(code);
}

/** "200", "503", "ECONNRESET", "DROPPED"... for reports. */
export function outcomeLabel(outcome: number): string {
  if (outcome === OUTCOME_DROPPED) return 'DROPPED';
  return outcome >= ERROR_OUTCOME_BASE ? (OUTCOME_ERRORS[outcome - ERROR_OUTCOME_BASE] ?? 'OTHER') : String(outcome);
}

/**
 * A request failed when it errored or answered a status outside `expected`. A dropped request
 * was never sent, so it is neither.
 */
export function isFailure(outcome: number, expected: ExpectedStatuses): boolean {
  if (outcome === OUTCOME_DROPPED) return false;
  return outcome >= ERROR_OUTCOME_BASE || !isExpectedStatus(outcome, expected);
}

/** The statuses a log is judged by: its own, else the default 200-399 (see RequestLog.expectStatus). */
export function expectationOf(log: RequestLog): ExpectedStatuses {
  return log.expectStatus ?? DEFAULT_EXPECT_STATUS;
}

/** isFailure for request `i` of `log`, by the log's own expected statuses. */
export function failedAt(log: RequestLog, i: number): boolean {
  return isFailure(log.outcome[i]!, expectationOf(log));
}
