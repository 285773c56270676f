import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TimelineKind } from '../observe/events.ts';
import { counts, formatNearby, formatReport, ms, range, resolutionSentence, seconds } from '../verdict/format.ts';
import { podLanes, type PodState } from './lanes.ts';

/** Height of one pod's row under the request chart. */
const LANE_HEIGHT_PX = 22;
/** Widths of the charts' y axes: the pod names on the left, ready endpoints and latency on the right. */
const LABEL_AXIS_PX = 190;
const READY_AXIS_PX = 50;
const LATENCY_AXIS_PX = 60;
import type { Report } from '../verdict/report.ts';
import { escapeMarkup } from './escape.ts';

/** Events drawn as vertical markers, each at its own height so coinciding events stay apart. */
const MARKERS: readonly { kind: TimelineKind; label: string; color: string; height: number }[] = [
  { kind: 'cordon', label: 'cordon', color: '#6d4c41', height: 0.96 },
  { kind: 'eviction-accepted', label: 'eviction accepted', color: '#8e24aa', height: 0.88 },
  { kind: 'eviction-refused', label: 'eviction refused (429)', color: '#ef6c00', height: 0.8 },
  { kind: 'pod-terminating', label: 'pod terminating', color: '#d81b60', height: 0.72 },
  { kind: 'pod-ready', label: 'pod ready', color: '#00897b', height: 0.64 },
];

/** How each state of a pod's lane is drawn. */
const LANE_COLORS: Readonly<Record<PodState, string>> = { starting: '#b0bec5', serving: '#43a047', 'not-ready': '#fb8c00', terminating: '#d81b60' };

/** Chart.js data for one report, x in seconds since t0: the request chart and the pod lanes under it; the page only adds behaviour. */
export function chartData(report: Report): { datasets: unknown[]; x: { min: number; max: number }; lanes: { labels: string[]; datasets: unknown[] } } {
  const { throughput: tp, window } = report;
  const bucketX = (i: number) => (tp.startMs + (i + 0.5) * tp.bucketMs) / 1000;
  const per = `/ ${tp.bucketMs} ms`;
  const bars = (label: string, values: readonly number[], color: string) => ({
    type: 'bar',
    label: `${label} ${per}`,
    data: values.map((y, i) => ({ x: bucketX(i), y })),
    backgroundColor: color,
    yAxisID: 'y',
    barPercentage: 1,
    categoryPercentage: 1,
    grouped: false,
    order: 3,
  });
  const series = report.readyEndpoints.series.map((p) => ({ x: p.t / 1000, y: p.ready }));
  const last = report.readyEndpoints.series.at(-1);
  // Carry the last count to the end of the run so the stepped line shows how long it held.
  if (last && window && window.endMs > last.t) series.push({ x: window.endMs / 1000, y: last.ready });
  // From t0 to whatever came last, so startup events and the run's tail both show.
  const lastMs = Math.max(window?.endMs ?? 0, ...report.timeline.map((e) => e.t));
  const latency = (label: string, values: readonly (number | null)[], color: string) => ({
    type: 'line',
    label: `latency ${label} ${per}`,
    data: values.map((y, i) => ({ x: bucketX(i), y })),
    yAxisID: 'latency',
    borderColor: color,
    borderWidth: 1,
    pointRadius: 0,
    spanGaps: false,
    order: 2,
  });
  return {
    x: { min: 0, max: lastMs / 1000 },
    lanes: laneData(report, lastMs),
    datasets: [
      latency('p50', tp.p50, '#5e35b1'),
      latency('p99', tp.p99, '#f4511e'),
      bars('failed', tp.failed, '#e53935'),
      bars('ok', tp.ok, 'rgba(67,160,71,0.55)'),
      {
        type: 'line',
        label: 'ready endpoints',
        data: series,
        yAxisID: 'ready',
        stepped: true,
        borderColor: '#1e88e5',
        borderWidth: 2,
        pointRadius: 0,
        order: 2,
      },
      ...MARKERS.map((m) => {
        const events = report.timeline.filter((e) => e.kind === m.kind);
        const text = (e: (typeof events)[number]) => `${m.label} ${e.subject}${e.detail ? ` ${e.detail}` : ''}`;
        return {
          type: 'line',
          label: m.label,
          // A foot, a head and a break per event: vertical strokes without an annotation plugin.
          data: events.flatMap((e) => [
            { x: e.t / 1000, y: 0, text: text(e) },
            { x: e.t / 1000, y: m.height, text: text(e) },
            { x: e.t / 1000, y: null },
          ]),
          pointRadius: events.flatMap(() => [0, 4, 0]),
          pointStyle: 'triangle',
          yAxisID: 'marker',
          borderColor: m.color,
          backgroundColor: m.color,
          borderWidth: 1.5,
          spanGaps: false,
          order: 1,
        };
      }),
    ],
  };
}

