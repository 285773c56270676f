import { build as buildHistogram } from 'hdr-histogram-js';
import { CONNECTION_KINDS, expectationOf, failedAt, OUTCOME_DROPPED, outcomeLabel, type ConnectionKind, type RequestLog } from '../load/types.ts';
import { explainHealth, type GeneratorHealth } from '../load/health.ts';
import { serviceOfEvent, type TimelineEvent } from '../observe/events.ts';
import { displacedPods, unmeasuredExits, type DisplacedPod } from './displaced.ts';
import { countsOf, findBursts, resolveBurstOptions, type Burst, type BurstOptions, type LabelCount } from './bursts.ts';
import { increment } from './counts.ts';
import { summarizeRouting, type PropagationLag, type RoutingSummary } from './routing.ts';
import { invalidOption, requireCount, requireNonNegative, requirePositive } from './options.ts';
import { coarsest, resolutionOf, type Resolution } from './resolution.ts';
import { checkBudget, overBudget, stateBudget, type AvailabilityBudget, type BudgetStatement } from './budget.ts';
import { faultFigures, type FaultFigures } from './fault.ts';
import { requestCauses, sumCauses, tallyCauses, type CauseCount } from './causes.ts';
import { judgeThresholds, judgesFailedRequests, percentileOf, type Threshold, type ThresholdResult } from './thresholds.ts';

export const REPORT_SCHEMA = 'zdt.report/v1';

/** Number of ready endpoints behind the Service from `t` until the next point. */
export interface ReadyPoint {
  readonly t: number;
  readonly ready: number;
}

export interface MaintenanceOutcome {
  readonly completed: boolean;
  readonly reason?: string;
  /** What the maintenance left alone or could not do, one sentence each (e.g. DaemonSet pods a drain skipped). */
  readonly notes?: readonly string[];
}

/** A manifest finding carried into the report as-is; it is shown, it does not decide the verdict. */
export interface ReportFinding {
  readonly severity: 'error' | 'warning' | 'info';
  readonly rule: string;
  readonly message: string;
  readonly subject?: string;
}

/** One Service's load: its own stream of requests to its own URL, on the run's clock. */
export interface LoadStream {
  readonly service: string;
  readonly url: string;
  readonly log: RequestLog;
}

export interface ReportInput {
  /** Every request of the run; with `streams`, their logs merged (harness/load/merge.ts). */
  readonly log: RequestLog;
  /**
   * The per-Service streams `log` merges, each judged on its own in Report.services. Endpoint
   * events belong to a Service by their subject, `endpoint/<service>/<address>` (the watcher's).
   */
  readonly streams?: readonly LoadStream[];
  readonly timeline: readonly TimelineEvent[];
  readonly scenario: string;
  /** Wall time (epoch ms) of the run clock's t0 (Clock.t0Wall), so reports can print wall-clock times. */
  readonly t0Wall?: number;
  /** Ready endpoints over time from an endpoints watcher; when absent, derived from the timeline's endpoint-* events. */
  readonly readyEndpoints?: readonly ReadyPoint[];
  /** Whether the drain/rollout under test finished; a run whose maintenance did not complete proves nothing. */
  readonly maintenance?: MaintenanceOutcome;
  readonly findings?: readonly ReportFinding[];
  readonly bursts?: BurstOptions;
  /** Width of the requests-over-time buckets in the report (ms). */
  readonly bucketMs?: number;
  /**
   * Share of scheduled requests that may start late (but were sent) before the run is
   * inconclusive. Default 0.01: on a small CI machine a GC pause or a busy core delays a few
   * starts; more than that means the service saw less load than scheduled. Any drop counts.
   */
  readonly maxLateStartFraction?: number;
  /** Failures and outage the run may show and still pass; default none (see AvailabilityBudget). */
  readonly budget?: AvailabilityBudget;
  /** With a node fault in the timeline: what sets its times, one sentence each (FaultFigures.settings). */
  readonly faultSettings?: readonly string[];
  /**
   * A load profile's thresholds (parseThresholds), judged over the maintenance window. Any on
   * http_req_failed judge failed requests in place of the rule that none may fail (and of the
   * budget's maxFailed).
   */
  readonly thresholds?: readonly Threshold[];
  /** Where `log.routedTo` came from (routing.ts); without it only the pod header attributes requests. */
  readonly routing?: { readonly method: 'conntrack'; readonly node: string };
  /** Measured propagation lag (routing.ts' propagationLag), when conntrack watched. */
  readonly propagationLag?: PropagationLag | null;
}

