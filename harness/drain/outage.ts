/**
 * A drain outlives an API server that goes away for a while: calls that got no answer (or the 429
 * or 5xx of a server that is busy, restarting or without etcd) are retried until the drain's own
 * deadline, the way kubectl's client retries transient errors. An answer that refuses the
 * request (an eviction's 429 PDB or multi-PDB 500, a 404, a 403) is not transient and keeps its
 * own handling.
 */
import { ErrorCode, ZdtError, isZdtError } from '../errors.ts';
import { gapDuration, type TimelineSink } from '../observe/events.ts';
import { sleep } from '../wait.ts';

/** System errors of a request that reached no API server (harness/kube/client.ts puts them in details.code). */
const NO_ANSWER = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ERR_STREAM_PREMATURE_CLOSE']);
/**
 * What a server answers when it cannot take a request now: throttled (429, which client-go
 * retries too), restarting or without etcd (5xx). None refuses the request on its merits; the
 * eviction's own 429 (PDB) and 500 (several PDBs) are told apart by evictPod before this.
 */
const NOT_NOW = new Set([429, 500, 502, 503, 504]);
/**
 * A kube-apiserver serves requests before its RBAC informers have synced, and until then denies
 * what RBAC would allow (403). For this long after an outage a 403 is taken for that, not for a
 * refusal; a real one still fails the drain once the window has passed.
 */
const AUTHORIZER_WARMUP_MS = 10_000;

function cannotAnswerNow(err: unknown): err is ZdtError {
  if (!isZdtError(err, ErrorCode.KubeApi)) return false;
  const { status, code } = err.details;
  return typeof status === 'number' ? NOT_NOW.has(status) : typeof code === 'string' && NO_ANSWER.has(code);
}

/**
 * One drain's view of the API server: an 'api-unreachable' event when its calls first fail
 * transiently, an 'api-reachable' one when a call is answered again (refusals are answers too).
 */
export class ApiOutage {
  #since: number | undefined;
  #endedAt = -Infinity;

  constructor(
    private readonly sink: TimelineSink | undefined,
    private readonly subject: string,
    /** Pause between retries of a transient failure. */
    readonly retryMs: number,
  ) {}

  /** True when `err` says no server could answer the request yet, so it is worth retrying. */
  transient(err: unknown): err is ZdtError {
    if (cannotAnswerNow(err)) return true;
    const warmingUp = this.#since !== undefined || performance.now() - this.#endedAt < AUTHORIZER_WARMUP_MS;
    return warmingUp && isZdtError(err, ErrorCode.KubeApi) && err.details.status === 403;
  }

  failed(err: ZdtError): void {
    if (this.#since !== undefined) return;
    this.#since = performance.now();
    this.sink?.record('api-unreachable', this.subject, `${err.message} (retrying until the drain's deadline)`);
  }

  answered(): void {
    if (this.#since === undefined) return;
    this.#endedAt = performance.now();
    this.sink?.record('api-reachable', this.subject, `answered again after ${gapDuration(this.#endedAt - this.#since)}`);
    this.#since = undefined;
  }
}

/**
 * `call`, retried every outage.retryMs while it fails transiently, until `signal` aborts (then
 * ZDT_ABORTED naming the last failure). Without an outage to report to, `call` runs once.
 */
export async function retryTransient<T>(call: () => Promise<T>, outage: ApiOutage | undefined, signal?: AbortSignal): Promise<T> {
  for (;;) {
    let failure: ZdtError;
    try {
      const value = await call();
      outage?.answered();
      return value;
    } catch (err) {
      if (!outage?.transient(err)) {
        if (isZdtError(err, ErrorCode.KubeApi) && typeof err.details.status === 'number') outage?.answered();
        throw err;
      }
      outage.failed(err);
      failure = err;
    }
    try {
      await sleep(outage.retryMs, signal);
    } catch (aborted) {
      throw new ZdtError(ErrorCode.Aborted, `aborted while the API server was unreachable: ${failure.message}`, { cause: aborted });
    }
  }
}
