import { ErrorCode, ZdtError } from './errors.ts';

/** Resolves after `ms`, or rejects with ZDT_ABORTED as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortError(signal: AbortSignal): ZdtError {
  return new ZdtError(ErrorCode.Aborted, 'operation aborted', { cause: signal.reason });
}

export interface PollOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  readonly signal?: AbortSignal;
  /** What is being waited for, for the timeout message ("deployment web to be available"). */
  readonly what: string;
}

/**
 * Polls `check` until it returns a value other than undefined. On timeout, rejects with
 * ZDT_TIMEOUT whose message ends with the last reason `check` reported through `why`.
 */
export async function poll<T>(
  check: (why: (reason: string) => void) => Promise<T | undefined>,
  { timeoutMs, intervalMs = 500, signal, what }: PollOptions,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last = '';
  const why = (reason: string) => {
    last = reason;
  };
  for (;;) {
    if (signal?.aborted) throw abortError(signal);
    const value = await check(why);
    if (value !== undefined) return value;
    const left = deadline - performance.now();
    if (left <= 0) {
      throw new ZdtError(ErrorCode.Timeout, `timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}${last ? `: ${last}` : ''}`, {
        details: { what, lastReason: last, timeoutMs },
      });
    }
    await sleep(Math.min(intervalMs, left), signal);
  }
}
