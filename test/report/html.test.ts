import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { mergeLogs } from '../../harness/load/merge.ts';
import { writeReports } from '../../harness/report/write.ts';
import { buildReport } from '../../harness/verdict/report.ts';
import { drainStory, T0_WALL } from '../verdict/fixtures.ts';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = '/tmp/zdt-report.png';

/** web passes, api fails: a scenario that loaded two Services. */
function twoServices() {
  const web = drainStory({ failures: false }).log;
  const { log: api, timeline } = drainStory();
  const streams = [
    { service: 'web', url: 'http://127.0.0.1:30080/', log: web },
    { service: 'api', url: 'http://127.0.0.1:30081/', log: api },
  ];
  return buildReport({ log: mergeLogs([web, api]), streams, timeline, scenario: 'two services', t0Wall: T0_WALL, maintenance: { completed: true } });
}

describe('report: HTML in headless Chromium', function () {
  this.timeout(60_000);
  const nastyName = 'rollout <img src=x onerror="window.pwned=1"> & more';
  const reports = [
    buildReport({
      ...drainStory(),
      scenario: 'drain zdt-worker2',
      t0Wall: T0_WALL,
      maintenance: { completed: true },
      propagationLag: { pods: [{ pod: 'web-b', outAtMs: 4300, lastNewMs: 4550, lagMs: 250 }], p50Ms: 250, maxMs: 250, preStopDelayMs: 5000, marginMs: 4750 },
    }),
    buildReport({ ...drainStory({ failures: false }), scenario: nastyName, t0Wall: T0_WALL }),
    twoServices(),
  ];
  let dir: string;
  let browser: Browser | undefined;
  let page: Page;
  const requested: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      const missing = `${CHROMIUM} is missing: run \`npm run setup:chromium\` (bash scripts/chromium.sh; .ci/run runs it)`;
      // CI installs Chromium itself, so there a missing one is a setup bug, not a reason to skip.
      if (process.env.CI) throw new Error(`HTML report tests cannot run: ${missing}`);
      console.warn(`skipping HTML report tests: ${missing}`);
      this.skip();
    }
    dir = await mkdtemp(join(tmpdir(), 'zdt-report-'));
    await writeReports(dir, reports);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('request', (r) => requested.push(r.url()));
    await page.goto(pathToFileURL(join(dir, 'report.html')).href);
    await page.waitForSelector('html[data-zdt-chart="rendered"]', { timeout: 15_000 });
  });

  after(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes report.json with every report', async () => {
    expect(JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'))).to.deep.equal({ reports });
  });

  it('is self-contained: the page fetched nothing but itself', () => {
    expect(requested).to.deep.equal([pathToFileURL(join(dir, 'report.html')).href]);
  });

  it('draws a non-blank request chart and pod-lane chart per scenario', async () => {
    const inked = await page.evaluate(() =>
      Array.from(document.querySelectorAll('canvas')).map((canvas) => {
        const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
        return n / (canvas.width * canvas.height);
      }),
    );
    expect(inked).to.have.length(2 * reports.length);
    for (const share of inked) expect(share).to.be.greaterThan(0.02);
  });

  it("charts the failure bursts, ready endpoints and drain markers from Chart.js's own data", async () => {
    const chart = await page.evaluate(() => {
      const c = (globalThis as unknown as { Chart: { getChart(el: Element): { data: { datasets: { label: string; data: { x: number; y: number | null }[] }[] } } } }).Chart.getChart(
        document.querySelector('#zdt-chart-0')!,
      );
      return c.data.datasets.map((d) => ({ label: d.label, points: d.data.filter((p) => p.y !== null && p.y > 0).map((p) => [p.x, p.y]) }));
    });
    const byLabel = Object.fromEntries(chart.map((d) => [d.label, d.points]));
    // ECONNREFUSED 4.20-4.45 s at 100 req/s, 503 7.00-7.05 s.
    expect(byLabel['failed / 100 ms']).to.deep.equal([
      [4.25, 10],
      [4.35, 10],
      [4.45, 6],
      [7.05, 6],
    ]);
    expect(byLabel['ready endpoints']!.map(([, y]) => y)).to.deep.equal([1, 2, 3, 2, 3, 3]);
    expect(byLabel['eviction refused (429)']!.map(([x]) => x)).to.deep.equal([5]);
    expect(byLabel['pod terminating']!.map(([x]) => x)).to.deep.equal([4.12]);
    expect(byLabel['cordon']!.map(([x]) => x)).to.deep.equal([4]);
    expect(byLabel['pod ready']!.map(([x]) => x)).to.deep.equal([6]);
  });

  it('draws a lane per pod under the requests, and p50/p99 latency per 100 ms, on the same time axis', async () => {
    const read = (selector: string) =>
      page.evaluate((sel) => {
        type Data = { labels?: string[]; datasets: { label: string; data: { x: number | number[]; y: number | string | null }[] }[] };
        type Shown = { data: Data; scales: Record<string, { min: number; max: number; left: number; right: number }> };
        const c = (globalThis as unknown as { Chart: { getChart(el: Element): Shown } }).Chart.getChart(document.querySelector(sel)!);
        return { labels: c.data.labels ?? [], datasets: c.data.datasets.map((d) => ({ label: d.label, data: d.data })), x: [c.scales.x!.min, c.scales.x!.max], px: [c.scales.x!.left, c.scales.x!.right] };
      }, selector);
    const lanes = await read('#zdt-lanes-0');
    const requests = await read('#zdt-chart-0');
    expect(lanes.x, 'one time axis').to.deep.equal(requests.x);
    expect(lanes.px, 'drawn one above the other').to.deep.equal(requests.px);
    expect(lanes.labels).to.deep.equal(['web-b on zdt-worker2', 'web-d', 'web-a on zdt-worker']);
    const segments = Object.fromEntries(lanes.datasets.map((d) => [d.label, d.data.map((p) => [p.y, ...(p.x as number[])])]));
    expect(segments).to.deep.equal({
      starting: [],
      serving: [['web-d', 6, requests.x[1]]],
      'not-ready': [['web-a', 6.99, requests.x[1]].map((v) => (v === 'web-a' ? 'web-a on zdt-worker' : v))],
      terminating: [['web-b on zdt-worker2', 4.12, 9.8]],
    });
    // drainStory's latencies cycle 1..10 ms over each bucket's ten requests: p50 5.5 ms, p99 9.91 ms.
    const latency = Object.fromEntries(requests.datasets.filter((d) => d.label.startsWith('latency')).map((d) => [d.label, d.data.find((p) => p.x === 1.05)?.y]));
    expect(latency).to.deep.equal({ 'latency p50 / 100 ms': 5.5, 'latency p99 / 100 ms': 9.91 });
    // Lanes are tall enough to read, and the page states what a green run could miss.
    expect(await page.locator('#scenario-0 .lanes').evaluate((el) => el.getBoundingClientRect().height)).to.be.at.least(3 * 22);
    expect(await page.locator('#scenario-1 p.resolution').innerText()).to.match(/^an outage shorter than [\d.]+ ms could have gone unseen from /);
  });

  it('shows the summary and burst table as escaped text', async () => {
    expect(await page.locator('#scenario-0 pre').innerText()).to.include('#1 4.200-4.450 s (03:04:09.200-03:04:09.450 UTC): 26 failed: ECONNREFUSED 26');
    const row = await page.locator('#scenario-0 table.bursts tbody tr').first().innerText();
    expect(row).to.include('ECONNREFUSED 26');
    expect(row).to.match(/-80 ms\s+pod-terminating\s+pod\/web-b/);
    // The burst's own cause, with its fix, beside its outcomes.
    expect(await page.locator('#scenario-0 table.bursts tbody tr').first().locator('td.causes').innerText()).to.match(/^26 sent to a pod that had stopped serving after SIGTERM: sleep in a preStop hook/);
    expect(await page.locator('#scenario-1 h2').innerText()).to.include(nastyName);
    expect(await page.evaluate(() => [document.querySelectorAll('img').length, (window as unknown as { pwned?: number }).pwned])).to.deep.equal([0, undefined]);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('shows a row per Service when a scenario loaded several, and none otherwise', async () => {
    const rows = await page.locator('#scenario-2 table.services tbody tr').allInnerTexts();
    expect(rows.map((r) => r.split('\t').slice(0, 4))).to.deep.equal([
      ['web', 'PASS', '1000', '0'],
      ['api', 'FAIL', '1000', '32'],
    ]);
    expect(await page.locator('#scenario-2 h2').innerText()).to.include('(Service api: 32 of 1000)');
    expect(await page.locator('#scenario-0 table.services').count()).to.equal(0);
  });

  it('shows the propagation lag per displaced pod when it was measured, and no table otherwise', async () => {
    const rows = await page.locator('#scenario-0 table.lag tbody tr').allInnerTexts();
    expect(rows.map((r) => r.split('\t'))).to.deep.equal([['web-b', '4.300 s', '4.550 s', '250 ms']]);
    expect(await page.locator('#scenario-0 pre').innerText()).to.match(/propagation lag +p50 250 ms, max 250 ms over 1 pod/);
    expect(await page.locator('#scenario-1 table.lag').count()).to.equal(0);
  });

  it("junit.xml parses in the browser's XML parser", async () => {
    const xml = await readFile(join(dir, 'junit.xml'), 'utf8');
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'application/xml');
      return {
        error: doc.querySelector('parsererror')?.textContent ?? null,
        cases: Array.from(doc.querySelectorAll('testcase')).map((c) => [c.getAttribute('name'), c.querySelector('failure') !== null]),
      };
    }, xml);
    expect(parsed).to.deep.equal({
      error: null,
      cases: [
        ['drain zdt-worker2', true],
        [nastyName, false],
        ['two services: Service web', false],
        ['two services: Service api', true],
      ],
    });
  });
});
