/**
 * Workloads beyond Deployments: the bundled example run by a StatefulSet, drained beside a twin
 * that must fail, and rolled out (the rollout's twin, two one-replica StatefulSets under one
 * PDB, is suite 10's sts-rollout-ignores-pdb case). A StatefulSet recreates an evicted pod under
 * the same name, and rolls out by deleting a pod before creating its replacement: nothing surges.
 */
import { expect } from 'chai';
import { scenario, timesOf } from './scenario.ts';
import { asStatefulSet, variant, withoutPdb } from './variants.ts';

describe('8. StatefulSet: drain and rollout', function () {
  it('parallel drain under the PDB: zero failures, pods recreated under their names on the new nodes', async function () {
    const result = await scenario('sts-drain', await variant(asStatefulSet), { kind: 'replace' });
    expect(result.report).to.have.zeroFailedRequests();
    expect(result.report).to.have.evictionRefusals();
    expect(result.finalPods.map((p) => p.name).sort()).to.deep.equal(['nginx-0', 'nginx-1']);
    // Each pod left while the load ran: its exit was measured, not cut off.
    expect(result.report.displaced.map((d) => d.pod).sort()).to.deep.equal(['pod/nginx-0', 'pod/nginx-1']);
    const stop = timesOf(result, 'load-stop')[0]!.t;
    for (const d of result.report.displaced) expect(d.goneAtMs, d.pod).to.be.a('number').and.lessThan(stop);
  });

  it('twin without the PDB: both pods go at once and requests fail', async function () {
    const result = await scenario('sts-drain-twin', await variant(asStatefulSet, withoutPdb), { kind: 'replace' });
    expect(timesOf(result, 'eviction-refused')).to.have.length(0);
    expect(result.report).to.have.failedRequests();
  });

  it('rolling update, one pod at a time: zero failures, and the load covers every old pod until it is gone', async function () {
    const result = await scenario('sts-rollout', await variant(asStatefulSet), { kind: 'rollout' });
    expect(result.report).to.have.zeroFailedRequests();
    expect(timesOf(result, 'rollout-start').map((e) => e.subject)).to.deep.equal(['statefulset/nginx']);
    expect(result.report.displaced).to.have.length(2);
    const stop = timesOf(result, 'load-stop')[0]!.t;
    for (const d of result.report.displaced) expect(d.goneAtMs, d.pod).to.be.a('number').and.lessThan(stop);
  });
});
