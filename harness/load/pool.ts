import { createSecureContext } from 'node:tls';
import { buildConnector, Client, type Dispatcher } from 'undici';
import { ErrorCode, ZdtError } from '../errors.ts';

/**
 * The only place that creates undici dispatchers, so the no-retry guarantee is checked in one
 * file: a plain Client never retries a request it has written (RetryAgent and the retry
 * interceptor are opt-in and not used). The one thing undici does re-send is a request that
 * was queued on a connection and never written, which is not a retry the server could see.
 */

/**
 * 'keep-alive' reuses connections, where idle-connection shutdown races show; 'new' sends
 * `connection: close` and opens one per request, so every request is routed afresh and one sent
 * to a pod that has stopped listening fails; 'mixed' (zdt's default) alternates the two by
 * request index, even on kept-alive connections and odd on new ones. Keep-alive load alone can
 * miss a missing preStop delay (few new connections open while the pod is quitting); new
 * connections alone miss the idle-connection races.
 */
export const CONNECTION_MODES = ['keep-alive', 'new', 'mixed'] as const;
export type ConnectionMode = (typeof CONNECTION_MODES)[number];
export const DEFAULT_CONNECTION_MODE: ConnectionMode = 'mixed';

/** Whether request `index` goes out on a connection of its own (`connection: close`) in `mode`. */
export function opensConnection(mode: ConnectionMode, index: number): boolean {
  return mode === 'new' || (mode === 'mixed' && index % 2 === 1);
}

