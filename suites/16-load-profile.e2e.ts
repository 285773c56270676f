/**
 * `zdt verify --load-profile` on the real cluster: k6's vocabulary for the load and the bar. The
 * bundled example passes a ramping arrival rate within p(99)<250. A twin without its PDB, whose
 * preStop freezes nginx for 0.9 s and keeps serving 12 s more (longer than a replacement's 8 s
 * warm-up, so nothing fails), has both pods terminating at once: with no ready endpoint left,
 * kube-proxy sends everything to them while they are frozen. Every request waits, then
 * succeeds: it fails on the threshold with no failed request, a latency fault only a threshold sees.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Report } from '../harness/verdict/report.ts';
import { attachedCli, type AttachedCli } from './cli.ts';
import { say } from './hooks.ts';
import { stallInPreStop, variant, withoutPdb } from './variants.ts';

/** 100 to 200 req/s over the 3 s warm-up, then 200 req/s until the maintenance ends; no failed request, p99 under 250 ms. */
const PROFILE = {
  scenarios: { drain: { executor: 'ramping-arrival-rate', startRate: 100, timeUnit: '1s', preAllocatedVUs: 20, stages: [{ target: 200, duration: '3s' }] } },
  thresholds: { http_req_failed: ['rate==0'], http_req_duration: ['p(99)<250'] },
};

describe('16. Load profiles and thresholds: a latency fault no failed request shows', function () {
  let cli: AttachedCli;
  let profile: string;
  before(async () => {
    cli = await attachedCli();
    profile = join(cli.dir, 'drain.json');
    await writeFile(profile, JSON.stringify(PROFILE));
  });
  after(() => cli[Symbol.asyncDispose]());

  const verify = (args: string[]) => cli.verify([...args, '--scenario', 'node-replacement', '--no-lint', '--load-profile', profile]);
  const reportJson = async () => (JSON.parse(await readFile(join(cli.dir, 'reports', 'report.json'), 'utf8')) as { reports: Report[] }).reports[0]!;
  const thresholds = (r: Report) => r.thresholds.map((t) => [t.metric, t.expression, t.passed]);

  it('passes the bundled example under a ramping arrival rate, within p(99)<250, and prints the thresholds', async function () {
    const r = await verify([]);
    const report = await reportJson();
    say(`thresholds: ${r.stdout.match(/^ {2}thresholds .*$/m)?.[0]?.trim()}`);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(thresholds(report)).to.deep.equal([
      ['http_req_failed', 'rate==0', true],
      ['http_req_duration', 'p(99)<250', true],
    ]);
    expect(r.stdout).to.match(/^ {2}thresholds {6}http_req_failed rate==0: 0\.0000 ok; http_req_duration p\(99\)<250: [\d.]+ ms ok$/m);
    expect(r.stderr).to.match(/load profile ramping-arrival-rate scenario drain of .*drain\.json: 100 req\/s to 200 req\/s over 3 s on each Service, then 200 req\/s until the maintenance ends/);
    // The ramp was run, not only parsed: half a second at its start holds about half the requests of half a second at 200 req/s.
    const { ok } = report.throughput;
    const sum = (from: number) => ok.slice(from, from + 5).reduce((a, b) => a + b, 0);
    say(`requests in the first 0.5 s: ${sum(0)}, from 4 s: ${sum(40)}`);
    expect(sum(0) / sum(40)).to.be.within(0.4, 0.7);
  });

  it('fails a twin whose pods all freeze for 0.9 s at once on p(99)<250 alone: no request failed', async function () {
    const twin = await cli.write('stall-prestop', await variant(withoutPdb, stallInPreStop(0.9, 12)));
    // No settle window, so the stalled requests weigh as much as they did in the maintenance window the threshold judges.
    const r = await verify([twin, '--settle', '0']);
    const report = await reportJson();
    const p99 = report.thresholds.find((t) => t.metric === 'http_req_duration')!;
    say(`twin: ${report.totals.sent} requests, ${report.totals.failed} failed, p(99) ${p99.observed} ms, max ${report.latency?.max} ms`);
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    expect(report.totals.failed, 'the stall delays requests, it fails none').to.equal(0);
    expect(report.latency!.max, 'requests waited out the stall').to.be.within(500, 1500);
    expect(thresholds(report)).to.deep.equal([
      ['http_req_failed', 'rate==0', true],
      ['http_req_duration', 'p(99)<250', false],
    ]);
    expect(report.problems).to.include(`threshold http_req_duration p(99)<250 failed: p(99) was ${Math.round(p99.observed!)} ms over the maintenance window`);
    expect(r.stdout).to.match(/^FAIL node-replacement: .*threshold http_req_duration p\(99\)<250 failed: p\(99\) was \d+ ms over the maintenance window/m);
  });
});