export interface Totals {
  /** Rows in the RequestLog: every request the open-model schedule asked for. */
  readonly scheduled: number;
  /** scheduled - dropped. */
  readonly sent: number;
  /** Sent and answered with an expected status (Report.expectStatus). */
  readonly ok: number;
  readonly failed: number;
  /** Sent later than the generator's late-start bound (included in sent). */
  readonly lateStarts: number;
  /** Never sent: the generator hit its in-flight cap (outcome OUTCOME_DROPPED). */
  readonly dropped: number;
}

export interface Span {
  readonly startMs: number;
  readonly endMs: number;
  readonly durationMs: number;
}

/** Latency of responses that did not fail (ms); a fast ECONNREFUSED would otherwise flatter the percentiles. */
export interface Latency {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

export interface ReadyEndpoints {
  /** Fewest ready endpoints while load ran (null when nothing reported endpoints). */
  readonly min: number | null;
  readonly minAtMs: number | null;
  readonly series: readonly ReadyPoint[];
}

/** Requests by start time in fixed buckets: bucket i covers [startMs + i*bucketMs, startMs + (i+1)*bucketMs). */
export interface Throughput {
  readonly bucketMs: number;
  readonly startMs: number;
  readonly ok: readonly number[];
  readonly failed: readonly number[];
  /** Latency (ms) of the bucket's successful requests at p50 and p99 (exact, as percentileOf); null where none succeeded. */
  readonly p50: readonly (number | null)[];
  readonly p99: readonly (number | null)[];
}

/**
 * Requests by the kind of connection they went out on (RequestLog.newConnection): 'new' ones
 * were routed afresh, so they fail when routed to a pod that stopped listening; 'keep-alive'
 * ones fail when a pod closes or resets a connection already open.
 */
export interface ConnectionTotals {
  readonly connection: ConnectionKind;
  readonly sent: number;
  readonly failed: number;
  readonly failures: readonly LabelCount[];
}

/** A failure burst with the causes of its own failed requests, each with its fix. */
export interface ExplainedBurst extends Burst {
  readonly causes: readonly CauseCount[];
}

/** One Service's own verdict: its requests, its endpoints, its bursts. */
export interface ServiceReport {
  readonly service: string;
  readonly url: string;
  readonly verdict: Verdict;
  readonly problems: readonly string[];
  readonly totals: Totals;
  readonly failures: readonly LabelCount[];
  /** Why its requests failed, with the fix for each (see causes.ts). */
  readonly causes: readonly CauseCount[];
  readonly longestGap: Span | null;
  readonly latency: Latency | null;
  /** Fewest ready endpoints of this Service while load ran. */
  readonly minReadyEndpoints: number | null;
  readonly bursts: readonly ExplainedBurst[];
  /** How short an outage of this Service could have gone unseen (see Resolution). */
  readonly resolution: Resolution | null;
  /** The thresholds judged on this Service's stream alone. */
  readonly thresholds: readonly ThresholdResult[];
}

/**
 * 'inconclusive': nothing failed, but the generator fell behind (late starts, drops) or sent
 * nothing, so the service was not shown to take the scheduled load.
 */
export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** Plain JSON: JSON.parse(JSON.stringify(report)) deep-equals the report. */
export interface Report {
  readonly schema: typeof REPORT_SCHEMA;
  readonly scenario: string;
  readonly verdict: Verdict;
  /** verdict === 'pass'. */
  readonly passed: boolean;
  /** Why the scenario did not pass, one sentence each; empty when it passed. */
  readonly problems: readonly string[];
  readonly t0Wall: number | null;
  /** From the first scheduled request to the last response (null when nothing was sent). */
  readonly window: Span | null;
  readonly totals: Totals;
  /** The statuses counted as success (the log's expectStatus, default 200-399); any other status is a failure, counted under its number. */
  readonly expectStatus: string;
  readonly failures: readonly LabelCount[];
  /** Why requests failed, each cause with its count and fix (causes.ts); with several Services, theirs added up. Empty when none failed. */
  readonly causes: readonly CauseCount[];
  /** The availability budget the verdict used ("0" failed and no outage bound unless given). */
  readonly budget: BudgetStatement;
  /** Sent and failed requests per kind of connection, kinds that sent none left out; empty when the log did not record it. */
  readonly connections: readonly ConnectionTotals[];
  /** How short an outage during the maintenance could have gone unseen; with several Services, the coarsest of theirs. Null when nothing was sent. */
  readonly resolution: Resolution | null;
  /** Longest stretch of the window without a successful response (by completion time). */
  readonly longestGap: Span | null;
  readonly latency: Latency | null;
  /** The load profile's thresholds (ReportInput.thresholds), each judged over the maintenance window; empty without them. */
  readonly thresholds: readonly ThresholdResult[];
  /** Ready endpoints behind the loaded Services (summed over them when there are several; each Service's own is in `services`). */
  readonly readyEndpoints: ReadyEndpoints;
  /** A verdict per loaded Service, in load order (from ReportInput.streams; empty without them). */
  readonly services: readonly ServiceReport[];
  readonly answeredBy: readonly LabelCount[];
  /**
   * Failed requests that went out on a reused kept-alive connection and got no response byte
   * (RequestLog.reusedUnanswered): a client that retries idempotent requests on a stale
   * connection (Go net/http, browsers) would not have seen them. The verdict counts them all.
   * Null when the log did not record it.
   */
  readonly reusedUnanswered: number | null;
  /** How the load generator's process fared (harness/load/health.ts); null for a log built by hand. */
  readonly generator: GeneratorHealth | null;
  /** How requests were attributed to pods and how far that reaches (RoutingSummary); null when nothing was. */
  readonly routing: RoutingSummary | null;
  /** How long after a pod left rotation new connections still reached it; null when not measured. */
  readonly propagationLag: PropagationLag | null;
  readonly bursts: readonly ExplainedBurst[];
  readonly throughput: Throughput;
  readonly maintenance: MaintenanceOutcome | null;
  /** Every pod the maintenance displaced, with when its deletion began and when it was gone. */
  readonly displaced: readonly DisplacedPod[];
  /** Detect and recovery times of a node fault (scenarios node-crash, node-freeze, node-partition); null for other maintenance. */
  readonly fault: FaultFigures | null;
  /** When zdt could not see (part of) the cluster (see observerGapsFromTimeline); the request counts do not depend on it. */
  readonly observerGaps: readonly Span[];
  readonly findings: readonly ReportFinding[];
  readonly timeline: readonly TimelineEvent[];
}

export function buildReport(input: ReportInput): Report {
  const { log, timeline, scenario } = input;
  if (typeof scenario !== 'string' || scenario.trim() === '') throw invalidOption('scenario', scenario, 'a non-empty string');
  if (input.t0Wall !== undefined) requireNonNegative('t0Wall', input.t0Wall);
  const bucketMs = input.bucketMs ?? 100;
  requirePositive('bucketMs', bucketMs);
  const maxLateStartFraction = input.maxLateStartFraction ?? 0.01;
  requireNonNegative('maxLateStartFraction', maxLateStartFraction);
  checkBudget(input.budget);
  const burstOptions = resolveBurstOptions(input.bursts);
  checkLog(log);

  const window = loadWindow(log);
  const totals = countTotals(log);
  const failures = new Map<string, number>();
  const answeredBy = new Map<string, number>();
  for (let i = 0; i < log.count; i++) {
    const outcome = log.outcome[i]!;
    if (failedAt(log, i)) increment(failures, outcomeLabel(outcome));
    const pod = log.pods[log.pod[i]!];
    if (pod) increment(answeredBy, pod);
  }
  const readySeries = normaliseSeries(input.readyEndpoints ?? readySeriesFromTimeline(timeline));
  const causes = requestCauses(log, timeline, readySeries);
  const maintenance = input.maintenance ?? null;

  const services = (input.streams ?? []).map((stream) => serviceReport(stream, input));
  const gap = longestGap(log, window);
  const failing = overBudget(input.budget, judgesFailedRequests(input.thresholds) ? 0 : totals.failed, totals.sent, gap?.durationMs ?? null, failedServices(services));
  const thresholds = judgeThresholds({ thresholds: input.thresholds, log, timeline, window, services });
  failing.push(...thresholds.failing);
  const unfinished = maintenanceProblem(maintenance);
  if (unfinished) failing.push(unfinished);
  const doubts: string[] = [...thresholds.doubts];
  if (totals.sent === 0) doubts.push('no request was sent, so nothing was proven');
  if (totals.dropped > 0 || totals.lateStarts > maxLateStartFraction * totals.scheduled) {
    doubts.push(`the load generator fell behind (${totals.lateStarts} late starts, ${totals.dropped} dropped${log.generator ? `; ${explainHealth(log.generator)}` : ''}), so the service saw less load than scheduled`);
  }
  const displaced = displacedPods(timeline);
  const unmeasured = unmeasuredExits(displaced, timeline);
  if (unmeasured.length > 0) {
    doubts.push(`${unmeasured.map((d) => d.pod).join(', ')} still terminating when the load stopped, so what its exit did to traffic was not measured`);
  }
  const verdict: Verdict = failing.length > 0 ? 'fail' : doubts.length > 0 ? 'inconclusive' : 'pass';

  return {
    schema: REPORT_SCHEMA,
    scenario,
    verdict,
    passed: verdict === 'pass',
    problems: [...failing, ...doubts],
    t0Wall: input.t0Wall ?? null,
    window,
    totals,
    expectStatus: expectationOf(log).spec,
    failures: countsOf(failures),
    causes: services.length > 0 ? sumCauses(services.map((s) => s.causes)) : tallyCauses(causes),
    budget: stateBudget(input.budget),
    connections: connectionTotals(log),
    resolution: services.length > 0 ? coarsest(services.map((s) => s.resolution)) : window && resolutionOf(log, timeline, window.startMs, window.endMs),
    longestGap: gap,
    latency: latency(log),
    thresholds: thresholds.results,
    readyEndpoints: { ...minReady(readySeries, window), series: readySeries },
    services,
    answeredBy: countsOf(answeredBy),
    generator: log.generator ?? null,
    reusedUnanswered: log.reusedUnanswered ? countFailedWhere(log, log.reusedUnanswered) : null,
    routing: log.routedTo && input.routing ? summarizeRouting(log, input.routing) : answeredBy.size > 0 ? summarizeRouting(log, { method: 'header' }) : null,
    propagationLag: input.propagationLag ?? null,
    bursts: findBursts(log, timeline, burstOptions).map((b) => ({
      ...b,
      causes: tallyCauses(causes, (i) => log.startedAt[i]! >= b.startMs && log.startedAt[i]! <= b.endMs),
    })),
    throughput: throughput(log, window, bucketMs),
    maintenance,
    displaced,
    fault: faultFigures(log, timeline, readySeries, input.faultSettings),
    observerGaps: observerGapsFromTimeline(timeline),
    findings: [...(input.findings ?? [])],
    timeline: [...timeline],
  };
}

function countFailedWhere(log: RequestLog, flags: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < log.count; i++) if (flags[i] === 1 && failedAt(log, i)) n++;
  return n;
}

