/**
 * Pods `kubectl drain` will not move without a flag, on the real cluster: bare Pods (no
 * controller: --force) and pods with emptyDir volumes (--delete-emptydir-data). A refused
 * drain blocks the maintenance, names the pods and the option that would let it through, and
 * touches no pod. DaemonSet pods are skipped, and the report says so.
 */
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { loadManifests } from '../harness/manifests/load.ts';
import { scenario, timesOf } from './scenario.ts';
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

describe('9. drain refusals: bare Pods, emptyDir, DaemonSet pods', function () {
  it('bare Pods: the drain is refused naming the pods and force, no pod is evicted, the maintenance is blocked', async function () {
    const result = await scenario('bare-pods', await loadManifests(caseDir('bare-pods-no-controller')), parallelDrain);
    const m = result.report.maintenance!;
    expect(m.completed).to.equal(false);
    expect(m.reason).to.match(/declares no controller/).and.match(/legacy-[12]/).and.contain('force: true');
    expect(timesOf(result, 'eviction-accepted')).to.have.length(0);
    expect(result.report.verdict).to.equal('fail');
    expect(result.report.totals.failed).to.equal(0);
  });

  it('emptyDir: refused naming deleteEmptyDirData; with it the same app drains with zero failures', async function () {
    const manifests = await loadManifests(caseDir('emptydir-blocks-drain'));
    const refused = await scenario('emptydir', manifests, parallelDrain);
    expect(refused.report.maintenance?.completed).to.equal(false);
    expect(refused.report.maintenance?.reason).to.match(/emptyDir/).and.contain('deleteEmptyDirData: true');
    expect(timesOf(refused, 'eviction-accepted')).to.have.length(0);

    const allowed = await scenario('emptydir-allowed', manifests, parallelDrain, { drain: { retryDelayMs: 2000, timeoutMs: 120_000, deleteEmptyDirData: true } });
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
