/**
 * SIGINT to `zdt verify` (a separate process, attached to the shared cluster) during a drain
 * (nodes cordoned, evictions under way) and during the settle window: exit 130 within a bounded
 * time, nodes uncordoned and re-tainted as before, the run's namespace and the NodePort Service
 * it added gone. A second SIGINT exits at once and prints what it left.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { RUN_LABEL } from '../harness/cluster/namespace.ts';
import type { KubeObject } from '../harness/kube/types.ts';
import { attachedCli, type AttachedCli } from './cli.ts';
import { assertNodesAsBefore, sharedCluster } from './hooks.ts';
import { interruptVerify, runVerify } from './interrupt.ts';

describe('13. SIGINT to zdt verify on the real cluster', function () {
  let cli: AttachedCli;
  before(async () => (cli = await attachedCli()));
  after(() => cli[Symbol.asyncDispose]());

  const args = (name: string) => ['--kubeconfig', cli.kubeconfig, '--scenario', 'node-replacement', '--no-lint', '--report-dir', join(cli.dir, name)];

  const nodesAsBefore = async () => assertNodesAsBefore(await sharedCluster());

  /** No run namespace is left, other than terminating ones whose Services (and NodePorts) are gone. */
  async function noRunLeft(): Promise<void> {
    const { api } = await sharedCluster();
    for (const ns of await api.list<KubeObject>({ apiVersion: 'v1', kind: 'Namespace' }, { labelSelector: RUN_LABEL })) {
      const name = ns.metadata?.name ?? '';
      expect(ns.metadata?.deletionTimestamp, `namespace ${name} still active`).to.not.equal(undefined);
      expect(await api.list({ apiVersion: 'v1', kind: 'Service', namespace: name }), `Services left in ${name}`).to.deep.equal([]);
    }
  }

  it('during a drain: exit 130 within 60 s, nodes put back, namespace and NodePort gone', async function () {
    const run = await interruptVerify(args('drain'), /maintenance: bringing in .* draining/, { delayMs: 3000 });
    expect(run.code, run.stderr).to.equal(130);
    expect(run.exitAfterMs).to.be.lessThan(60_000);
    expect(run.stderr).to.match(/SIGINT: stopping and cleaning up/);
    await nodesAsBefore();
    await noRunLeft();
  });

  it('during the settle window: exit 130 within 60 s, nodes put back, namespace and NodePort gone', async function () {
    const run = await interruptVerify(args('settle'), /settle: waiting/, { delayMs: 1000 });
    expect(run.code, run.stderr).to.equal(130);
    expect(run.exitAfterMs).to.be.lessThan(60_000);
    await nodesAsBefore();
    await noRunLeft();
  });

  it('a second SIGINT exits at once and prints what it left, each with the command that removes it', async function () {
    const run = await interruptVerify(args('twice'), /maintenance: bringing in .* draining/, { delayMs: 3000, twice: true });
    try {
      expect(run.code, run.stderr).to.equal(130);
      expect(run.exitAfterMs).to.be.lessThan(5000);
      expect(run.stderr).to.match(/SIGINT again: exiting without cleanup; left behind:/);
      expect(run.stderr).to.match(/namespace\/zdt-node-replacement-\w+: kubectl delete namespace zdt-node-replacement-\w+/);
      // The first SIGINT already uncordoned the drained nodes; the new pool's removed taint is what is left.
      expect(run.stderr).to.match(/node\/\S+ taint: kubectl taint nodes \S+ zdt\.dev\/new-node=true:NoSchedule/);
    } finally {
      // This test left them on purpose: put the cluster back for the suites after it.
      const cluster = await sharedCluster();
      await cluster.resetNodes();
      for (const m of run.stderr.matchAll(/kubectl delete namespace (\S+)/g)) await cluster.api.delete({ apiVersion: 'v1', kind: 'Namespace', name: m[1]! }, { gracePeriodSeconds: 0 }).catch(() => false);
    }
  });

  it('a second zdt verify on the same cluster refuses, naming the run that holds it, and the first run is untouched', async function () {
    const first = runVerify([...args('first'), '--scenario', 'rollout']);
    await first.reached(/rollout load: /);
    // Through a shell, so the second run is not a child of the cluster's owner, as two runs a user starts are not.
    const second = await runVerify(['--kubeconfig', cli.kubeconfig, '--scenario', 'rollout', '--no-lint', '--report-dir', join(cli.dir, 'second')], { viaShell: true }).exited;
    expect(second.code, second.stderr).to.equal(2);
    expect(second.stderr).to.match(/kind cluster zdt is in use by another zdt run \(pid \d+/).and.match(/ZDT_CLUSTER_IN_USE/);
    const done = await first.exited;
    expect(done.code, done.stderr).to.equal(0);
  });
});