/** A Service's stream judged alone: the run's events, but only its own endpoints; the maintenance is judged once, overall. */
function serviceReport(stream: LoadStream, input: ReportInput): ServiceReport {
  const timeline = input.timeline.filter((e) => (serviceOfEvent(e) ?? stream.service) === stream.service);
  const r = buildReport({ ...input, log: stream.log, streams: undefined, timeline, maintenance: undefined, readyEndpoints: undefined });
  return {
    service: stream.service,
    url: stream.url,
    verdict: r.verdict,
    problems: r.problems,
    totals: r.totals,
    failures: r.failures,
    causes: r.causes,
    longestGap: r.longestGap,
    latency: r.latency,
    minReadyEndpoints: r.readyEndpoints.min,
    bursts: r.bursts,
    resolution: r.resolution,
    thresholds: r.thresholds,
  };
}

/** "maintenance did not complete: <reason>" for a maintenance that did not, else undefined: a problem of the whole run, whichever Service it is read for. */
export function maintenanceProblem(maintenance: MaintenanceOutcome | null | undefined): string | undefined {
  if (!maintenance || maintenance.completed) return undefined;
  return `maintenance did not complete${maintenance.reason ? `: ${maintenance.reason}` : ''}`;
}

/** " (Service api: 12 of 3000)": which Services the failures were on, when there are several. */
function failedServices(services: readonly ServiceReport[]): string {
  if (services.length < 2) return '';
  const failed = services.filter((s) => s.totals.failed > 0);
  return ` (${failed.map((s) => `Service ${s.service}: ${s.totals.failed} of ${s.totals.sent}`).join(', ')})`;
}

