import { ErrorCode, ZdtError } from '../errors.ts';
import type { LoadCounts, LoadOptions } from './loop.ts';
import type { ProbeResult } from './probe.ts';
import type { RequestLog } from './types.ts';

/** What zdt passes the load pod (pod-main.ts) in its ZDT_LOAD environment variable, as JSON. */
export interface PodLoadInput {
  readonly options: Omit<LoadOptions, 'clock' | 'signal'>;
}

/** The load pod's port of /status, /clock and /stop ($ZDT_CONTROL_PORT overrides it: tests run the program on this machine). */
export const CONTROL_PORT = 9464;

/**
 * What the load pod (pod-main.ts) answers on GET /status, through the API server's pod proxy
 * (harness/entry/in-cluster.ts): `probing` until the Service answers a probe burst completely,
 * `running` from the load's start, `stopped` once its records are written.
 * `origin` is the load's t0 on the pod's own clock, as performance.timeOrigin +
 * performance.now() there; zdt maps the records onto its run clock through the measured offset.
 */
export type PodLoadStatus =
  | { readonly state: 'probing'; readonly probe?: Pick<ProbeResult, 'sent' | 'failed' | 'answered' | 'definitive'> }
  | { readonly state: 'running' | 'stopped'; readonly origin: number; readonly counts: LoadCounts };

/**
 * What the load pod writes to stdout once stopped, one JSON object per line, and zdt reads back
 * through the pod's log: the RequestLog's meta, its columns in slices, then `end`. Every line
 * carries `zdt`, its type; a line without it (a runtime warning) is not ours.
 */
export type PodMessage =
  | { readonly zdt: 'log'; readonly meta: LogMeta }
  | { readonly zdt: 'records'; readonly from: number; readonly columns: Readonly<Record<string, string>> }
  | { readonly zdt: 'end' };

/** A RequestLog without its columns. */
export type LogMeta = Omit<RequestLog, ColumnName> & { readonly columns: readonly ColumnName[] };

type Column = Float64Array | Float32Array | Uint16Array | Uint8Array;
/** Every column a RequestLog can have, with its array type. */
const COLUMNS = {
  scheduledAt: Float64Array,
  startedAt: Float64Array,
  latencyMs: Float32Array,
  outcome: Uint16Array,
  pod: Uint16Array,
  newConnection: Uint8Array,
  localPort: Uint16Array,
  routedTo: Uint16Array,
  reusedUnanswered: Uint8Array,
} as const;
type ColumnName = keyof typeof COLUMNS;
const COLUMN_NAMES = Object.keys(COLUMNS) as ColumnName[];

/**
 * Requests per `records` line: about 37 KB of base64 (a container runtime splits longer lines
 * into 16 KiB chunks, which the kubelet joins again). A 10-minute run at 200 req/s is 120 lines,
 * 4.5 MB: within the kubelet's default log rotation size (containerLogMaxSize, 10 MiB).
 */
export const RECORDS_PER_LINE = 1000;

/** The lines that carry `log`: its meta, its columns in slices, then `end`. */
export function* encodeLog(log: RequestLog, perLine = RECORDS_PER_LINE): Generator<PodMessage> {
  const columns = COLUMN_NAMES.filter((c) => log[c] !== undefined);
  const meta: Record<string, unknown> = { ...log, columns };
  for (const c of COLUMN_NAMES) delete meta[c];
  yield { zdt: 'log', meta: meta as LogMeta };
  for (let from = 0; from < log.count; from += perLine) {
    const to = Math.min(log.count, from + perLine);
    const encoded: Record<string, string> = {};
    for (const c of columns) {
      const part = (log[c] as Column).subarray(from, to);
      encoded[c] = Buffer.from(part.buffer, part.byteOffset, part.byteLength).toString('base64');
    }
    yield { zdt: 'records', from, columns: encoded };
  }
  yield { zdt: 'end' };
}

/** Parses one line of the pod's output; undefined for a line that is not a PodMessage. */
export function parsePodLine(line: string): PodMessage | undefined {
  if (!line.startsWith('{"zdt":')) return undefined;
  try {
    return JSON.parse(line) as PodMessage;
  } catch {
    return undefined;
  }
}

/** Rebuilds the RequestLog from the `log`, `records` and `end` messages, in the order encodeLog wrote them. */
export class LogAssembler {
  #meta: LogMeta | undefined;
  #columns: Partial<Record<ColumnName, Column>> = {};
  #filled = 0;
  #ended = false;

  /** Takes a message; false for one that is not part of a log. */
  accept(m: PodMessage): boolean {
    switch (m.zdt) {
      case 'log':
        this.#meta = m.meta;
        for (const c of m.meta.columns) this.#columns[c] = new COLUMNS[c](m.meta.count);
        return true;
      case 'records': {
        if (!this.#meta) throw cut('records came before the log they belong to');
        let n = 0;
        for (const c of this.#meta.columns) {
          const bytes = Buffer.from(m.columns[c] ?? '', 'base64');
          const target = this.#columns[c]!;
          const part = new COLUMNS[c](bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
          if (m.from + part.length > target.length) throw cut(`records ${m.from}..${m.from + part.length} lie beyond the log's ${target.length}`);
          target.set(part, m.from);
          n = part.length;
        }
        this.#filled += n;
        return true;
      }
      case 'end':
        this.#ended = true;
        return true;
      default:
        return false;
    }
  }

  get complete(): boolean {
    return this.#ended && this.#meta !== undefined && this.#filled === this.#meta.count;
  }

  /** The log; throws ZDT_LOAD when lines are missing (the pod's output was cut off). */
  log(): RequestLog {
    const meta = this.#meta;
    if (!meta) throw cut('no log came');
    if (!this.complete) throw cut(`${this.#filled} of ${meta.count} records came${this.#ended ? '' : ', and no end'}`);
    const { columns: _names, ...rest } = meta;
    return { ...rest, ...this.#columns } as unknown as RequestLog;
  }
}

const cut = (why: string) =>
  new ZdtError(ErrorCode.Load, `the load pod's records are incomplete: ${why} (the kubelet rotates a container's log past containerLogMaxSize, 10 MiB by default: about 280,000 requests, 23 min at 200 req/s; a lower --rate or a shorter run keeps them whole)`);
