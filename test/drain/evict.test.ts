import { expect } from 'chai';
import { createClock } from '../../harness/clock.ts';
import { evictPod, waitForPodGone, type Refusal } from '../../harness/drain/evict.ts';
import { resolveDrainOptions } from '../../harness/drain/options.ts';
import { ErrorCode, isZdtError } from '../../harness/errors.ts';
import type { Pod } from '../../harness/kube/types.ts';
import { Timeline } from '../../harness/observe/events.ts';
import { FakeKubeApi, makePdb, makePod, statuses, rejection } from '../fakes/kube.ts';

const RETRY_MS = 60;
const podRef = { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'web-1' };

function setup() {
  const pod = makePod('web-1', { node: 'n1' });
  const api = new FakeKubeApi([pod]);
  const stored = api.peek<Pod>(podRef)!;
  const timeline = new Timeline(createClock());
  const refusals: Refusal[] = [];
  const options = { ...resolveDrainOptions({ retryDelayMs: RETRY_MS }), onRefused: (r: Refusal) => refusals.push(r) };
  return { api, pod: stored, timeline, refusals, options };
}


describe('drain/evict', () => {
  it('429 (PDB) is retried after the configured delay, then 201 is accepted', async () => {
    const { api, pod, timeline, refusals, options } = setup();
    api.evictions.set('default/web-1', [statuses.pdbRefused('nginx-pdb'), statuses.pdbRefused('nginx-pdb'), 'accept']);
    expect(await evictPod(api, pod, options, timeline)).to.equal('evicted');

    const calls = api.callsOf('evict');
    expect(calls).to.have.length(3);
    for (let i = 1; i < calls.length; i++) expect(calls[i]!.t - calls[i - 1]!.t).to.be.at.least(RETRY_MS - 1);
    expect(refusals).to.have.length(2);
    expect(refusals[0]).to.include({ status: 429, pdb: 'nginx-pdb' });
    expect(timeline.events.map((e) => e.kind)).to.deep.equal(['eviction-refused', 'eviction-refused', 'eviction-accepted']);
    expect(timeline.events[0]!.detail).to.contain("Cannot evict pod as it would violate the pod's disruption budget.").and.contain('nginx-pdb');
    expect(api.peek(podRef)).to.equal(undefined);
  });

  it('passes the grace period with the eviction', async () => {
    const { api, pod, options } = setup();
    await evictPod(api, pod, { ...options, gracePeriodSeconds: 7 }, undefined);
    expect(api.callsOf('evict')[0]!.body).to.deep.equal({ gracePeriodSeconds: 7 });
  });

  it('500 multiple PDBs fails at once with ZDT_EVICTION_MULTIPLE_PDBS naming them', async () => {
    const { api, pod, timeline, options } = setup();
    api.put(makePdb('a-pdb', 'default', { app: 'web' }));
    api.put(makePdb('b-pdb', 'default', { app: 'web' }));
    api.evictions.set('default/web-1', [statuses.multiplePdbs()]);
    const err = await rejection(evictPod(api, pod, options, timeline));
    expect(isZdtError(err, ErrorCode.EvictionMultiplePdbs)).to.equal(true);
    expect(err.message).to.contain('default/web-1').and.contain('a-pdb, b-pdb');
    expect(api.callsOf('evict')).to.have.length(1);
    expect(timeline.events.map((e) => e.kind)).to.deep.equal(['eviction-error']);
  });

  it('404 means the pod is already gone', async () => {
    const { api, pod, timeline, options } = setup();
    api.evictions.set('default/web-1', [statuses.notFound()]);
    expect(await evictPod(api, pod, options, timeline)).to.equal('gone');
    expect(api.callsOf('evict')).to.have.length(1);
  });

  it('403 NamespaceTerminating: retried until the pod is being deleted, then waited for', async () => {
    const { api, pod, timeline, refusals, options } = setup();
    api.evictions.set('default/web-1', [statuses.namespaceTerminating('default'), statuses.namespaceTerminating('default')]);
    // The namespace controller starts deleting the pod while the drain waits to retry.
    setTimeout(() => api.put({ ...api.peek<Pod>(podRef)!, metadata: { ...api.peek<Pod>(podRef)!.metadata, deletionTimestamp: new Date().toISOString() } }), RETRY_MS / 2);
    expect(await evictPod(api, pod, options, timeline)).to.equal('deleting');
    expect(api.callsOf('evict')).to.have.length(2);
    expect(refusals).to.have.length(1);
    expect(refusals[0]).to.include({ status: 403 });
    expect(timeline.events.map((e) => e.kind)).to.deep.equal(['eviction-refused', 'note']);
  });

  it('403 NamespaceTerminating on a pod already deleting is not retried', async () => {
    const { api, options } = setup();
    const deleting = makePod('web-1', { node: 'n1', deleting: true });
    api.evictions.set('default/web-1', [statuses.namespaceTerminating('default')]);
    expect(await evictPod(api, deleting, options, undefined)).to.equal('deleting');
    expect(api.callsOf('evict')).to.have.length(1);
  });

  it('any other error fails with the ZDT_KUBE_API error and an eviction-error event', async () => {
    const { api, pod, timeline, options } = setup();
    api.evictions.set('default/web-1', [{ status: 403, reason: 'Forbidden', message: 'pods "web-1" is forbidden: User "x" cannot create resource "pods/eviction"' }]);
    const err = await rejection(evictPod(api, pod, options, timeline));
    expect(isZdtError(err, ErrorCode.KubeApi)).to.equal(true);
    expect(err.details?.status).to.equal(403);
    expect(timeline.events.map((e) => e.kind)).to.deep.equal(['eviction-error']);
  });

  it('stops retrying when the signal aborts', async () => {
    const { api, pod, options } = setup();
    api.evictions.set('default/web-1', Array.from({ length: 100 }, () => statuses.pdbRefused('nginx-pdb')));
    const err = await rejection(evictPod(api, pod, { ...options, signal: AbortSignal.timeout(RETRY_MS * 2.5) }, undefined));
    expect(isZdtError(err, ErrorCode.Aborted)).to.equal(true);
    expect(api.callsOf('evict').length).to.be.within(2, 3);
  });

  it('never evicts a new pod that took the name while retrying', async () => {
    const { api, pod, options } = setup();
    api.evictions.set('default/web-1', [statuses.pdbRefused('nginx-pdb')]);
    setTimeout(() => {
      api.remove(podRef);
      api.put(makePod('web-1', { node: 'n2' }));
    }, RETRY_MS / 2);
    expect(await evictPod(api, pod, options, undefined)).to.equal('gone');
    expect(api.callsOf('evict')).to.have.length(1);
  });

  describe('waitForPodGone', () => {
    it('resolves when the pod is deleted', async () => {
      const { api, pod } = setup();
      setTimeout(() => api.remove(podRef), 30);
      await waitForPodGone(api, pod, { timeoutMs: 1000, intervalMs: 10 });
    });

    it('resolves when a pod with the same name but another UID replaced it', async () => {
      const { api, pod } = setup();
      setTimeout(() => {
        api.remove(podRef);
        api.put(makePod('web-1', { node: 'n2' }));
      }, 30);
      await waitForPodGone(api, pod, { timeoutMs: 1000, intervalMs: 10 });
      expect(api.peek<Pod>(podRef)?.metadata?.uid).to.not.equal(pod.metadata?.uid);
    });

    it('times out with ZDT_TIMEOUT naming the pod and its state', async () => {
      const { api, pod } = setup();
      const err = await rejection(waitForPodGone(api, pod, { timeoutMs: 50, intervalMs: 10 }));
      expect(isZdtError(err, ErrorCode.Timeout)).to.equal(true);
      expect(err.message).to.contain('pod default/web-1 to be gone').and.contain('still present (phase Running)');
    });
  });
});