/** A floating bar per lane segment, a dataset per state, a row per pod ("web-abc on zdt-worker"). */
function laneData(report: Report, lastMs: number): { labels: string[]; datasets: unknown[] } {
  const lanes = podLanes(report.timeline, lastMs);
  const labels = lanes.map((l) => `${l.pod.replace(/^pod\//, '')}${l.node ? ` on ${l.node}` : ''}`);
  const datasets = (Object.keys(LANE_COLORS) as PodState[]).map((state) => ({
    label: state,
    backgroundColor: LANE_COLORS[state],
    data: lanes.flatMap((l, i) => l.segments.filter((s) => s.state === state).map((s) => ({ x: [s.startMs / 1000, s.endMs / 1000], y: labels[i] }))),
    barPercentage: 0.8,
    categoryPercentage: 1,
    grouped: false,
  }));
  return { labels, datasets };
}

/** Runs in the page: draws each chart and marks the document once all of them rendered. */
const PAGE_SCRIPT = `
(function () {
  var specs = JSON.parse(document.getElementById('zdt-data').textContent);
  var pending = specs.length * 2;
  var done = function () { document.documentElement.setAttribute('data-zdt-chart', 'rendered'); };
  if (pending === 0) return done();
  // Fixed axis widths, so the lanes' time axis lies exactly under the requests' one.
  var fit = function (px) { return function (scale) { scale.width = px; }; };
  var once = function () {
    var rendered = false;
    return { id: 'zdtRendered', afterRender: function () {
      if (rendered) return;
      rendered = true;
      if (--pending === 0) done();
    } };
  };
  specs.forEach(function (spec, i) {
    new Chart(document.getElementById('zdt-lanes-' + i), {
      type: 'bar',
      data: { labels: spec.lanes.labels, datasets: spec.lanes.datasets },
      options: {
        indexAxis: 'y',
        animation: false,
        maintainAspectRatio: false,
        layout: { padding: { right: ${READY_AXIS_PX + LATENCY_AXIS_PX} } },
        scales: {
          x: { type: 'linear', min: spec.x.min, max: spec.x.max, title: { display: true, text: 'seconds since t0' } },
          y: { stacked: true, afterFit: fit(${LABEL_AXIS_PX}) }
        },
        plugins: { tooltip: { callbacks: { label: function (c) {
          return c.dataset.label + ' ' + c.raw.x[0].toFixed(3) + '-' + c.raw.x[1].toFixed(3) + ' s';
        } } } }
      },
      plugins: [once()]
    });
    new Chart(document.getElementById('zdt-chart-' + i), {
      data: { datasets: spec.datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: true,
        interaction: { mode: 'nearest', intersect: false },
        scales: {
          x: { type: 'linear', stacked: true, min: spec.x.min, max: spec.x.max, ticks: { includeBounds: false }, title: { display: true, text: 'seconds since t0' } },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: 'requests' }, afterFit: fit(${LABEL_AXIS_PX}) },
          ready: { position: 'right', beginAtZero: true, grace: 1, ticks: { precision: 0 }, grid: { drawOnChartArea: false },
                   title: { display: true, text: 'ready endpoints' }, afterFit: fit(${READY_AXIS_PX}) },
          latency: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: 'latency (ms)' }, afterFit: fit(${LATENCY_AXIS_PX}) },
          marker: { display: false, min: 0, max: 1 }
        },
        plugins: {
          legend: { labels: { boxWidth: 12, sort: function (a, b) { return a.datasetIndex - b.datasetIndex; } } },
          tooltip: { callbacks: { label: function (c) {
            return c.raw && c.raw.text ? c.raw.text : c.dataset.label + ': ' + c.formattedValue;
          } } }
        }
      },
      plugins: [once()]
    });
  });
})();
`;

