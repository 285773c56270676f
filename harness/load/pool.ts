import { Client, type Dispatcher } from 'undici';
import { ErrorCode, ZdtError } from '../errors.ts';

/**
 * The only place that creates undici dispatchers, so the no-retry guarantee is checked in one
 * file: a plain Client never retries a request it has written (RetryAgent and the retry
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

/**
 * One undici Client per connection and a stack of idle ones, instead of undici's Pool: Pool
 * scans its clients for a free one on every request, which at a peak of ~100 connections is a
 * visible share of the generator's CPU. A request only ever goes to an idle Client, so nothing
 * queues behind another request. A Client whose connection failed reconnects on its next
 * request, so failed ones go back on the stack too.
 */
export function createPool(options: PoolOptions): HttpPool {
  const clientOptions: Client.Options = {
    pipelining: 1,
    connect: { timeout: options.connectTimeoutMs },
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
  };
  const request: Dispatcher.DispatchOptions = {
    path: options.path,
    method: 'GET',
    reset: options.connection === 'new',
  };
  const all: Client[] = [];
  const idle: Client[] = [];
  return {
    get(id, done) {
      let client = idle.pop();
      if (client === undefined) {
        // The loop caps requests in flight at maxConnections; getting here means a Client was never handed back.
        if (all.length >= options.maxConnections) throw new ZdtError(ErrorCode.Load, `more than ${options.maxConnections} requests in flight`);
        client = new Client(options.origin, clientOptions);
        all.push(client);
      }
      client.dispatch(request, new GetHandler(id, done, options.captureHeader, client, idle));
    },
    close: async () => {
      await Promise.all(all.map((c) => c.close()));
    },
  };
}

/**
 * A raw dispatch handler: no stream per response, which keeps the generator cheap at high rates.
 * It uses the callbacks undici 7's HTTP/1 client itself calls (onConnect ... onComplete), marked
 * deprecated in favour of onRequestStart/onResponse*: undici adapts those to these by wrapping
 * every request in two more objects and parsing every response's headers into an object, which
 * cost ~8% of the generator's peak rate in bench/. Only the one header we need is decoded here.
 */
class GetHandler implements Dispatcher.DispatchHandler {
  #status = 0;
  #header: string | undefined;

  constructor(
    private readonly id: number,
    private readonly done: Completion,
    private readonly headerName: string,
    private readonly client: Client,
    private readonly idle: Client[],
  ) {}

  onConnect(): void {}

  /** Raw headers alternate name, value; names keep the server's case. */
  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.#status = statusCode;
    const name = this.headerName;
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const key = rawHeaders[i]!;
      if (key.length === name.length && key.toString('latin1').toLowerCase() === name) {
        this.#header = rawHeaders[i + 1]!.toString('latin1');
        break;
      }
    }
    return true;
  }

  // Reading and discarding every chunk is what lets the connection be reused.
  onData(): boolean {
    return true;
  }

  // The Client goes back before `done`, so a request started from `done` can use it.
  onComplete(): void {
    this.idle.push(this.client);
    this.done(this.id, this.#status, this.#header, undefined);
  }

  onError(error: Error): void {
    this.idle.push(this.client);
    this.done(this.id, 0, this.#header, error);
  }
}
