import type { GeneratorHealth } from '../load/health.ts';
import { gapDuration } from '../observe/events.ts';
import type { Burst, LabelCount, NearbyEvent } from './bursts.ts';
import { requireCount } from './options.ts';
import type { ConnectionTotals, Report, ServiceReport } from './report.ts';
import type { Resolution } from './resolution.ts';
import type { FaultFigures } from './fault.ts';
import type { PropagationLag, RoutingSummary } from './routing.ts';
import { formatThresholds } from './thresholds.ts';

export interface FormatOptions {
  /** Bursts printed in full; the rest are summarised in one line. */
  readonly maxBursts?: number;
}

/** A compact plain-text rendering for assertion messages, the CLI and CI logs. */
export function formatReport(report: Report, options: FormatOptions = {}): string {
  const maxBursts = options.maxBursts ?? 10;
  requireCount('maxBursts', maxBursts);
  const { totals } = report;
  const lines = [
    report.passed
      ? `PASS ${report.scenario}: ${totals.sent} requests, ${totals.failed} failed${withinBudget(report)}${report.resolution ? `; ${blindSpot(report.resolution)}` : ''}`
      : `${report.verdict.toUpperCase()} ${report.scenario}: ${report.problems.join('; ')}`,
  ];
  const field = (name: string, value: string) => lines.push(`  ${name.padEnd(16)}${value}`);

  if (report.t0Wall !== null) field('t0', new Date(report.t0Wall).toISOString());
  field(
    'requests',
    `${totals.scheduled} scheduled, ${totals.sent} sent, ${totals.ok} ok, ${totals.failed} failed, ${totals.lateStarts} late starts, ${totals.dropped} dropped`,
  );
  if (report.generator) field('generator', formatHealth(report.generator));
  if (report.failures.length > 0) field('failures', `${counts(report.failures)} (expected statuses ${report.expectStatus})`);
  // A cause and its fix per line: what to change, not only what broke.
  for (const [i, c] of report.causes.entries()) field(i === 0 ? 'causes' : '', `${c.count} ${c.label}: ${c.fix}`);
  if (report.reusedUnanswered !== null && report.totals.failed > 0) {
    field('stale reuse', `${report.reusedUnanswered} of ${totals.failed} failed requests went out on a reused kept-alive connection and got no response byte: a client that retries idempotent requests on such a connection (Go net/http, browsers) would not have seen them; the verdict counts them all`);
  }
  // Which kind of connection failed says where to look: new ones at routing (preStop delay), kept-alive ones at the server's shutdown.
  if (report.failures.length > 0 && report.connections.length > 1) field('connections', report.connections.map(formatConnection).join('; '));
  if (report.latency) {
    const l = report.latency;
    field('latency', `p50 ${ms(l.p50)}, p90 ${ms(l.p90)}, p99 ${ms(l.p99)}, p99.9 ${ms(l.p999)}, max ${ms(l.max)} (${l.count} ok responses)`);
  }
  if (report.thresholds.length > 0) field('thresholds', formatThresholds(report.thresholds));
  if (report.longestGap) {
    const g = report.longestGap;
    field('longest gap', `${ms(g.durationMs)} without a successful response (${range(g.startMs, g.endMs)})`);
  }
  if (report.resolution) field('resolution', resolutionSentence(report.resolution));
  if (report.fault) field('node fault', formatFault(report.fault));
  for (const setting of report.fault?.settings ?? []) field('', setting);
  for (const g of report.observerGaps) field('observer gap', `${gapDuration(g.durationMs)} (${range(g.startMs, g.endMs)})`);
  const ready = report.readyEndpoints;
  field('ready endpoints', ready.min === null ? 'not observed' : `min ${ready.min} at ${seconds(ready.minAtMs!)}`);
  // One Service's verdict is the whole report's; several get a line each.
  if (report.services.length > 1) for (const s of report.services) field(`Service ${s.service}`, formatService(s));
  if (report.maintenance) {
    const m = report.maintenance;
    field('maintenance', m.completed ? 'completed' : `did not complete${m.reason ? `: ${m.reason}` : ''}`);
    for (const note of m.notes ?? []) field('', note);
  }
  for (const d of report.displaced) {
    field('displaced', `${d.pod}${d.node ? ` on ${d.node}` : ''}: terminating at ${seconds(d.terminatingAtMs)}, ${d.goneAtMs === null ? 'not seen gone' : `gone at ${seconds(d.goneAtMs)} (${ms(d.goneAtMs - d.terminatingAtMs)} later)`}`);
  }
  if (report.answeredBy.length > 0) field('answered by', counts(report.answeredBy));
  if (report.routing) field('routing', formatRouting(report.routing));
  if (report.propagationLag) field('propagation lag', formatLag(report.propagationLag));
  for (const f of report.findings) field('finding', `${f.severity} ${f.rule}${f.subject ? ` ${f.subject}` : ''}: ${f.message}`);

  if (report.bursts.length > 0) {
    lines.push(`  ${report.bursts.length} failure burst${report.bursts.length === 1 ? '' : 's'} (by request start time):`);
    report.bursts.slice(0, maxBursts).forEach((burst, i) => lines.push(...formatBurst(burst, i + 1, report.t0Wall)));
    const rest = report.bursts.slice(maxBursts);
    if (rest.length > 0) {
      lines.push(`  ... ${rest.length} more bursts, ${rest.reduce((n, b) => n + b.count, 0)} failures (${range(rest[0]!.startMs, rest.at(-1)!.endMs)})`);
    }
  }
  return lines.join('\n');
}