/** A self-contained page (report.html): Chart.js is inlined, nothing is fetched. */
export async function renderHtml(reports: readonly Report[]): Promise<string> {
  const chartJs = await readFile(chartBundlePath(), 'utf8');
  const title = reports.length === 1 ? `zdt: ${reports[0]!.scenario}` : `zdt: ${reports.length} scenarios`;
  const charts = reports.map(chartData);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeMarkup(title)}</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222; }
  h1 { font-size: 1.3rem; margin: 0 0 1rem; }
  h2 { font-size: 1.1rem; margin: 0 0 .6rem; }
  section { border: 1px solid #ddd; border-left: 6px solid #43a047; border-radius: 4px; padding: 1rem; margin-bottom: 1.5rem; }
  section.fail { border-left-color: #e53935; }
  section.inconclusive { border-left-color: #f9a825; }
  .verdict { font-weight: 600; }
  .fail .verdict { color: #c62828; }
  .inconclusive .verdict { color: #a86b00; }
  .pass .verdict { color: #2e7d32; }
  .chart { position: relative; height: 340px; margin-bottom: 1rem; }
  pre, .events { font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; }
  pre { background: #f7f7f7; padding: .75rem; overflow-x: auto; margin: 0 0 1rem; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid #eee; }
  th { background: #fafafa; }
  .events { white-space: pre; }
  .causes { min-width: 18rem; }
  .causes p { margin: 0 0 .3rem; }
  .nowrap { white-space: nowrap; }
  .scroll { overflow-x: auto; }
</style>
</head>
<body>
<h1>${escapeMarkup(title)}</h1>
${reports.map((r, i) => section(r, i, charts[i]!.lanes.labels.length)).join('\n')}
<script type="application/json" id="zdt-data">${JSON.stringify(charts).replace(/</g, '\\u003c')}</script>
<script>${scriptSafe(chartJs)}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

function section(report: Report, index: number, laneCount: number): string {
  const verdict = report.passed ? 'PASS' : `${report.verdict.toUpperCase()}: ${report.problems.join('; ')}`;
  return `<section class="${report.verdict}" id="scenario-${index}">
<h2>${escapeMarkup(report.scenario)} <span class="verdict">${escapeMarkup(verdict)}</span></h2>
${report.resolution ? `<p class="resolution">${escapeMarkup(resolutionSentence(report.resolution))}</p>` : ''}
<div class="chart"><canvas id="zdt-chart-${index}" role="img" aria-label="${escapeMarkup(`requests, latency and ready endpoints over time for ${report.scenario}`)}"></canvas></div>
<div class="lanes" style="height: ${LANE_HEIGHT_PX * Math.max(1, laneCount) + 60}px"><canvas id="zdt-lanes-${index}" role="img" aria-label="${escapeMarkup(`each pod's state over time for ${report.scenario}`)}"></canvas></div>
${serviceTable(report)}
${lagTable(report)}
<pre>${escapeMarkup(formatReport(report))}</pre>
${burstTable(report)}
</section>`;
}

/** A row per loaded Service, when there are several: which one failed, and how. */
function serviceTable(report: Report): string {
  if (report.services.length < 2) return '';
  const rows = report.services.map(
    (s) =>
      `<tr class="${s.verdict}"><td>${escapeMarkup(s.service)}</td><td>${escapeMarkup(s.verdict.toUpperCase())}</td><td>${s.totals.sent}</td><td>${s.totals.failed}</td>` +
      `<td>${escapeMarkup(counts(s.failures) || 'none')}</td><td>${s.longestGap ? escapeMarkup(ms(s.longestGap.durationMs)) : ''}</td><td>${s.minReadyEndpoints ?? ''}</td><td>${escapeMarkup(s.url)}</td></tr>`,
  );
  return `<div class="scroll"><table class="services">
<thead><tr><th>Service</th><th>verdict</th><th>sent</th><th>failed</th><th>failures</th><th>longest gap</th><th>min ready endpoints</th><th>load sent to</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>`;
}

/** Per displaced pod: when its endpoint left rotation and how long new connections still reached it. */
function lagTable(report: Report): string {
  const lag = report.propagationLag;
  if (!lag) return '';
  const rows = lag.pods.map(
    (p) => `<tr><td>${escapeMarkup(p.pod)}</td><td>${escapeMarkup(seconds(p.outAtMs))}</td><td>${p.lastNewMs === null ? 'none after' : escapeMarkup(seconds(p.lastNewMs))}</td><td>${escapeMarkup(ms(p.lagMs))}</td></tr>`,
  );
  return `<div class="scroll"><table class="lag">
<thead><tr><th>pod</th><th>endpoint left rotation</th><th>last new connection routed to it</th><th>propagation lag</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>`;
}

function burstTable(report: Report): string {
  if (report.bursts.length === 0) return '<p>No failure bursts.</p>';
  const wall = (t: number) => (report.t0Wall === null ? '' : new Date(report.t0Wall + t).toISOString().slice(11, 23));
  const rows = report.bursts.map((b, i) => {
    const events = [...b.events].sort((x, y) => x.t - y.t).map(formatNearby).join('\n');
    return `<tr><td>${i + 1}</td><td class="nowrap">${escapeMarkup(range(b.startMs, b.endMs))}</td><td>${escapeMarkup(wall(b.startMs))}</td>` +
      `<td>${b.count}</td><td>${escapeMarkup(counts(b.outcomes))}</td><td class="causes">${b.causes.map((c) => `<p><b>${c.count} ${escapeMarkup(c.label)}</b>: ${escapeMarkup(c.fix)}</p>`).join('')}</td>` +
      `<td class="events">${escapeMarkup(events || 'none')}</td></tr>`;
  });
  return `<div class="scroll"><table class="bursts">
<thead><tr><th>#</th><th>since t0</th><th>wall (UTC)</th><th>failed</th><th>outcomes</th><th>cause: fix</th><th>events around it (offset from first failure)</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>`;
}

/**
 * The UMD build beside chart.js's entry point: the package exports no subpaths, and
 * createRequire works whether this module runs as ESM or is transpiled to CommonJS (mocha + tsx).
 */
function chartBundlePath(): string {
  return join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');
}

/** An inline <script> ends at the first "</script"; "<\/" means the same inside JS strings and regexes. */
function scriptSafe(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1');
}