function checkLog(log: RequestLog): void {
  requireCount('log.count', log.count);
  for (const column of ['scheduledAt', 'startedAt', 'latencyMs', 'outcome', 'pod'] as const) {
    if (log[column].length < log.count) throw invalidOption(`log.${column}.length`, log[column].length, `>= log.count (${log.count})`);
  }
}

function countTotals(log: RequestLog): Totals {
  let failed = 0;
  let dropped = 0;
  for (let i = 0; i < log.count; i++) {
    if (failedAt(log, i)) failed++;
    else if (log.outcome[i] === OUTCOME_DROPPED) dropped++;
  }
  const sent = log.count - dropped;
  return { scheduled: log.count, sent, ok: sent - failed, failed, lateStarts: log.lateStarts, dropped };
}

function connectionTotals(log: RequestLog): ConnectionTotals[] {
  const column = log.newConnection;
  if (!column) return [];
  const kinds = CONNECTION_KINDS.map((connection) => ({ connection, sent: 0, failed: 0, failures: new Map<string, number>() }));
  for (let i = 0; i < log.count; i++) {
    if (log.outcome[i] === OUTCOME_DROPPED) continue;
    const kind = kinds[column[i]!]!;
    kind.sent++;
    if (failedAt(log, i)) {
      kind.failed++;
      increment(kind.failures, outcomeLabel(log.outcome[i]!));
    }
  }
  return kinds.filter((k) => k.sent > 0).map((k) => ({ ...k, failures: countsOf(k.failures) }));
}

