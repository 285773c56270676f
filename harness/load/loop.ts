import type { Clock } from '../clock.ts';
import { ErrorCode, ZdtError } from '../errors.ts';
import { abortError } from '../wait.ts';
import { errorOutcomeOf } from './classify.ts';
import { CONNECTION_MODES, createPool, DEFAULT_CONNECTION_MODE, opensConnection, type ConnectionMode, type HttpPool } from './pool.ts';
import { DEFAULT_EXPECT_STATUS, parseExpectStatus, type ExpectedStatuses } from './status.ts';
import { ArrivalCursor, arrivalsBy, peakRate, scheduleProblem, type RateSchedule } from './schedule.ts';
import { isFailure, OUTCOME_DROPPED, type RequestLog } from './types.ts';
import { watchGeneratorHealth } from './health.ts';

export interface LoadOptions {
  /** Target, e.g. the Service's NodePort: "http://127.0.0.1:30080/"; http:// or https://. Path and query are sent as they are. */
  readonly url: string;
  /**
   * Host header to send instead of the URL's host[:port], e.g. "shop.example.com" for an app
   * routed by name. With https:// it is also the TLS server name (SNI) and the name the
   * certificate is checked against. The connection still goes to the URL's address.
   */
  readonly host?: string;
  /** Accept any server certificate (self-signed, wrong name, expired); no effect on http://. Default false: verify against Node's CA store. */
  readonly insecure?: boolean;
  /**
   * Statuses that count as success, as `zdt verify --expect-status` takes them: "200-399" (the
   * default) or a comma list such as "200,204,301-308". Any other status is a failed request.
   */
  readonly expectStatus?: string;
  /** The run clock; every timestamp in the RequestLog is on it. */
  readonly clock: Clock;
  /** Arrival rate (open model). Default 200: a 5 ms gap in service is already visible. */
  readonly ratePerSecond?: number;
  /**
   * An arrival rate that changes over time instead of `ratePerSecond` (give one of them), as k6's
   * ramping-arrival-rate: piecewise linear from `startRate`, the last target holding after the
   * last stage.
   */
  readonly schedule?: RateSchedule;
  /** Stop scheduling after this long; omitted: run until stop() or the signal. */
  readonly durationMs?: number;
  /** Default 'mixed': even requests on kept-alive connections, odd ones on new ones (see CONNECTION_MODES). */
  readonly connection?: ConnectionMode;
  /** Default for each of the three timeouts below. Default 2000. */
  readonly timeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly headersTimeoutMs?: number;
  readonly bodyTimeoutMs?: number;
  /** Requests in flight at once; a request due while at the cap is dropped. Default: enough for the full rate while every request runs into its timeouts. */
  readonly maxInFlight?: number;
  /** A request started later than this after its schedule counts as a late start. Default 50. */
  readonly lateStartBoundMs?: number;
  /** Response header naming the pod that answered. Default 'x-pod-name'. */
  readonly podHeader?: string;
  /** Permit a target other than 127.0.0.1, localhost or [::1]. */
  readonly allowNonLoopback?: boolean;
  /** Aborting stops the schedule like stop(); `done` still resolves with the log so far, once requests in flight end (bounded by the timeouts). */
  readonly signal?: AbortSignal;
}

export interface ResolvedLoadOptions {
  readonly url: URL;
  readonly host: string | undefined;
  readonly insecure: boolean;
  readonly expectStatus: ExpectedStatuses;
  readonly clock: Clock;
  /** The constant rate; with a schedule, its peak (what the in-flight cap is sized for). */
  readonly ratePerSecond: number;
  readonly schedule: RateSchedule | undefined;
  readonly durationMs: number | undefined;
  readonly connection: ConnectionMode;
  readonly connectTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly maxInFlight: number;
  readonly lateStartBoundMs: number;
  /** Lower case. */
  readonly podHeader: string;
  readonly signal: AbortSignal | undefined;
}

/** A load's counters so far. */
export interface LoadCounts {
  /** Requests started so far (dropped ones are not). */
  readonly sent: number;
  /** Completed and not a failure (see isFailure and LoadOptions.expectStatus). */
  readonly ok: number;
  readonly failed: number;
  readonly inFlight: number;
  readonly dropped: number;
  readonly lateStarts: number;
}

export const NO_COUNTS: LoadCounts = { sent: 0, ok: 0, failed: 0, inFlight: 0, dropped: 0, lateStarts: 0 };

/** A snapshot of `load`'s counters, as plain data (to post to another thread). */
export const countsOf = (load: LoadCounts): LoadCounts => Object.fromEntries(Object.keys(NO_COUNTS).map((k) => [k, load[k as keyof LoadCounts]])) as unknown as LoadCounts;

