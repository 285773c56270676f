/**
 * Thresholds in k6's syntax (a load profile's `options.thresholds`), judged over the
 * maintenance window: from the maintenance's first event (as Resolution finds it) to the end of
 * the load, so the warm-up's requests neither dilute a failure rate nor flatter a percentile.
 * Pure functions: parse, evaluate over a RequestLog, and the sentences a verdict needs.
 */
import { ErrorCode, ZdtError } from '../errors.ts';
import { failedAt, OUTCOME_DROPPED, type RequestLog } from '../load/types.ts';
import type { TimelineEvent } from '../observe/events.ts';
import { maintenanceStart } from './resolution.ts';

/**
 * The metrics zdt measures, by k6's names: http_req_failed (a rate, 0..1, of the requests sent)
 * and http_req_duration (ms, of the requests that completed without failing, like k6's
 * `http_req_duration{expected_response:true}` and the report's `latency`).
 */
export const THRESHOLD_METRICS = ['http_req_failed', 'http_req_duration'] as const;
export type ThresholdMetric = (typeof THRESHOLD_METRICS)[number];

const COMPARISONS = {
  '<': (a: number, b: number) => a < b,
  '<=': (a: number, b: number) => a <= b,
  '>': (a: number, b: number) => a > b,
  '>=': (a: number, b: number) => a >= b,
  '==': (a: number, b: number) => a === b,
  '!=': (a: number, b: number) => a !== b,
} as const;
export type Comparison = keyof typeof COMPARISONS;

/** The statistics each metric takes, as k6 names them; `p` is p(N), a percentile 0-100. */
const STATS: Readonly<Record<ThresholdMetric, readonly string[]>> = {
  http_req_failed: ['rate'],
  http_req_duration: ['avg', 'med', 'min', 'max', 'p'],
};

/** One threshold, parsed: `stat` of `metric` over the maintenance window, compared with `value`. */
export interface Threshold {
  readonly metric: ThresholdMetric;
  /** As k6 writes it, e.g. "p(99)<500". */
  readonly expression: string;
  /** "rate" (http_req_failed); "avg", "med", "min", "max" or "p(N)" (http_req_duration), spaces removed. */
  readonly stat: string;
  /** N of p(N), 0-100; null for the other statistics. */
  readonly percentile: number | null;
  readonly op: Comparison;
  /** A rate 0..1, or ms. */
  readonly value: number;
}

/** A threshold's outcome, as the report carries it (plain JSON). */
export interface ThresholdResult {
  readonly metric: ThresholdMetric;
  readonly expression: string;
  /** The statistic over the maintenance window: a rate 0..1 or ms; null when no request counted towards it. */
  readonly observed: number | null;
  /** False also when nothing was observed. */
  readonly passed: boolean;
}

/** ZDT_INVALID_OPTION for a load profile's field, named by its path: `thresholds.http_req_duration[0]: …`. */
export function invalidField(field: string, value: unknown, why: string): ZdtError {
  return new ZdtError(ErrorCode.InvalidOption, `${field}: ${why}`, { details: { option: field, value } });
}

const EXPRESSION = /^\s*([a-z]+)\s*(?:\(\s*(\d+(?:\.\d+)?)\s*\))?\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why a metric name zdt does not measure is refused, and what to do instead. */
function unknownMetric(metric: string): string {
  if (metric.includes('{')) return 'zdt has no sub-metrics (tag filters): http_req_duration already counts only requests that succeeded, http_req_failed every request sent';
  if (metric === 'dropped_iterations') return 'zdt calls a run with any dropped request inconclusive by itself: remove it';
  return `zdt measures ${THRESHOLD_METRICS.join(' and ')} only: remove it`;
}

/**
 * k6's `thresholds` option ({ metric: [expression or { threshold, abortOnFail: false }] }),
 * parsed and checked. Throws ZDT_INVALID_OPTION naming the field (under `path`) and what to do.
 */
