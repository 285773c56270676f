import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Leftovers } from '../../harness/cli/leftovers.ts';
import { ErrorCode, ZdtError } from '../../harness/errors.ts';
import { cli, fakeCluster, report, result, type Behaviour } from './fakes.ts';

const GOOD = 'test/fixtures/lint/good';
const returns = (verdict: 'pass' | 'fail' | 'inconclusive'): Behaviour => async (o) => result(report(o.name, verdict));
const throws = (code: (typeof ErrorCode)[keyof typeof ErrorCode]): Behaviour => async () => {
  throw new ZdtError(code, `${code} happened`);
};

describe('zdt verify: outcomes, reports and output (fake cluster)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zdt-verify-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));
  const verify = (fake: ReturnType<typeof fakeCluster>, ...argv: string[]) => cli(['verify', GOOD, '--report-dir', dir, ...argv], fake);

  it('exit 0 when every scenario passes: prints each report, writes report.json/junit.xml/report.html, deletes the cluster', async () => {
    const fake = fakeCluster();
    const run = await verify(fake);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.include('no zero-downtime problems found');
    for (const name of ['parallel-drain', 'node-replacement', 'rollout']) expect(run.stdout).to.include(`PASS ${name}: 1000 requests, 0 failed`);
    expect(run.stdout).to.match(/zdt: PASS \(exit 0\): parallel-drain pass, node-replacement pass, rollout pass\n$/);
    const json = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));
    expect(JSON.stringify(json)).to.include('node-replacement');
    expect(await readFile(join(dir, 'junit.xml'), 'utf8')).to.include('<testsuite');
    expect(await readFile(join(dir, 'report.html'), 'utf8')).to.include('<html');
    expect(fake.deleted).to.equal(1);
  });

  describe('--mutants', () => {
    /** A cluster where only a missing PDB or preStop hook makes requests fail. */
    const sensitive = () =>
      fakeCluster({
        rollout: async (o) => {
          const text = JSON.stringify(o.manifests);
          return result(report(o.name, text.includes('PodDisruptionBudget') && text.includes('preStop') ? 'pass' : 'fail'));
        },
      });

    it('once every scenario passes, runs each twin under the same scenarios and says which were caught; the exit code stays the manifests\' own', async () => {
      const fake = sensitive();
      const run = await verify(fake, '--scenario', 'rollout', '--mutants');
      expect(run.code, run.stderr).to.equal(0);
      expect(fake.ran).to.have.length(6);
      expect(run.stderr).to.match(/^\[ *\d+\.\ds\] mutant short-grace: rollout done in/m);
      expect(run.stdout).to.include('mutants: 2 of 5 caught\n');
      expect(run.stdout).to.match(/^  caught +no-prestop +no preStop hook on Deployment\/default\/web$/m);
      expect(run.stdout).to.match(/^  missed +one-replica +one replica of Deployment\/default\/web\n +rollout: pass, 0 of 1000 requests failed\n +why: nothing failed with one replica/m);
      expect(fake.deleted).to.equal(1);
      const json = JSON.parse((await verify(sensitive(), '--scenario', 'rollout', '--mutants', '--json')).stdout);
      expect(json.mutants.map((m: { name: string; status: string }) => `${m.name} ${m.status}`)).to.deep.equal([
        'no-prestop caught',
        'no-pdb caught',
        'no-readiness-probe missed',
        'short-grace missed',
        'one-replica missed',
      ]);
      expect(JSON.parse((await verify(fakeCluster(), '--scenario', 'rollout', '--json')).stdout)).to.not.have.property('mutants');
    });

    it('are not run when the manifests themselves fail, and an interrupt still ends the run', async () => {
      const fake = fakeCluster({ rollout: returns('fail') });
      const run = await verify(fake, '--scenario', 'rollout', '--mutants');
      expect(run.code).to.equal(1);
      expect(fake.ran).to.have.length(1);
      expect(run.stdout).to.include('mutants: not run, the manifests themselves did not pass');
      expect(JSON.parse((await verify(fakeCluster({ rollout: returns('fail') }), '--scenario', 'rollout', '--mutants', '--json')).stdout).mutants).to.equal(null);
      let runs = 0;
      const interrupted = await verify(fakeCluster({ rollout: async (o) => (runs++ === 0 ? result(report(o.name, 'pass')) : throws(ErrorCode.Aborted)(o)) }), '--scenario', 'rollout', '--mutants');
      expect(interrupted.code).to.equal(130);
    });
  });

  it('progress goes to stderr as timestamped lines outside a terminal', async () => {
    const fake = fakeCluster({
      rollout: async (o) => {
        o.onProgress?.('deploy', 'applying 3 objects');
        o.onEvent?.({ t: 1, kind: 'eviction-refused', subject: 'pod/web-1', detail: '429' });
        return result(report(o.name, 'pass'));
      },
    });
    const quietEvents = await verify(fake, '--scenario', 'rollout');
    expect(quietEvents.stderr).to.match(/^\[ *\d+\.\ds\] lint \.\.\.$/m);
    expect(quietEvents.stderr).to.match(/^\[ *\d+\.\ds\] rollout deploy: applying 3 objects$/m);
    expect(quietEvents.stderr).to.match(/^\[ *\d+\.\ds\] rollout done in \d+\.\ds$/m);
    expect(quietEvents.stderr).not.to.include('eviction-refused');
    const verbose = await verify(fake, '--scenario', 'rollout', '-v');
    expect(verbose.stderr).to.match(/rollout event eviction-refused pod\/web-1 429$/m);
  });

  it('exit 1 when requests failed, even if another scenario was inconclusive', async () => {
    const fake = fakeCluster({ 'parallel-drain': returns('fail'), rollout: returns('inconclusive') });
    const run = await verify(fake);
    expect(run.code).to.equal(1);
    expect(run.stdout).to.include('FAIL parallel-drain: 32 of 1000 requests failed');
    expect(run.stdout).to.match(/zdt: FAIL \(exit 1\): parallel-drain fail \(32 of 1000 requests failed\), node-replacement pass, rollout inconclusive \(no request was sent/);
  });

  it('exit 2 for an inconclusive verdict', async () => {
    const run = await verify(fakeCluster({ 'parallel-drain': returns('inconclusive') }), '--scenario', 'parallel-drain');
    expect(run.code).to.equal(2);
    expect(run.stdout).to.include('zdt: COULD NOT VERIFY (exit 2): parallel-drain inconclusive');
  });

  it('exit 1 when the drain was blocked; later scenarios are not run, earlier reports are still written', async () => {
    const fake = fakeCluster({ 'node-replacement': throws(ErrorCode.DrainBlocked) });
    const run = await verify(fake);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.include('zdt: ZDT_DRAIN_BLOCKED happened [ZDT_DRAIN_BLOCKED]');
    expect(run.stdout).to.include('zdt: FAIL (exit 1): parallel-drain pass, node-replacement stopped, rollout not run');
    expect(fake.ran.map((o) => o.name)).to.deep.equal(['parallel-drain', 'node-replacement']);
    expect(JSON.stringify(JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')))).to.include('parallel-drain');
    expect(fake.deleted).to.equal(1);
  });

  it('exit 2 when the app never became ready, and the cluster is still deleted', async () => {
    const fake = fakeCluster({ 'parallel-drain': throws(ErrorCode.AppNotReady) });
    const run = await verify(fake);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include('[ZDT_APP_NOT_READY]');
    expect(fake.deleted).to.equal(1);
  });

  it('exit 2 when the cluster cannot start (kind missing); nothing to delete', async () => {
    const fake = fakeCluster({}, new ZdtError(ErrorCode.Kind, 'kind not found on PATH'));
    const run = await verify(fake);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include('zdt: kind not found on PATH [ZDT_KIND]');
    expect(run.stdout).to.include('zdt: COULD NOT VERIFY (exit 2): no scenario ran');
    expect(fake.ran).to.have.length(0);
    expect(fake.deleted).to.equal(0);
  });

  it('--json: stdout is one JSON document with the reports, lint findings and exit code', async () => {
    const fake = fakeCluster({ rollout: returns('fail') });
    const run = await verify(fake, '--json', '-v');
    expect(run.code).to.equal(1);
    const out = JSON.parse(run.stdout);
    expect(out.exitCode).to.equal(1);
    expect(out.reports.map((r: { scenario: string; verdict: string }) => `${r.scenario}:${r.verdict}`)).to.deep.equal(['parallel-drain:pass', 'node-replacement:pass', 'rollout:fail']);
    expect(out.lint).to.deep.equal({ summary: { errors: 0, warnings: 0 }, findings: [] });
    expect(out.reportFiles.json).to.equal(join(dir, 'report.json'));
    expect(out.error).to.equal(null);
    expect(run.stderr).to.include('zdt: FAIL (exit 1)');
  });

  it('--json on bad input: still one JSON document, carrying the error', async () => {
    const run = await cli(['verify', 'test/fixtures/nope', '--json']);
    expect(run.code).to.equal(2);
    const out = JSON.parse(run.stdout);
    expect(out).to.deep.include({ exitCode: 2, reports: [] });
    expect(out.error.code).to.equal('ZDT_MANIFEST');
  });

  it('--quiet: only the verdict line on stdout, no progress', async () => {
    const run = await verify(fakeCluster(), '--quiet');
    expect(run.code).to.equal(0);
    expect(run.stdout).to.equal('zdt: PASS (exit 0): parallel-drain pass, node-replacement pass, rollout pass\n');
    expect(run.stderr).to.equal('');
  });

  it('exit 2 before any cluster when --report-dir cannot be created', async () => {
    const fake = fakeCluster();
    const run = await cli(['verify', GOOD, '--report-dir', join(GOOD, 'web.yaml', 'reports')], fake);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/--report-dir .*web\.yaml\/reports: cannot write reports.*\[ZDT_INVALID_OPTION\]/);
    expect(fake.started).to.have.length(0);
  });

  it('--no-lint skips the findings', async () => {
    const run = await verify(fakeCluster(), '--no-lint', '--scenario', 'rollout');
    expect(run.stdout).not.to.include('zero-downtime problems');
    expect(run.stderr).not.to.include('lint');
  });

  it('an interrupt aborts the running scenario through its signal, cleans up and exits 130', async () => {
    const controller = new AbortController();
    const fake = fakeCluster({
      'parallel-drain': (o) =>
        new Promise((_, reject) => {
          o.signal?.addEventListener('abort', () => reject(new ZdtError(ErrorCode.Aborted, 'operation aborted')));
          setTimeout(() => controller.abort(), 5);
        }),
    });
    const run = await cli(['verify', GOOD, '--report-dir', dir], fake, controller);
    expect(run.code).to.equal(130);
    expect(run.stderr).to.include('zdt: interrupted');
    expect(run.stdout).to.include('zdt: INTERRUPTED (exit 130): parallel-drain stopped, node-replacement not run, rollout not run');
    expect(fake.ran).to.have.length(1);
    expect(fake.deleted).to.equal(1);
  });

  it('keeps the list of what the run made and has not undone (for an exit without cleanup), and empties it as it cleans up', async () => {
    const leftovers = new Leftovers();
    let during: string[] = [];
    const fake = fakeCluster({
      'parallel-drain': async (o) => {
        o.onNamespace?.('zdt-parallel-drain-abc', true);
        o.onEvent?.({ t: 1, kind: 'taint-removed', subject: 'node/zdt-worker3', detail: 'zdt.dev/new-node=true:NoSchedule' });
        o.onEvent?.({ t: 2, kind: 'cordon', subject: 'node/zdt-worker' });
        o.onEvent?.({ t: 3, kind: 'cordon', subject: 'node/zdt-worker2' });
        o.onEvent?.({ t: 4, kind: 'uncordon', subject: 'node/zdt-worker2' });
        during = leftovers.list();
        o.onNamespace?.('zdt-parallel-drain-abc', false);
        return result(report(o.name, 'pass'));
      },
    });
    const run = await cli(['verify', GOOD, '--scenario', 'parallel-drain', '--report-dir', dir], fake, new AbortController(), leftovers);
    expect(run.code, run.stderr).to.equal(0);
    expect(during).to.deep.equal([
      'kind cluster zdt: kind delete cluster --name zdt',
      'namespace/zdt-parallel-drain-abc: kubectl delete namespace zdt-parallel-drain-abc',
      'node/zdt-worker3 taint: kubectl taint nodes zdt-worker3 zdt.dev/new-node=true:NoSchedule',
      'node/zdt-worker: kubectl uncordon zdt-worker',
    ]);
    expect(leftovers.list()).to.deep.equal([]);
  });
});