export interface LoadHandle extends LoadCounts, AsyncDisposable {
  /** Resolves once scheduling ended (duration, stop() or signal) and every started request has finished. */
  readonly done: Promise<RequestLog>;
  /** Ends the schedule, waits for requests in flight, closes connections. */
  stop(): Promise<RequestLog>;
}

/**
 * The LoadHandle of a load that runs elsewhere (a worker thread, a pod): its counters as
 * `counts` last heard them, `done` its log, `stop` asks it to end. Dispose rejects as `done` does.
 */
export function reportedLoad(counts: () => LoadCounts, done: Promise<RequestLog>, stop: () => void): LoadHandle {
  return {
    get sent() { return counts().sent; },
    get ok() { return counts().ok; },
    get failed() { return counts().failed; },
    get inFlight() { return counts().inFlight; },
    get dropped() { return counts().dropped; },
    get lateStarts() { return counts().lateStarts; },
    done,
    stop() {
      stop();
      return done;
    },
    async [Symbol.asyncDispose]() {
      stop();
      await done;
    },
  };
}

const DEFAULTS = {
  ratePerSecond: 200,
  connection: DEFAULT_CONNECTION_MODE,
  timeoutMs: 2000,
  lateStartBoundMs: 50,
  podHeader: 'x-pod-name',
} as const;

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);
const HEADER_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** host[:port] as a Host header carries it: a name or IPv4 address, or a bracketed IPv6 address. */
const HOST_HEADER = /^(?:[A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
/** Without a duration, start with this many entries and double when they fill. */
const INITIAL_CAPACITY = 4096;
/** RequestLog.pod is a Uint16Array; later pods are recorded as unknown (0). */
const MAX_PODS = 0xffff;

export function invalid(option: string, value: unknown, rule: string): ZdtError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return new ZdtError(ErrorCode.InvalidOption, `invalid load option ${option}: ${shown} (${rule})`, { details: { option, value } });
}

function positive(option: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw invalid(option, v, 'must be a finite number > 0');
  return v;
}

/** Applies defaults and validates; throws ZDT_INVALID_OPTION naming the first bad value. */
export function resolveLoadOptions(options: LoadOptions): ResolvedLoadOptions {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw invalid('url', options.url, 'not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('url', options.url, 'must be http:// or https://');
  if (!LOOPBACK_HOSTS.has(url.hostname) && options.allowNonLoopback !== true) {
    throw invalid('url', options.url, 'only 127.0.0.1, localhost or [::1] may be targeted unless allowNonLoopback is set');
  }
  if (typeof options.clock?.now !== 'function') throw invalid('clock', options.clock, 'must be a Clock from harness/clock.ts');

  const schedule = options.schedule;
  if (schedule !== undefined && options.ratePerSecond !== undefined) throw invalid('ratePerSecond', options.ratePerSecond, 'not with a schedule, which replaces it: give one of them');
  const problem = schedule === undefined ? undefined : scheduleProblem(schedule);
  if (problem) throw invalid(`schedule${problem[0] ? `.${problem[0]}` : ''}`, problem[1], problem[2]);
  const ratePerSecond = schedule ? peakRate(schedule) : positive('ratePerSecond', options.ratePerSecond, DEFAULTS.ratePerSecond);
  const durationMs = options.durationMs === undefined ? undefined : positive('durationMs', options.durationMs, 0);
  const connection = options.connection ?? DEFAULTS.connection;
  if (!CONNECTION_MODES.includes(connection)) throw invalid('connection', connection, `must be one of ${CONNECTION_MODES.join(', ')}`);
  const timeoutMs = positive('timeoutMs', options.timeoutMs, DEFAULTS.timeoutMs);
  const connectTimeoutMs = positive('connectTimeoutMs', options.connectTimeoutMs, timeoutMs);
  const headersTimeoutMs = positive('headersTimeoutMs', options.headersTimeoutMs, timeoutMs);
  const bodyTimeoutMs = positive('bodyTimeoutMs', options.bodyTimeoutMs, timeoutMs);
  // The cap is then only reached when requests outlive their timeouts, i.e. the generator itself is stuck.
  const fullRateInFlight = Math.max(16, Math.ceil((ratePerSecond * (connectTimeoutMs + headersTimeoutMs + bodyTimeoutMs)) / 1000));
  const maxInFlight = options.maxInFlight ?? fullRateInFlight;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw invalid('maxInFlight', maxInFlight, 'must be an integer >= 1');
  const lateStartBoundMs = options.lateStartBoundMs ?? DEFAULTS.lateStartBoundMs;
  if (typeof lateStartBoundMs !== 'number' || !Number.isFinite(lateStartBoundMs) || lateStartBoundMs < 0) {
    throw invalid('lateStartBoundMs', lateStartBoundMs, 'must be a finite number >= 0');
  }
  const podHeader = options.podHeader ?? DEFAULTS.podHeader;
  if (typeof podHeader !== 'string' || !HEADER_TOKEN.test(podHeader)) throw invalid('podHeader', podHeader, 'must be an HTTP header name');
  const host = options.host;
  if (host !== undefined && (typeof host !== 'string' || !HOST_HEADER.test(host))) throw invalid('host', host, 'must be host or host:port, e.g. "shop.example.com"');
  const insecure = options.insecure ?? false;
  if (typeof insecure !== 'boolean') throw invalid('insecure', insecure, 'must be a boolean');
  const expectStatus = options.expectStatus === undefined ? DEFAULT_EXPECT_STATUS : parseExpectStatus(options.expectStatus, 'load option expectStatus');

  return {
    url,
    host,
    insecure,
    expectStatus,
    clock: options.clock,
    ratePerSecond,
    schedule,
    durationMs,
    connection,
    connectTimeoutMs,
    headersTimeoutMs,
    bodyTimeoutMs,
    maxInFlight,
    lateStartBoundMs,
    podHeader: podHeader.toLowerCase(),
    signal: options.signal,
  };
}

/**
 * Starts an open-model load (like k6's constant-arrival-rate): request i is due at
 * t0 + i/rate and is started then whether or not earlier ones have answered; with a schedule,
 * when i requests' worth of its rate has passed (like k6's ramping-arrival-rate). Throws
 * ZDT_INVALID_OPTION for bad options, ZDT_ABORTED if the signal is already aborted.
 */
export function startLoad(options: LoadOptions): LoadHandle {
  const resolved = resolveLoadOptions(options);
  if (resolved.signal?.aborted) throw abortError(resolved.signal);
  return new LoadRun(resolved);
}

interface Columns {
  scheduledAt: Float64Array;
  startedAt: Float64Array;
  latencyMs: Float32Array;
  outcome: Uint16Array;
  pod: Uint16Array;
  newConnection: Uint8Array;
  localPort: Uint16Array;
  reusedUnanswered: Uint8Array;
}

function allocate(capacity: number, from?: Columns): Columns {
  const cols: Columns = {
    scheduledAt: new Float64Array(capacity),
    startedAt: new Float64Array(capacity),
    latencyMs: new Float32Array(capacity),
    outcome: new Uint16Array(capacity),
    pod: new Uint16Array(capacity),
    newConnection: new Uint8Array(capacity),
    localPort: new Uint16Array(capacity),
    reusedUnanswered: new Uint8Array(capacity),
  };
  if (from) {
    cols.scheduledAt.set(from.scheduledAt);
    cols.startedAt.set(from.startedAt);
    cols.latencyMs.set(from.latencyMs);
    cols.outcome.set(from.outcome);
    cols.pod.set(from.pod);
    cols.newConnection.set(from.newConnection);
    cols.localPort.set(from.localPort);
    cols.reusedUnanswered.set(from.reusedUnanswered);
  }
  return cols;
}

class LoadRun implements LoadHandle {
  readonly done: Promise<RequestLog>;
  sent = 0;
  ok = 0;
  failed = 0;
  inFlight = 0;
  dropped = 0;
  lateStarts = 0;

  readonly #o: ResolvedLoadOptions;
  readonly #clock: Clock;
  readonly #pool: HttpPool;
  readonly #health = watchGeneratorHealth();
  readonly #t0: number;
  readonly #periodMs: number;
  /** With LoadOptions.schedule: when each request is due. */
  readonly #cursor: ArrivalCursor | undefined;
  /** Requests in the schedule; Infinity without a duration. */
  readonly #total: number;
  #cols: Columns;
  /** Index of the next request due; also the log's count. */
  #next = 0;
  /** When request #next is due, on the run clock. */
  #nextDue: number;
  #timer: NodeJS.Timeout | undefined;
  #ending = false;
  #settled = false;
  readonly #pods: string[] = [''];
  readonly #podIndex = new Map<string, number>();
  #resolve!: (log: RequestLog) => void;

  constructor(o: ResolvedLoadOptions) {
    this.#o = o;
    this.#clock = o.clock;
    this.#periodMs = 1000 / o.ratePerSecond;
    this.#cursor = o.schedule && new ArrivalCursor(o.schedule);
    const arrivals = o.durationMs === undefined ? Infinity : o.schedule ? arrivalsBy(o.schedule, o.durationMs) : (o.ratePerSecond * o.durationMs) / 1000;
    // The epsilon keeps a float product such as 1000.0000000001 from adding a request.
    this.#total = Number.isFinite(arrivals) ? Math.max(1, Math.ceil(arrivals - 1e-9)) : Infinity;
    this.#cols = allocate(Number.isFinite(this.#total) ? this.#total : INITIAL_CAPACITY);
    this.#pool = createPool({
      origin: o.url.origin,
      path: o.url.pathname + o.url.search,
      host: o.host,
      insecure: o.insecure,
      connection: o.connection,
      connectTimeoutMs: o.connectTimeoutMs,
      headersTimeoutMs: o.headersTimeoutMs,
      bodyTimeoutMs: o.bodyTimeoutMs,
      maxConnections: o.maxInFlight,
      captureHeader: o.podHeader,
    });
    this.done = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    o.signal?.addEventListener('abort', this.#end, { once: true });
    this.#t0 = this.#clock.now();
    this.#nextDue = this.#dueAt(0);
    this.#tick();
  }

  stop(): Promise<RequestLog> {
    this.#end();
    return this.done;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /**
   * Starts every request that is due, then sleeps until the next one. One timer per tick and
   * catching up in a batch keeps lag near the timer's 1 ms granularity without spinning.
   */
  #tick = (): void => {
    this.#timer = undefined;
    const clock = this.#clock;
    let now = clock.now();
    while (this.#next < this.#total) {
      const due = this.#nextDue;
      if (due > now) {
        this.#timer = setTimeout(this.#tick, due - now);
        return;
      }
      this.#startNext(due, now);
      now = clock.now();
    }
    this.#end();
  };

  /** When request `n` is due, on the run clock. */
  #dueAt(n: number): number {
    return this.#t0 + (this.#cursor ? this.#cursor.offsetOf(n) : n * this.#periodMs);
  }

  /** Starts request #next, due at `due`, and works out when the one after it is due. */
  #startNext(due: number, now: number): void {
    const i = this.#next++;
    this.#nextDue = this.#dueAt(this.#next);
    this.#start(i, due, now);
  }

  #start(i: number, due: number, now: number): void {
    if (i >= this.#cols.scheduledAt.length) this.#cols = allocate(this.#cols.scheduledAt.length * 2, this.#cols);
    const cols = this.#cols;
    cols.scheduledAt[i] = due;
    cols.startedAt[i] = now;
    cols.newConnection[i] = opensConnection(this.#o.connection, i) ? 1 : 0;
    if (this.inFlight >= this.#o.maxInFlight) {
      cols.outcome[i] = OUTCOME_DROPPED;
      cols.latencyMs[i] = NaN;
      this.dropped++;
      return;
    }
    if (now - due > this.#o.lateStartBoundMs) this.lateStarts++;
    this.inFlight++;
    this.sent++;
    this.#pool.get(i, this.#complete);
  }

  #complete = (i: number, status: number, header: string | undefined, error: Error | undefined, localPort: number, reusedUnanswered: boolean): void => {
    // Columns may have been reallocated since the start: always write to the current ones.
    const cols = this.#cols;
    const now = this.#clock.now();
    cols.latencyMs[i] = now - (cols.startedAt[i] as number);
    const outcome = error === undefined ? status : errorOutcomeOf(error);
    cols.outcome[i] = outcome;
    if (header) cols.pod[i] = this.#intern(header);
    cols.localPort[i] = localPort;
    cols.reusedUnanswered[i] = reusedUnanswered ? 1 : 0;
    if (isFailure(outcome, this.#o.expectStatus)) this.failed++;
    else this.ok++;
    this.inFlight--;
    if (this.#ending) {
      if (this.inFlight === 0) void this.#settle();
    } else if (this.#next < this.#total) {
      // The freed slot takes a request that is already due now, not at the next timer tick.
      const due = this.#nextDue;
      if (due <= now) this.#startNext(due, now);
    }
  };

  #intern(name: string): number {
    let index = this.#podIndex.get(name);
    if (index === undefined) {
      if (this.#pods.length > MAX_PODS) return 0;
      index = this.#pods.length;
      this.#pods.push(name);
      this.#podIndex.set(name, index);
    }
    return index;
  }

  #end = (): void => {
    if (this.#ending) return;
    this.#ending = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#o.signal?.removeEventListener('abort', this.#end);
    if (this.inFlight === 0) void this.#settle();
  };

  async #settle(): Promise<void> {
    if (this.#settled) return;
    this.#settled = true;
    await this.#pool.close();
    const generator = await this.#health.stop();
    const n = this.#next;
    const c = this.#cols;
    this.#resolve({
      count: n,
      scheduledAt: c.scheduledAt.subarray(0, n),
      startedAt: c.startedAt.subarray(0, n),
      latencyMs: c.latencyMs.subarray(0, n),
      outcome: c.outcome.subarray(0, n),
      pod: c.pod.subarray(0, n),
      newConnection: c.newConnection.subarray(0, n),
      localPort: c.localPort.subarray(0, n),
      reusedUnanswered: c.reusedUnanswered.subarray(0, n),
      pods: [...this.#pods],
      lateStarts: this.lateStarts,
      dropped: this.dropped,
      generator,
      expectStatus: this.#o.expectStatus,
    });
  }
}
