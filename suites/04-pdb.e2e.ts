import { expect } from 'chai';
import { sharedCluster } from './hooks.ts';
import { scenario, timesOf } from './scenario.ts';
import { variant, withoutPdb } from './variants.ts';

// The example's pods warm up for 8 s before they serve (and become ready), longer than its
// 5 s preStop delay: the condition under which a missing PDB causes an outage even though
// Kubernetes 1.34 keeps routing to terminating-but-serving endpoints while no ready endpoint
// exists (with a warm-up shorter than the delay, the twin passes: measured on kind 1.34).

describe('4. PDB with parallel drains: two old nodes drained at once while two new nodes take over', function () {
  it('with PDB minAvailable 1: zero failures, at least one 429, never zero ready endpoints, all pods on new nodes', async function () {
    const result = await scenario('pdb-parallel', await variant(), { kind: 'replace' });
    expect(result.report).to.have.zeroFailedRequests();
    expect(result.report).to.have.evictionRefusals();
    expect(result.report).to.have.minReadyEndpointsAtLeast(1);
    expect(result.drains.map((d) => d.ok), 'both drains completed').to.deep.equal([true, true]);
    const newNodes = (await (await sharedCluster()).workers('new')).map((n) => n.metadata?.name);
    expect(result.finalPods).to.have.length(2);
    for (const pod of result.finalPods) expect(newNodes, `${pod.name} ended on ${pod.node}`).to.include(pod.node);
  });

  it('twin without the PDB: both pods are evicted at once and requests fail', async function () {
    const result = await scenario('pdb-parallel-twin', await variant(withoutPdb), { kind: 'replace' });
    const accepted = timesOf(result, 'eviction-accepted').map((e) => e.t);
    expect(accepted, 'two evictions accepted').to.have.length(2);
    expect(Math.abs(accepted[1]! - accepted[0]!), 'evictions within 1 s of each other (nothing serialized them)').to.be.lessThan(1000);
    expect(timesOf(result, 'eviction-refused')).to.have.length(0);
    expect(result.report.readyEndpoints.min).to.equal(0);
    expect(result.report).to.have.failedRequests();
  });
});
