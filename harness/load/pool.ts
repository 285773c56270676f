import { Pool, type Dispatcher } from 'undici';

/**
 * The only place that creates undici dispatchers, so the no-retry guarantee is checked in one
 * file: a plain Pool never retries a request it has written (RetryAgent and the retry
 * interceptor are opt-in and not used). The one thing undici does re-send is a request that
 * was queued on a connection and never written, which is not a retry the server could see.
 */

export type ConnectionMode = 'keep-alive' | 'new';

export interface PoolOptions {
  /** "http://127.0.0.1:30080"; the loop validated it. */
  readonly origin: string;
  /** Path and query sent with every GET. */
  readonly path: string;
  /** 'keep-alive' reuses connections (where idle-connection shutdown bugs show); 'new' sends `connection: close` and opens one per request. */
  readonly connection: ConnectionMode;
  readonly connectTimeoutMs: number;
  /** From request written to response headers complete. undici checks both this and the body timeout on a coarse clock: they fire up to ~1 s late. */
  readonly headersTimeoutMs: number;
  /** Longest silence between body chunks. */
  readonly bodyTimeoutMs: number;
  /** Upper bound on open connections; the loop's in-flight cap, so requests never queue inside undici unseen. */
  readonly maxConnections: number;
  /** Lower-case name of the response header to report (the pod name). */
  readonly captureHeader: string;
}

/**
 * Called exactly once per `get`. `status` is 0 when no response was complete; `header` is the
 * captured header when headers arrived (also when the body then failed); `error` is undici's or
 * Node's error object, for classify().
 */
export type Completion = (id: number, status: number, header: string | undefined, error: Error | undefined) => void;

export interface HttpPool {
  /** Starts one GET; its outcome arrives through `done` with the same `id`. */
  get(id: number, done: Completion): void;
  /** Waits for requests already started, then closes all connections. */
  close(): Promise<void>;
}

export function createPool(options: PoolOptions): HttpPool {
  const pool = new Pool(options.origin, {
    connections: options.maxConnections,
    pipelining: 1,
    connect: { timeout: options.connectTimeoutMs },
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
  });
  const request: Dispatcher.DispatchOptions = {
    path: options.path,
    method: 'GET',
    reset: options.connection === 'new',
  };
  return {
    get(id, done) {
      pool.dispatch(request, new GetHandler(id, done, options.captureHeader));
    },
    close: () => pool.close(),
  };
}

/** A raw dispatch handler: no stream per response, which keeps the generator cheap at high rates. */
class GetHandler implements Dispatcher.DispatchHandler {
  #status = 0;
  #header: string | undefined;

  constructor(
    private readonly id: number,
    private readonly done: Completion,
    private readonly headerName: string,
  ) {}

  // undici only uses this handler API when onRequestStart exists.
  onRequestStart(): void {}

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.#status = statusCode;
    const value = headers[this.headerName];
    this.#header = Array.isArray(value) ? value[0] : value;
  }

  // Reading and discarding every chunk is what lets the connection be reused.
  onResponseData(): void {}

  onResponseEnd(): void {
    this.done(this.id, this.#status, this.#header, undefined);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.done(this.id, 0, this.#header, error);
  }
}