/** "FAIL: 120 of 3000 requests failed (ECONNREFUSED 120), longest gap 1.20 s, min 0 ready endpoints". */
export function formatService(s: ServiceReport): string {
  const outcome = s.verdict === 'pass' ? `PASS: ${s.totals.sent} requests, ${s.totals.failed} failed` : `${s.verdict.toUpperCase()}: ${s.problems.join('; ')}`;
  const failures = s.failures.length > 0 ? ` (${counts(s.failures)})` : '';
  const gap = s.longestGap ? `, longest gap ${ms(s.longestGap.durationMs)}` : '';
  const ready = s.minReadyEndpoints === null ? '' : `, min ${s.minReadyEndpoints} ready endpoints`;
  const resolution = s.resolution ? `, blind to outages under ${ms(s.resolution.blindSpotMs)}` : '';
  return `${outcome}${failures}${gap}${ready}${resolution}`;
}

/** " (within --max-failed 2%, --max-outage 5000 ms)" when a budget was given, else "". */
function withinBudget({ budget }: Report): string {
  const parts = [...(budget.maxFailed !== '0' ? [`--max-failed ${budget.maxFailed}`] : []), ...(budget.maxOutageMs !== null ? [`--max-outage ${budget.maxOutageMs} ms`] : [])];
  return parts.length > 0 ? ` (within ${parts.join(', ')})` : '';
}

/** "kill zdt-worker at 3.012 s: detected (NotReady) after 52.1 s, failures for 49.8 s from +1.2 s, full strength after 61.0 s, node back at 60.0 s and Ready 78.3 s after the fault". */
function formatFault(f: FaultFigures): string {
  const after = (v: number | null, what: string, none: string) => (v === null ? none : `${what} after ${ms(v)}`);
  const failures = f.recoverMs === null ? 'no failed request' : `failures for ${ms(f.recoverMs)} from +${ms(f.firstFailureMs!)}`;
  return [
    `${f.fault} ${f.node} at ${seconds(f.startMs)}`,
    after(f.detectMs, 'detected (NotReady)', 'never marked NotReady'),
    failures,
    after(f.fullStrengthMs, 'full strength', 'ready endpoints never dropped'),
    `${after(f.restoredMs, 'node given back', 'node not given back')}, ${after(f.nodeReadyMs, 'Ready', 'not seen Ready again')}`,
  ].join('; ');
}

/** "an outage shorter than 12 ms could have gone unseen": what a green run proves. */
function blindSpot(r: Resolution): string {
  return `an outage shorter than ${ms(r.blindSpotMs)} could have gone unseen`;
}

/** "an outage shorter than 12 ms could have gone unseen from 3.200 s to 38.100 s (keep-alive 10 ms, new 21 ms)". */
export function resolutionSentence(r: Resolution): string {
  const kinds = r.connections.length > 1 ? `; on ${r.connections.map((c) => `${c.connection} connections ${ms(c.blindSpotMs)}`).join(', ')}` : '';
  return `${blindSpot(r)} from ${seconds(r.startMs)} to ${seconds(r.endMs)} (longest stretch without a request start${kinds})`;
}