/** Sent and answered without failing. */
const succeeded = (log: RequestLog, i: number) => log.outcome[i] !== OUTCOME_DROPPED && !failedAt(log, i);

/** When a request ended; a dropped one (NaN latency) ended when it was dropped. */
const completedAt = (log: RequestLog, i: number) => log.startedAt[i]! + (log.outcome[i] === OUTCOME_DROPPED ? 0 : log.latencyMs[i]!);

function span(startMs: number, endMs: number): Span {
  return { startMs, endMs, durationMs: endMs - startMs };
}

function loadWindow(log: RequestLog): Span | null {
  if (log.count === 0) return null;
  let start = Infinity;
  let end = -Infinity;
  for (let i = 0; i < log.count; i++) {
    start = Math.min(start, log.scheduledAt[i]!);
    end = Math.max(end, completedAt(log, i));
  }
  return span(start, end);
}

/** The window's edges count as boundaries, so a service that never recovers shows its full outage. */
function longestGap(log: RequestLog, window: Span | null): Span | null {
  if (!window) return null;
  const times: number[] = [window.startMs];
  for (let i = 0; i < log.count; i++) if (succeeded(log, i)) times.push(completedAt(log, i));
  times.push(window.endMs);
  times.sort((a, b) => a - b);
  let best = span(times[0]!, times[0]!);
  for (let k = 1; k < times.length; k++) {
    if (times[k]! - times[k - 1]! > best.durationMs) best = span(times[k - 1]!, times[k]!);
  }
  return best;
}

function latency(log: RequestLog): Latency | null {
  // Microsecond integers: HDR histograms record integers; 3 significant digits keeps 0.1% precision.
  const histogram = buildHistogram({ lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 });
  try {
    for (let i = 0; i < log.count; i++) {
      if (succeeded(log, i)) histogram.recordValue(Math.max(0, Math.round(log.latencyMs[i]! * 1000)));
    }
    if (histogram.totalCount === 0) return null;
    const at = (percentile: number) => histogram.getValueAtPercentile(percentile) / 1000;
    return { count: histogram.totalCount, p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: histogram.maxValue / 1000 };
  } finally {
    histogram.destroy();
  }
}

/** Replays endpoint-ready / endpoint-not-ready / endpoint-removed per endpoint subject into a ready count. */
export function readySeriesFromTimeline(timeline: readonly TimelineEvent[]): ReadyPoint[] {
  const ready = new Set<string>();
  const series: ReadyPoint[] = [];
  for (const e of [...timeline].sort((a, b) => a.t - b.t)) {
    if (e.kind === 'endpoint-ready') ready.add(e.subject);
    else if (e.kind === 'endpoint-not-ready' || e.kind === 'endpoint-removed') ready.delete(e.subject);
    else continue;
    series.push({ t: e.t, ready: ready.size });
  }
  return series;
}

