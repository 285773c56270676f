/**
 * As teams ship: a Helm chart with values per environment, and the same release as kustomize
 * overlays, each with two Services (web, api). Every Service gets its own load stream and its
 * own verdict, in the text, JSON, JUnit and HTML reports; the api is autoscaled, so it runs at
 * its HorizontalPodAutoscaler's minReplicas. The broken values (and overlay) drop the api's
 * preStop delay: the run fails, and names the api Service, while web passes. The prod overlay
 * is the chart's prod release object for object (a unit test), so only the broken one runs here.
 */
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Report } from '../harness/verdict/report.ts';
import { attachedCli, type AttachedCli, type CliRun } from './cli.ts';
import { say } from './hooks.ts';

const CHART = 'suites/manifests/chart';
const OVERLAYS = 'suites/manifests/kustomize/overlays';

describe('14. Helm chart and kustomize overlays with two Services', function () {
  let cli: AttachedCli;
  before(async () => (cli = await attachedCli()));
  after(() => cli[Symbol.asyncDispose]());

  // A new connection per request: every request is routed afresh, so one sent to an api pod
  // that quit before kube-proxy dropped it fails for certain (kept-alive ones mostly go elsewhere).
  const verify = (args: string[]) => cli.verify([...args, '--scenario', 'node-replacement', '--rate', '100', '--connection', 'new']);
  const reports = async () => (JSON.parse(await readFile(join(cli.dir, 'reports', 'report.json'), 'utf8')) as { reports: Report[] }).reports;
  /** Per Service, in the order the release lists them (Helm and kustomize both put api first). */
  const verdicts = (r: Report) => r.services.map((s) => `${s.service} ${s.verdict}`);
  const summary = (r: CliRun) => {
    const line = r.stdout.split('\n').find((l) => l.startsWith('zdt: ')) ?? '';
    say(line);
    return line;
  };
  const junitCases = async () => [...(await readFile(join(cli.dir, 'reports', 'junit.xml'), 'utf8')).matchAll(/<testcase classname="zdt" name="([^"]+)"[^>]*>\s*<([\w-]+)/g)].map((m) => `${m[1]} ${m[2]}`);
  const expectBroken = async (r: CliRun) => {
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    // The run's doubts follow the failure after "; " (a CI run's generator once fell behind here): the failure is what matters.
    expect(summary(r)).to.match(/node-replacement fail \(\d+ of \d+ requests failed \(Service api: \d+ of \d+\)(\)|; )/);
    expect(r.stdout).to.match(/^ {2}Service api\s+FAIL: \d+ of \d+ requests failed/m);
    const [report] = await reports();
    expect(verdicts(report!)).to.deep.equal(['api fail', 'web pass']);
    expect(await junitCases()).to.deep.equal(['node-replacement: Service api failure', 'node-replacement: Service web system-out']);
  };

  it('passes the chart with its prod values: a verdict per Service, the api at its HPA floor, in every report', async function () {
    const r = await verify([CHART, '-f', join(CHART, 'values/prod.yaml')]);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(summary(r)).to.equal('zdt: PASS (exit 0): node-replacement pass');
    expect(r.stderr).to.match(/Deployment zdt-api at 2 replica\(s\), the minReplicas of HorizontalPodAutoscaler zdt-api/);
    expect(r.stderr).to.match(/\d+\.\d+\.\d+\.\d+:30080\/ -> Service api-zdt-nodeport/);
    expect(r.stderr).to.match(/\d+\.\d+\.\d+\.\d+:30081\/ -> Service web-zdt-nodeport/);
    const [report] = await reports();
    expect(verdicts(report!)).to.deep.equal(['api pass', 'web pass']);
    for (const s of report!.services) expect(s.totals.sent, s.service).to.be.greaterThan(1000);
    expect(await junitCases()).to.deep.equal(['node-replacement: Service api system-out', 'node-replacement: Service web system-out']);
    const html = await readFile(join(cli.dir, 'reports', 'report.html'), 'utf8');
    expect(html).to.match(/<table class="services">[\s\S]*<td>api<\/td><td>PASS<\/td>[\s\S]*<td>web<\/td><td>PASS<\/td>/);
  });

  it('fails the chart with its broken values, naming the api Service; web passes', async function () {
    await expectBroken(await verify([CHART, '-f', join(CHART, 'values/prod.yaml'), '-f', join(CHART, 'values/broken.yaml')]));
  });

  // The prod overlay renders the chart's prod objects, one for one (test/manifests/render.test.ts):
  // its run would repeat the first test's. The broken overlay proves kustomize's path on the cluster.
  it('fails the broken kustomize overlay of the same release the same way', async function () {
    await expectBroken(await verify([join(OVERLAYS, 'broken')]));
  });
});