/** "event loop delay p99 12 ms, max 48 ms; 23% of a core at nice -10 (autogroup -10); CPU pressure 41% of the time". */
function formatHealth(h: GeneratorHealth): string {
  const pressure = h.cpuPressurePercent === null ? '' : `; CPU pressure ${Math.round(h.cpuPressurePercent)}% of the time`;
  const nice = (h.nice === null ? '' : ` at nice ${h.nice}`) + (h.autogroupNice === null ? '' : ` (autogroup ${h.autogroupNice})`);
  return `event loop delay p99 ${Math.round(h.loopDelayP99Ms)} ms, max ${Math.round(h.loopDelayMaxMs)} ms; ${Math.round(h.cpuPercent)}% of a core${nice}${pressure}`;
}

/**
 * "6101 of 6112 requests attributed to the pod they were routed to, by conntrack on
 * zdt-control-plane; the pod header agrees on 5890 of 5890", or the header's count alone.
 */
function formatRouting(r: RoutingSummary): string {
  if (r.method === 'header') return `${r.attributed} requests named their pod in a response header (not seen from the cluster's side)`;
  const check = r.compared > 0 ? `; the pod header agrees on ${r.agreed} of ${r.compared}` : '';
  return `${r.attributed} of ${r.sent} requests attributed to the pod they were routed to, by conntrack on ${r.node}${check}`;
}

/** "p50 310 ms, max 1.20 s over 2 pods; preStop delay 5.00 s leaves 3.80 s" (or "is 0.20 s short: set it to at least 2 s"). */
function formatLag(l: PropagationLag): string {
  const measured = `p50 ${ms(l.p50Ms)}, max ${ms(l.maxMs)} over ${l.pods.length} pod${l.pods.length === 1 ? '' : 's'} (last new connection after its endpoint left rotation)`;
  if (l.preStopDelayMs === undefined || l.marginMs === undefined) return `${measured}; no preStop delay: ${recommendDelay(l)}`;
  return l.marginMs >= 0
    ? `${measured}; preStop delay ${ms(l.preStopDelayMs)} leaves ${ms(l.marginMs)}`
    : `${measured}; preStop delay ${ms(l.preStopDelayMs)} is ${ms(-l.marginMs)} short: ${recommendDelay(l)}`;
}

/** Twice the worst lag seen, rounded up to whole seconds and at least 2 s: lag varies with kube-proxy's sync and the API server's load. */
export function recommendedDelaySeconds(l: PropagationLag): number {
  return Math.max(2, Math.ceil((2 * l.maxMs) / 1000));
}

const recommendDelay = (l: PropagationLag) => `sleep at least ${recommendedDelaySeconds(l)} s in preStop`;

/** "new: 40 of 2900 failed (ECONNREFUSED 40)". */
function formatConnection(c: ConnectionTotals): string {
  return `${c.connection}: ${c.failed} of ${c.sent} failed${c.failures.length > 0 ? ` (${counts(c.failures)})` : ''}`;
}

function formatBurst(burst: Burst, ordinal: number, t0Wall: number | null): string[] {
  const wall = t0Wall === null ? '' : ` (${clock(t0Wall + burst.startMs)}-${clock(t0Wall + burst.endMs)} UTC)`;
  const head = `  #${ordinal} ${range(burst.startMs, burst.endMs)}${wall}: ${burst.count} failed: ${counts(burst.outcomes)}`;
  if (burst.events.length === 0) return [head, '      no timeline events nearby'];
  return [head, ...[...burst.events].sort((a, b) => a.t - b.t).map((e) => `      ${formatNearby(e)}`)];
}

/** "-80 ms  pod-terminating  pod/web-abc": the offset is from the burst's first failure. */
export function formatNearby(e: NearbyEvent): string {
  const where = e.position === 'after' ? ' (after the burst)' : '';
  return `${signedMs(e.offsetMs).padStart(9)}  ${e.kind.padEnd(18)}  ${e.subject}${e.detail ? ` ${e.detail}` : ''}${where}`;
}

export function counts(list: readonly LabelCount[]): string {
  return list.map((c) => `${c.label} ${c.count}`).join(', ');
}

/** Milliseconds on the run clock as seconds since t0: "12.400 s". */
export function seconds(t: number): string {
  return `${(t / 1000).toFixed(3)} s`;
}

export function range(startMs: number, endMs: number): string {
  return `${(startMs / 1000).toFixed(3)}-${seconds(endMs)}`;
}

/** A duration: "0.42 ms", "80 ms", "2.10 s". */
export function ms(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (abs >= 10) return `${Math.round(value)} ms`;
  return `${Number(value.toFixed(2))} ms`;
}

function signedMs(value: number): string {
  return value < 0 ? `-${ms(-value)}` : `+${ms(value)}`;
}

function clock(wallMs: number): string {
  return new Date(wallMs).toISOString().slice(11, 23);
}