/**
 * The watcher's blind windows: each stream's observer-gap-start to its observer-gap-end, merged
 * where streams overlap (part of the cluster was unseen throughout). A gap never closed runs to
 * the last event recorded, the end of what is known.
 */
export function observerGapsFromTimeline(timeline: readonly TimelineEvent[]): Span[] {
  const sorted = [...timeline].sort((a, b) => a.t - b.t);
  const open = new Map<string, number>();
  const gaps: Span[] = [];
  for (const e of sorted) {
    const start = open.get(e.subject);
    if (e.kind === 'observer-gap-start' && start === undefined) open.set(e.subject, e.t);
    else if (e.kind === 'observer-gap-end' && start !== undefined) {
      gaps.push(span(start, e.t));
      open.delete(e.subject);
    }
  }
  const last = sorted.at(-1)?.t ?? 0;
  for (const start of open.values()) gaps.push(span(start, last));
  const merged: Span[] = [];
  for (const g of gaps.sort((a, b) => a.startMs - b.startMs)) {
    const prev = merged.at(-1);
    if (prev && g.startMs <= prev.endMs) merged[merged.length - 1] = span(prev.startMs, Math.max(prev.endMs, g.endMs));
    else merged.push(g);
  }
  return merged;
}

/** Sorted by time, one point per instant (the last one wins), no repeats of an unchanged count. */
function normaliseSeries(series: readonly ReadyPoint[]): ReadyPoint[] {
  const out: ReadyPoint[] = [];
  for (const p of [...series].sort((a, b) => a.t - b.t)) {
    if (!Number.isFinite(p.t) || !Number.isInteger(p.ready) || p.ready < 0) throw invalidOption('readyEndpoints[]', p, '{ t: finite ms, ready: integer >= 0 }');
    if (out.at(-1)?.t === p.t) out.pop();
    if (out.at(-1)?.ready !== p.ready) out.push({ t: p.t, ready: p.ready });
  }
  return out;
}

/**
 * Minimum over the load window: the count in force when load started and every change during it.
 * Points before the window are the watcher listing endpoints one by one, not an outage.
 */
function minReady(series: readonly ReadyPoint[], window: Span | null): Pick<ReadyEndpoints, 'min' | 'minAtMs'> {
  let inForce: ReadyPoint | undefined;
  const candidates: ReadyPoint[] = [];
  for (const p of series) {
    if (window && p.t <= window.startMs) inForce = p;
    else if (!window || p.t <= window.endMs) candidates.push(p);
  }
  if (inForce) candidates.unshift({ t: window!.startMs, ready: inForce.ready });
  let best: ReadyPoint | undefined;
  for (const p of candidates) if (!best || p.ready < best.ready) best = p;
  return { min: best?.ready ?? null, minAtMs: best?.t ?? null };
}

function throughput(log: RequestLog, window: Span | null, bucketMs: number): Throughput {
  if (!window) return { bucketMs, startMs: 0, ok: [], failed: [], p50: [], p99: [] };
  const startMs = Math.floor(window.startMs / bucketMs) * bucketMs;
  const buckets = Math.floor((window.endMs - startMs) / bucketMs) + 1;
  const ok = new Array<number>(buckets).fill(0);
  const failed = new Array<number>(buckets).fill(0);
  const latencies: number[][] = Array.from({ length: buckets }, () => []);
  for (let i = 0; i < log.count; i++) {
    const b = Math.min(buckets - 1, Math.max(0, Math.floor((log.startedAt[i]! - startMs) / bucketMs)));
    if (failedAt(log, i)) failed[b]!++;
    else if (succeeded(log, i)) {
      ok[b]!++;
      latencies[b]!.push(log.latencyMs[i]!);
    }
  }
  for (const l of latencies) l.sort((a, b) => a - b);
  const at = (p: number) => latencies.map((l) => (l.length === 0 ? null : Math.round(percentileOf(l, p) * 1000) / 1000));
  return { bucketMs, startMs, ok, failed, p50: at(50), p99: at(99) };
}
