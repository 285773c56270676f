import { expect } from 'chai';
import { sharedCluster } from './hooks.ts';
import { scenario } from './scenario.ts';
import { pdb, replicas, variant } from './variants.ts';

describe('6. blocked maintenance: one replica and PDB minAvailable 1', function () {
  it('the drain ends at its timeout with a "blocked by PodDisruptionBudget nginx-pdb" verdict and the node is uncordoned', async function () {
    const cluster = await sharedCluster();
    const result = await scenario('blocked', await variant(replicas(1)), { kind: 'drain', nodes: 1 }, { drain: { retryDelayMs: 2000, timeoutMs: 20_000 }, restoreNodes: false });
    try {
      expect(result.report.maintenance?.completed).to.equal(false);
      expect(result.report.maintenance?.reason).to.match(/blocked by PodDisruptionBudget nginx-pdb/);
      expect(result.report.verdict).to.equal('fail');
      // The PDB did its job: the only replica kept serving.
      expect(result.report.totals.failed).to.equal(0);
      const drained = result.drains[0]!.node;
      const node = (await cluster.workers()).find((n) => n.metadata?.name === drained);
      expect(node?.spec?.unschedulable ?? false, `${drained} uncordoned after the blocked drain`).to.equal(false);
    } finally {
      await cluster.resetNodes();
    }
  });

  it('twin with a PDB that allows one disruption: the drain completes', async function () {
    const result = await scenario('blocked-twin', await variant(replicas(1), pdb({ maxUnavailable: 1 })), { kind: 'drain', nodes: 1 });
    expect(result.report.maintenance?.completed).to.equal(true);
  });
});