export function parseThresholds(thresholds: unknown, path = 'thresholds'): Threshold[] {
  if (!isRecord(thresholds)) throw invalidField(path, thresholds, `must map metric names to lists of thresholds, e.g. { "http_req_duration": ["p(99)<500"] }`);
  const parsed: Threshold[] = [];
  for (const [metric, list] of Object.entries(thresholds)) {
    const field = `${path}.${metric}`;
    if (!(THRESHOLD_METRICS as readonly string[]).includes(metric)) throw invalidField(field, list, `unknown metric '${metric}': ${unknownMetric(metric)}`);
    if (!Array.isArray(list)) throw invalidField(field, list, `must be a list of thresholds, e.g. ["${metric === 'http_req_failed' ? 'rate==0' : 'p(99)<500'}"]`);
    list.forEach((entry: unknown, i) => parsed.push(parseThreshold(metric as ThresholdMetric, entry, `${field}[${i}]`)));
  }
  return parsed;
}

function parseThreshold(metric: ThresholdMetric, entry: unknown, field: string): Threshold {
  let expression = entry;
  if (isRecord(entry)) {
    for (const key of Object.keys(entry)) {
      if (key === 'abortOnFail' && entry.abortOnFail === true) throw invalidField(`${field}.abortOnFail`, true, 'zdt never aborts a run mid-maintenance (the cluster would be left half drained): remove it or set it to false');
      if (key !== 'threshold' && key !== 'abortOnFail') throw invalidField(`${field}.${key}`, entry[key], `zdt cannot honour '${key}' (it judges a threshold once, after the run): remove it`);
    }
    if (entry.abortOnFail !== undefined && entry.abortOnFail !== false) throw invalidField(`${field}.abortOnFail`, entry.abortOnFail, 'must be false');
    expression = entry.threshold;
  }
  const stats = STATS[metric];
  const usage = `use ${stats.map((s) => (s === 'p' ? 'p(N)' : s)).join(', ')}, a comparison (${Object.keys(COMPARISONS).join(' ')}) and a number, e.g. "${metric === 'http_req_failed' ? 'rate<0.01' : 'p(99)<500'}"`;
  if (typeof expression !== 'string') throw invalidField(field, expression, `must be a threshold expression (a string) or { "threshold": "..." }: ${usage}`);
  const m = EXPRESSION.exec(expression);
  const [, name, n, op, value] = m ?? [];
  const percentile = n === undefined ? null : Number(n);
  const known = name !== undefined && stats.includes(name) && (name === 'p') === (percentile !== null);
  if (!m || !known) throw invalidField(field, expression, `${JSON.stringify(expression)} is not a threshold zdt can judge on ${metric}: ${usage}`);
  if (percentile !== null && percentile > 100) throw invalidField(field, expression, `p(${n}): a percentile is 0-100`);
  return { metric, expression, stat: percentile === null ? name! : `p(${n})`, percentile, op: op as Comparison, value: Number(value) };
}

/** Whether the thresholds judge failed requests (any on http_req_failed): they then replace zdt's rule that no request may fail. */
export function judgesFailedRequests(thresholds: readonly Threshold[] | undefined): boolean {
  return thresholds?.some((t) => t.metric === 'http_req_failed') ?? false;
}

/**
 * Each threshold over the requests started in [fromMs, toMs]: http_req_failed's rate over those
 * sent (dropped ones never were), http_req_duration's statistic over those that succeeded.
 * Percentiles as k6 computes them: exact, over the sorted values, interpolating linearly
 * between the two nearest ranks.
 */
export function evaluateThresholds(thresholds: readonly Threshold[], log: RequestLog, fromMs: number, toMs: number): ThresholdResult[] {
  let sent = 0;
  let failed = 0;
  const durations = new Float64Array(log.count);
  let n = 0;
  for (let i = 0; i < log.count; i++) {
    const t = log.startedAt[i]!;
    if (t < fromMs || t > toMs || log.outcome[i] === OUTCOME_DROPPED) continue;
    sent++;
    if (failedAt(log, i)) failed++;
    else durations[n++] = log.latencyMs[i]!;
  }
  const sorted = durations.subarray(0, n).sort();
  return thresholds.map((t) => {
    const observed = t.metric === 'http_req_failed' ? (sent === 0 ? null : failed / sent) : statistic(t, sorted);
    return { metric: t.metric, expression: t.expression, observed, passed: observed !== null && COMPARISONS[t.op](observed, t.value) };
  });
}

/** A Trend statistic of sorted values, as k6's TrendSink computes it; null for none. */
function statistic(t: Threshold, sorted: Float64Array): number | null {
  if (sorted.length === 0) return null;
  if (t.stat === 'min') return sorted[0]!;
  if (t.stat === 'max') return sorted.at(-1)!;
  if (t.stat === 'avg') return sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return percentileOf(sorted, t.percentile ?? 50);
}

