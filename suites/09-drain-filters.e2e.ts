/**
 * Pods `kubectl drain` will not move without a flag, on the real cluster. The refusals (bare
 * Pods: --force; emptyDir volumes: --delete-emptydir-data) are the handed cases' runs in suite
 * 10, which checks that the maintenance is blocked, names the pods and the flag, and evicts no
 * pod. Here: with the flag the emptyDir app drains, and DaemonSet pods are skipped, which the
 * report says.
 */
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { loadManifests } from '../harness/manifests/load.ts';
import { scenario, SUITE_DRAIN, timesOf } from './scenario.ts';
import { variant } from './variants.ts';
import type { LoadedManifest } from '../harness/manifests/load.ts';
import type { Deployment } from '../harness/kube/types.ts';

const caseDir = (name: string) => fileURLToPath(new URL(`./manifests/cases/${name}`, import.meta.url));
const parallelDrain = { kind: 'drain', bringInNewNodes: true } as const;

/** The example's pods run by a DaemonSet: one per schedulable worker, none on the tainted new pool. */
const asDaemonSet = (m: LoadedManifest[]) =>
  m.map((x) => {
    if (x.object.kind !== 'Deployment') return x;
    const d = structuredClone(x.object) as Deployment;
    d.kind = 'DaemonSet';
    delete d.spec!.replicas;
    delete d.spec!.strategy;
    return { ...x, object: d };
  });

describe('9. drain filters: emptyDir data deleted on request, DaemonSet pods skipped', function () {
  it('emptyDir with deleteEmptyDirData: the app kubectl refuses without it drains with zero failures', async function () {
    const allowed = await scenario('emptydir-allowed', await loadManifests(caseDir('emptydir-blocks-drain')), parallelDrain, { drain: { ...SUITE_DRAIN, deleteEmptyDirData: true } });
    expect(allowed.report).to.have.zeroFailedRequests();
    expect(timesOf(allowed, 'eviction-accepted').length).to.be.at.least(2);
  });

  it('DaemonSet backends: the drain skips their pods and the report names them', async function () {
    const result = await scenario('daemonset-drain', await variant(asDaemonSet), { kind: 'drain' });
    expect(result.report.maintenance?.completed).to.equal(true);
    expect(result.report.maintenance?.notes?.join('\n')).to.match(/skipped pod .*nginx-deployment-\w+ on zdt-worker\d?: DaemonSet-managed/);
    expect(timesOf(result, 'eviction-accepted')).to.have.length(0);
    expect(result.report).to.have.zeroFailedRequests();
  });
});