export interface PoolOptions {
  /** "http://127.0.0.1:30080" or "https://..."; the loop validated it. */
  readonly origin: string;
  /** Path and query sent with every GET. */
  readonly path: string;
  /** Host header instead of the origin's; with https also the TLS server name. */
  readonly host: string | undefined;
  /** https: accept any certificate. */
  readonly insecure: boolean;
  /** See CONNECTION_MODES. */
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
 * Called exactly once per `get`, always from a microtask: never from inside `get` nor from inside
 * one of undici's callbacks, so it may call `get` again. `status` is 0 when no response was
 * complete; `header` is the captured header when headers arrived (also when the body then
 * failed); `error` is undici's or Node's error object, for classify(); `localPort` is the
 * client-side TCP port of the connection the request went out on, 0 when none was established
 * (a refused or timed-out connect): what the cluster's connection tracking sees as the source port;
 * `reusedUnanswered` is true when the request went out on a connection that had already carried
 * a complete response and failed before any response header came back: the stale kept-alive
 * connection that Go's net/http and browsers retry an idempotent request on.
 */
export type Completion = (id: number, status: number, header: string | undefined, error: Error | undefined, localPort: number, reusedUnanswered: boolean) => void;

export interface HttpPool {
  /** Starts one GET; its outcome arrives through `done` with the same `id`. Never throws. */
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
 *
 * A finished request's Client goes back on the stack, and its `done` runs, only in a microtask
 * after undici's callback has returned. A request dispatched into a Client from inside that
 * Client's own onError/onComplete lands in the middle of undici's bookkeeping: after a failed
 * connect undici asserts the Client's queue is empty, and that assertion then threw out of a
 * socket event and killed the process.
 */
export function createPool(options: PoolOptions): HttpPool {
  if (options.connection !== 'mixed') return createSinglePool(options);
  // Two stacks: a Client that just closed its connection must not serve a keep-alive request.
  const reused = createSinglePool({ ...options, connection: 'keep-alive' });
  const fresh = createSinglePool({ ...options, connection: 'new' });
  return {
    get: (id, done) => (opensConnection('mixed', id) ? fresh : reused).get(id, done),
    close: async () => {
      await Promise.all([reused.close(), fresh.close()]);
    },
  };
}

/** One undici Client (one connection at a time, pipelining 1) and what zdt knows of its current socket. */
interface Connection {
  readonly client: Client;
  /** 0 from the start of each connect until it succeeds. */
  localPort: number;
  /** Responses completed on the current socket (0 again at each connect). */
  served: number;
}

function createSinglePool(options: PoolOptions): HttpPool {
  // One TLS context for every connection: tls.connect would otherwise build one per connection (in 'mixed', 100 a second).
  const secureContext = options.origin.startsWith('https:') ? createSecureContext() : undefined;
  const connector = buildConnector({ timeout: options.connectTimeoutMs, rejectUnauthorized: !options.insecure, ...(secureContext && { secureContext }) });
  const connect = (): Connection => {
    const connection: Connection = {
      localPort: 0,
      served: 0,
      client: new Client(options.origin, {
        pipelining: 1,
        headersTimeout: options.headersTimeoutMs,
        bodyTimeout: options.bodyTimeoutMs,
        connect: (opts, callback) => {
          connection.localPort = 0;
          connection.served = 0;
          connector(opts, (...args) => {
            connection.localPort = args[1]?.localPort ?? 0;
            callback(...args);
          });
        },
      }),
    };
    return connection;
  };
  const request: Dispatcher.DispatchOptions = {
    path: options.path,
    method: 'GET',
    reset: options.connection === 'new',
    ...(options.host === undefined ? {} : { headers: { host: options.host } }),
  };
  const all = new Set<Connection>();
  const idle: Connection[] = [];
  /** Requests finished since the last flush; one microtask hands back a whole batch. */
  let finished: GetHandler[] = [];

  const flush = (): void => {
    const batch = finished;
    finished = [];
    for (const handler of batch) {
      const connection = handler.connection;
      // A closed or destroyed Client would fail every later request without sending it.
      if (connection?.client.closed || connection?.client.destroyed) all.delete(connection);
      else if (connection) idle.push(connection);
      handler.report();
    }
  };
  const release = (handler: GetHandler): void => {
    if (finished.push(handler) === 1) queueMicrotask(flush);
  };

  return {
    get(id, done) {
      let connection = idle.pop();
      if (connection === undefined && all.size < options.maxConnections) {
        connection = connect();
        all.add(connection);
      }
      const handler = new GetHandler(id, done, options.captureHeader, connection, release);
      // The loop caps requests in flight at maxConnections; getting here means a Client was never handed back.
      if (connection === undefined) handler.onError(new ZdtError(ErrorCode.Load, `more than ${options.maxConnections} requests in flight`));
      else connection.client.dispatch(request, handler);
    },
    close: async () => {
      await Promise.all([...all].map((c) => c.client.close()));
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
  #error: Error | undefined;
  #localPort = 0;
  /** Whether the socket the request was written to had served a response before. */
  #reused = false;
  #answered = false;
  #finished = false;

  constructor(
    private readonly id: number,
    private readonly done: Completion,
    private readonly headerName: string,
    readonly connection: Connection | undefined,
    private readonly release: (handler: GetHandler) => void,
  ) {}

  // undici calls this as it writes the request to a connected socket: any connect came first.
  onConnect(): void {
    this.#reused = (this.connection?.served ?? 0) > 0;
  }

  /** Raw headers alternate name, value; names keep the server's case. */
  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.#status = statusCode;
    this.#answered = true;
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

  onComplete(): void {
    if (this.connection) this.connection.served++;
    this.#finish(undefined);
  }

  onError(error: Error): void {
    this.#finish(error);
  }

  /** Runs in the pool's flush, after the Client went back on the stack. */
  report(): void {
    const failed = this.#error !== undefined;
    this.done(this.id, failed ? 0 : this.#status, this.#header, this.#error, this.#localPort, failed && this.#reused && !this.#answered);
  }

  // undici ends a request once; a second end must not hand the Client back twice (two requests on one connection).
  #finish(error: Error | undefined): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#error = error;
    // Read now: the next request on this Client may open another socket.
    this.#localPort = this.connection?.localPort ?? 0;
    this.release(this);
  }
}