/** The p-th percentile (0-100) of ascending values, interpolated between ranks as k6's TrendSink does. */
export function percentileOf(sorted: ArrayLike<number>, p: number): number {
  const rank = (p / 100) * (sorted.length - 1);
  const below = sorted[Math.floor(rank)]!;
  return below + (sorted[Math.ceil(rank)]! - below) * (rank - Math.floor(rank));
}

/** What the thresholds mean for a verdict. */
export interface ThresholdVerdict {
  readonly results: readonly ThresholdResult[];
  /** Sentences that fail the run. */
  readonly failing: readonly string[];
  /** Sentences that make it inconclusive: a threshold nothing was observed for. */
  readonly doubts: readonly string[];
}

export interface ThresholdInput {
  /** The load profile's thresholds; none without a profile. */
  readonly thresholds: readonly Threshold[] | undefined;
  readonly log: RequestLog;
  readonly timeline: readonly TimelineEvent[];
  /** The load's window (first scheduled request to last response); null when nothing was sent. */
  readonly window: { readonly startMs: number; readonly endMs: number } | null;
  /** With several Services, each one's own results: a threshold one of them fails fails the run too. */
  readonly services?: readonly { readonly service: string; readonly thresholds: readonly ThresholdResult[] }[];
}

/**
 * The thresholds judged over the maintenance window. When they judge failed requests, a
 * request that failed before the window fails the run anyway: a threshold's tolerance is for
 * the maintenance, not for an app that was failing before zdt disrupted it.
 */
export function judgeThresholds({ thresholds = [], log, timeline, window, services = [] }: ThresholdInput): ThresholdVerdict {
  if (thresholds.length === 0) return { results: [], failing: [], doubts: [] };
  const fromMs = window ? maintenanceStart(timeline, window.startMs, window.endMs) : 0;
  const results = window ? evaluateThresholds(thresholds, log, fromMs, window.endMs) : thresholds.map((t) => ({ metric: t.metric, expression: t.expression, observed: null, passed: false }));
  const failing = results.flatMap((r) => (r.passed || r.observed === null ? [] : [failedSentence(r)]));
  // Nothing sent at all is already the report's own doubt.
  const doubts = window ? results.flatMap((r) => (r.observed === null ? [`threshold ${r.metric} ${r.expression} was not judged: ${r.metric === 'http_req_failed' ? 'no request was sent' : 'no request succeeded'} over the maintenance window`] : [])) : [];
  if (window && judgesFailedRequests(thresholds)) {
    let before = 0;
    for (let i = 0; i < log.count; i++) if (log.startedAt[i]! < fromMs && failedAt(log, i)) before++;
    if (before > 0) failing.push(`${before} request${before === 1 ? '' : 's'} failed before the maintenance began (the thresholds judge the maintenance window; before it, no request may fail)`);
  }
  if (services.length > 1) {
    for (const s of services) for (const r of s.thresholds) if (!r.passed && r.observed !== null) failing.push(`Service ${s.service}: ${failedSentence(r)}`);
  }
  return { results, failing, doubts };
}

/** "threshold http_req_duration p(99)<500 failed: p(99) was 1523 ms over the maintenance window". */
function failedSentence(r: ThresholdResult): string {
  // The statistic is what precedes the comparison, as parseThreshold matched it.
  const stat = r.expression.replace(/\s/g, '').split(/[<>=!]/)[0];
  return `threshold ${r.metric} ${r.expression} failed: ${stat} was ${observedText(r)} over the maintenance window`;
}

/** "0.0150" for a rate, "3.2 ms" or "1523 ms" for a duration, "no data". */
function observedText(r: ThresholdResult): string {
  if (r.observed === null) return 'no data';
  if (r.metric === 'http_req_failed') return r.observed.toFixed(4);
  return `${r.observed < 100 ? r.observed.toFixed(1) : Math.round(r.observed)} ms`;
}

/** "http_req_failed rate==0: 0.0000 ok; http_req_duration p(99)<500: 3.2 ms ok", the text report's line. */
export function formatThresholds(results: readonly ThresholdResult[]): string {
  return results.map((r) => `${r.metric} ${r.expression}: ${observedText(r)} ${r.passed ? 'ok' : 'failed'}`).join('; ');
}
