/**
 * Involuntary disruption, the half of the series' first part that drains do not cover: a worker
 * hosting an app pod is crashed (SIGKILL, then started), frozen (docker pause) or cut off its
 * network, through the testcontainers door, for 60 s, past the control plane's 50 s
 * node-monitor-grace-period. A lost node always costs requests, so the verdict is the stated
 * budget; what the suite proves is that each fault really happens, is detected, is recovered
 * from, is measured, and leaves the cluster as it was. The example's default tolerations keep
 * its pods bound to the lost node until it returns; a twin that leaves after 5 s and warms up in
 * 2 s is back at full strength sooner, on the same cluster.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { kindNodeStates } from '../harness/cluster/docker.ts';
import type { Node } from '../harness/kube/types.ts';
import type { Report } from '../harness/verdict/report.ts';
import type { AvailabilityBudget } from '../harness/verdict/budget.ts';
import { attachedCli, type AttachedCli } from './cli.ts';
import { say, sharedCluster } from './hooks.ts';
import { scenario } from './scenario.ts';
import { slowStart, tolerateLostNodeFor, variant } from './variants.ts';

/**
 * The budget stated for a crash of one of the example's two nodes: about half the requests go to
 * the lost pod until the control plane notices (50 s of a ~75 s load), while the other pod keeps
 * answering, so there is never a stretch of 3 s without a success.
 */
const BUDGET: AvailabilityBudget = { maxFailed: { percent: 60 }, maxOutageMs: 3000 };

/** A node fault's figures, the same checks for every fault: it happened, was noticed, cost requests, and ended. */
function expectMeasured(report: Report, fault: string): NonNullable<Report['fault']> {
  const f = report.fault!;
  expect(f, 'fault figures').to.not.equal(null);
  say(`${fault}: detect ${f.detectMs} ms, failures ${f.firstFailureMs}..${f.lastFailureMs} ms (${report.totals.failed} of ${report.totals.sent}), full strength ${f.fullStrengthMs} ms, node Ready ${f.nodeReadyMs} ms`);
  expect(f.fault).to.equal(fault);
  expect(f.restoredMs, 'given back after the 60 s').to.be.within(59_000, 70_000);
  // Noticed once node-monitor-grace-period (50 s) ran out, not before and not much later.
  expect(f.detectMs, 'time to detect').to.be.within(40_000, 60_000);
  expect(report.totals.failed, 'a lost node costs requests').to.be.above(0);
  expect(f.firstFailureMs, 'failures begin with the fault').to.be.below(5_000);
  // They last at least until the endpoints drop the node; kept-alive connections to the lost pod
  // fail one by one after that, until the node is back, and then they end.
  expect(f.lastFailureMs, 'failures last until the control plane notices').to.be.above(f.detectMs! - 5_000);
  expect(f.nodeReadyMs, 'node Ready again').to.be.above(f.restoredMs!);
  expect(f.lastFailureMs, 'failures end').to.be.below(f.nodeReadyMs! + 30_000);
  expect(f.settings.join('\n')).to.match(/node-monitor-grace-period 50s \(the default\)/);
  return f;
}

describe('17. Node faults: a crashed, frozen or cut-off node, judged against a stated budget', function () {
  let cli: AttachedCli;
  before(async () => (cli = await attachedCli()));
  after(() => cli[Symbol.asyncDispose]());

  afterEach(async function () {
    this.timeout(60_000);
    // The cluster is usable for the next suite: every node container running on its network, every node Ready.
    const cluster = await sharedCluster();
    for (const n of await kindNodeStates(cluster.name)) expect(n, n.name).to.deep.include({ state: 'running', networks: ['kind'] });
    for (const node of await cluster.api.list<Node>({ apiVersion: 'v1', kind: 'Node' })) {
      expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, node.metadata?.name).to.equal('True');
    }
  });

  let crash: NonNullable<Report['fault']>;
  it('node-crash: the example stays within its budget, every figure is measured, and the app is back at full strength', async function () {
    const result = await scenario('node-crash', await variant(), { kind: 'node-fault', fault: 'kill' }, { budget: BUDGET });
    expect(result.report.verdict, result.report.problems.join('; ')).to.equal('pass');
    crash = expectMeasured(result.report, 'kill');
    expect(crash.settings.join('\n')).to.match(/tolerationSeconds 300 s \(the default\) for node.kubernetes.io\/unreachable/);
    expect(result.finalPods, 'two pods again').to.have.length(2);
    // Its pods were never replaced elsewhere: strength came back only with the node.
    expect(crash.fullStrengthMs, 'full strength only once the node is back').to.be.above(crash.restoredMs!);
  });

  it('node-crash with tolerationSeconds 5 and a 2 s warm-up: back at full strength sooner than the example', async function () {
    expect(crash, 'the example ran first').to.not.equal(undefined);
    const twin = await variant(tolerateLostNodeFor(5), slowStart(2));
    const result = await scenario('node-crash-short-tolerations', twin, { kind: 'node-fault', fault: 'kill' }, { budget: BUDGET });
    expect(result.report.verdict, result.report.problems.join('; ')).to.equal('pass');
    const fast = expectMeasured(result.report, 'kill');
    expect(fast.settings.join('\n')).to.match(/tolerationSeconds 5 s for node.kubernetes.io\/unreachable/);
    say(`full strength: example ${crash.fullStrengthMs} ms, short tolerations ${fast.fullStrengthMs} ms`);
    // Replaced on the other node while the lost one was still away.
    expect(fast.fullStrengthMs, 'replaced before the node came back').to.be.below(fast.restoredMs!);
    expect(fast.fullStrengthMs!, 'sooner than the example').to.be.below(crash.fullStrengthMs! - 5_000);
  });

  for (const [name, fault] of [['node-freeze', 'pause'], ['node-partition', 'disconnect']] as const) {
    it(`${name} through zdt verify: figures printed, within the budget, the node given back`, async function () {
      const r = await cli.verify(['--scenario', name, '--no-lint', '--max-failed', '60%', '--max-outage', '3000']);
      say(r.stdout);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(new RegExp(`^PASS ${name}: \\d+ requests, [1-9]\\d* failed \\(within --max-failed 60%, --max-outage 3000 ms\\)`, 'm'));
      expect(r.stdout).to.match(new RegExp(`node fault +${fault} \\S+ at [\\d.]+ s; detected \\(NotReady\\) after [\\d.]+ s; failures for`));
      expect(r.stdout).to.match(/node-monitor-grace-period 50s \(the default\)/);
      const { reports } = JSON.parse(await readFile(join(cli.dir, 'reports', 'report.json'), 'utf8')) as { reports: Report[] };
      expectMeasured(reports[0]!, fault);
    });
  }
});
