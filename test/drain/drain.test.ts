import { expect } from 'chai';
import { createClock } from '../../harness/clock.ts';
import { drainNode, drainNodes } from '../../harness/drain/drain.ts';
import { ErrorCode, isZdtError } from '../../harness/errors.ts';
import type { Node, Pod } from '../../harness/kube/types.ts';
import { Timeline } from '../../harness/observe/events.ts';
import { FakeKubeApi, makeNode, makePdb, makePod, statuses, rejection } from '../fakes/kube.ts';

const fast = { retryDelayMs: 20, pollIntervalMs: 5 };
const nodeRef = (name: string) => ({ apiVersion: 'v1', kind: 'Node', name });
const podRef = (name: string, namespace = 'default') => ({ apiVersion: 'v1', kind: 'Pod', namespace, name });
const refusedForever = (pdb: string) => Array.from({ length: 1000 }, () => statuses.pdbRefused(pdb));


const kinds = (t: Timeline, subject?: string) => t.events.filter((e) => subject === undefined || e.subject === subject).map((e) => e.kind);

describe('drain/drain', () => {
  it('cordons, evicts evictable pods concurrently, skips DaemonSet pods, waits for terminating ones', async () => {
    const api = new FakeKubeApi([
      makeNode('n1'),
      makeNode('n2'),
      makePod('web-1', { node: 'n1' }),
      makePod('web-2', { node: 'n1' }),
      makePod('web-3', { node: 'n2' }),
      makePod('kube-proxy-x', { node: 'n1', owner: 'DaemonSet', namespace: 'kube-system' }),
      makePod('old', { node: 'n1', deleting: true }),
    ]);
    setTimeout(() => api.remove(podRef('old')), 30);
    const timeline = new Timeline(createClock());
    const result = await drainNode(api, 'n1', fast, timeline);

    expect(result.evicted).to.deep.equal(['default/web-1', 'default/web-2']);
    expect(result.waitedFor).to.deep.equal(['default/old']);
    expect(result.skipped.map((d) => d.reason)).to.deep.equal(['DaemonSet-managed']);
    expect(api.peek<Node>(nodeRef('n1'))?.spec?.unschedulable).to.equal(true);
    expect(api.peek(podRef('web-3'))).to.not.equal(undefined);
    expect(api.callsOf('list')[0]!.target).to.equal('pods');
    // Both evictions go out before either pod is waited for (one task per pod).
    const verbs = api.calls.map((c) => `${c.verb} ${c.target}`);
    expect(verbs.indexOf('evict pods default/web-2')).to.be.below(verbs.indexOf('get pods default/web-1'));
    expect(kinds(timeline, 'node/n1')).to.deep.equal(['drain-start', 'cordon', 'drain-done']);
    expect(kinds(timeline).filter((k) => k === 'eviction-accepted')).to.have.length(2);
  });

  it('waits until an evicted pod is replaced by one with a new UID', async () => {
    const api = new FakeKubeApi([makeNode('n1'), makePod('db-0', { node: 'n1' })]);
    // Like a StatefulSet: the pod comes back under the same name with a new UID.
    api.onEvicted = (_pod, fake) => {
      setTimeout(() => {
        fake.remove(podRef('db-0'));
        fake.put(makePod('db-0', { node: 'n2' }));
      }, 30);
    };
    const started = performance.now();
    await drainNode(api, 'n1', fast);
    expect(performance.now() - started).to.be.at.least(25);
    expect(api.callsOf('get', 'pods default/db-0').length).to.be.at.least(2);
  });

  it('a filtered pod aborts the drain before any eviction, and the node is uncordoned', async () => {
    const api = new FakeKubeApi([makeNode('n1'), makePod('web-1', { node: 'n1' }), makePod('bare', { node: 'n1', owner: null })]);
    const timeline = new Timeline(createClock());
    const err = await rejection(drainNode(api, 'n1', fast, timeline));
    expect(isZdtError(err, ErrorCode.DrainFiltered)).to.equal(true);
    expect(err.message).to.contain('default/bare');
    expect(api.callsOf('evict')).to.have.length(0);
    expect(api.peek<Node>(nodeRef('n1'))?.spec?.unschedulable).to.equal(undefined);
    expect(kinds(timeline, 'node/n1')).to.deep.equal(['drain-start', 'cordon', 'drain-failed', 'uncordon']);
  });

  it('a blocked drain says why the budget has no room, in the cluster\'s words: its status and the Pending replacement\'s scheduler message', async () => {
    const pdb = { ...makePdb('nginx-pdb', 'default', { app: 'web' }), status: { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 2 } };
    const pending = makePod('web-2', { node: '', phase: 'Pending' });
    pending.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules." }] };
    const api = new FakeKubeApi([makeNode('n1'), makePod('web-1', { node: 'n1' }), pending, pdb]);
    api.evictions.set('default/web-1', refusedForever('nginx-pdb'));
    const err = await rejection(drainNode(api, 'n1', { ...fast, timeoutMs: 150 }));
    expect(isZdtError(err, ErrorCode.DrainBlocked), String(err)).to.equal(true);
    expect(err.message).to.contain('PodDisruptionBudget nginx-pdb: 0 disruptions allowed (1 healthy of 1 needed, 2 expected)');
    expect(err.message).to.contain("pod web-2 is Pending, not scheduled: 0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.");
    expect(err.details?.budgets).to.have.length(1);
  });

  it('a PDB that never allows the eviction: ZDT_DRAIN_BLOCKED at the timeout naming the PDB, node uncordoned', async () => {
    const api = new FakeKubeApi([makeNode('n1'), makePod('web-1', { node: 'n1' })]);
    api.evictions.set('default/web-1', refusedForever('nginx-pdb'));
    const timeline = new Timeline(createClock());
    const err = await rejection(drainNode(api, 'n1', { ...fast, timeoutMs: 150 }, timeline));

    expect(isZdtError(err, ErrorCode.DrainBlocked), String(err)).to.equal(true);
    expect(err.message).to.match(/^drain of node n1 blocked by PodDisruptionBudget nginx-pdb: eviction of pod default\/web-1 refused \d+ times \(429\) over 0s\. PodDisruptionBudget nginx-pdb no longer exists$/);
    const refusals = api.callsOf('evict').length;
    expect(refusals).to.be.at.least(2);
    expect(err.message).to.contain(`refused ${refusals} times`);
    expect(err.details).to.deep.include({ node: 'n1', pdbs: ['nginx-pdb'] });
    expect(api.peek<Node>(nodeRef('n1'))?.spec?.unschedulable).to.equal(undefined);
    expect(kinds(timeline, 'node/n1')).to.deep.equal(['drain-start', 'cordon', 'drain-failed', 'uncordon']);
  });

  it('finds the blocking PDB by selector when the 429 does not name it', async () => {
    const api = new FakeKubeApi([makeNode('n1'), makePod('web-1', { node: 'n1' }), makePdb('web-pdb', 'default', { app: 'web' }), makePdb('db-pdb', 'default', { app: 'db' })]);
    api.evictions.set('default/web-1', Array.from({ length: 1000 }, () => ({ status: 429, reason: 'TooManyRequests', message: 'Too many requests' })));
    const err = await rejection(drainNode(api, 'n1', { ...fast, timeoutMs: 80 }));
    expect(isZdtError(err, ErrorCode.DrainBlocked)).to.equal(true);
    expect(err.message).to.contain('blocked by PodDisruptionBudget web-pdb:');
  });

  it('keepCordoned leaves the node cordoned after a failure', async () => {
    const api = new FakeKubeApi([makeNode('n1'), makePod('web-1', { node: 'n1' })]);
    api.evictions.set('default/web-1', refusedForever('nginx-pdb'));
    const timeline = new Timeline(createClock());
    await rejection(drainNode(api, 'n1', { ...fast, timeoutMs: 60, keepCordoned: true }, timeline));
    expect(api.peek<Node>(nodeRef('n1'))?.spec?.unschedulable).to.equal(true);
    expect(kinds(timeline, 'node/n1')).to.not.include('uncordon');
  });

  it('does not uncordon a node that was cordoned before the drain', async () => {
    const api = new FakeKubeApi([makeNode('n1', { unschedulable: true }), makePod('bare', { node: 'n1', owner: null })]);
    await rejection(drainNode(api, 'n1', fast));
    expect(api.peek<Node>(nodeRef('n1'))?.spec?.unschedulable).to.equal(true);
    expect(api.callsOf('patch')).to.have.length(0);
  });

  it('a multi-PDB eviction error fails the drain with its own code, after the other pods settle', async () => {
    const api = new FakeKubeApi([makeNode('n1'), makePod('web-1', { node: 'n1' }), makePod('web-2', { node: 'n1' })]);
    api.evictions.set('default/web-1', [statuses.multiplePdbs()]);
    const err = await rejection(drainNode(api, 'n1', fast));
    expect(isZdtError(err, ErrorCode.EvictionMultiplePdbs)).to.equal(true);
    expect(err.message).to.match(/^drain of node n1 failed: eviction of pod default\/web-1 is impossible/);
    expect(api.peek(podRef('web-2'))).to.equal(undefined);
    expect(api.peek<Node>(nodeRef('n1'))?.spec?.unschedulable).to.equal(undefined);
  });

  it('pods that never terminate without any refusal: ZDT_TIMEOUT naming them', async () => {
    const api = new FakeKubeApi([makeNode('n1'), makePod('stuck', { node: 'n1' })]);
    api.onEvicted = (pod, fake) => void fake.put({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date().toISOString() } });
    const err = await rejection(drainNode(api, 'n1', { ...fast, timeoutMs: 60 }));
    expect(isZdtError(err, ErrorCode.Timeout)).to.equal(true);
    expect(err.message).to.match(/^drain of node n1 timed out after 0s: .*pod default\/stuck still present \(terminating\)/);
  });

  it('an aborted drain rejects with ZDT_ABORTED and uncordons', async () => {
    const api = new FakeKubeApi([makeNode('n1'), makePod('web-1', { node: 'n1' })]);
    api.evictions.set('default/web-1', refusedForever('nginx-pdb'));
    const err = await rejection(drainNode(api, 'n1', { ...fast, signal: AbortSignal.timeout(50) }));
    expect(isZdtError(err, ErrorCode.Aborted)).to.equal(true);
    expect(api.peek<Node>(nodeRef('n1'))?.spec?.unschedulable).to.equal(undefined);
  });

  describe('an API server that goes away mid-drain', () => {
    const terminating = (pod: Pod): Pod => ({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date().toISOString() } });

    it('evictions and polls that reach no server are retried until it is back; the drain finishes and the outage is on the timeline', async () => {
      const api = new FakeKubeApi([makeNode('n1'), makePod('web-1', { node: 'n1' }), makePod('web-2', { node: 'n1' })]);
      // web-1's eviction is the last call answered before the server stops for 150 ms; web-1 leaves meanwhile.
      const clock = createClock();
      let downAt = NaN;
      let upAt = NaN;
      api.onEvicted = (pod, fake) => {
        if (pod.metadata?.name !== 'web-1') return void fake.remove(podRef(pod.metadata?.name ?? ''));
        fake.put(terminating(pod));
        fake.serverDown();
        downAt = clock.now();
        setTimeout(() => {
          fake.remove(podRef('web-1'));
          fake.serverUp();
          upAt = clock.now();
        }, 150);
      };
      const timeline = new Timeline(clock);
      const result = await drainNode(api, 'n1', fast, timeline);

      expect(result.evicted).to.deep.equal(['default/web-1', 'default/web-2']);
      expect(api.peek(podRef('web-2'))).to.equal(undefined);
      // Refused connections, each retried after retryDelayMs (evictions) or pollIntervalMs (polls).
      expect(api.callsOf('evict', 'pods default/web-2').length).to.be.at.least(4);
      expect(api.callsOf('get', 'pods default/web-1').length).to.be.at.least(10);
      expect(kinds(timeline, 'node/n1')).to.deep.equal(['drain-start', 'cordon', 'api-unreachable', 'api-reachable', 'drain-done']);
      expect(kinds(timeline)).to.not.include('eviction-error');
      const down = timeline.events.find((e) => e.kind === 'api-unreachable')!;
      const up = timeline.events.find((e) => e.kind === 'api-reachable')!;
      expect(down.detail).to.contain('ECONNREFUSED');
      // Seen by the drain's own calls: the first refused one after the server stopped, the first
      // answered one after it came back (a busy machine delays either call, not the order).
      expect(down.t).to.be.within(downAt, upAt);
      expect(up.t).to.be.at.least(upAt);
      expect(up.detail).to.match(/^answered again after 0\.\d s$/);
    });

    it('cordon and the pod listing wait for a server that refuses connections, answers 503/500 while it starts, or throttles (429)', async () => {
      const api = new FakeKubeApi([makeNode('n1'), makePod('web-1', { node: 'n1' })]);
      api.serverDown('ECONNRESET');
      setTimeout(() => api.serverUp(), 60);
      api.failNext('list', { status: 503, reason: 'ServiceUnavailable', message: 'the server is currently unable to handle the request' });
      api.failNext('list', { status: 500, reason: 'InternalError', message: 'etcdserver: leader changed' });
      api.failNext('list', { status: 429, reason: 'TooManyRequests', message: 'Too many requests, please try again later.' });
      const timeline = new Timeline(createClock());
      await drainNode(api, 'n1', fast, timeline);

      expect(api.callsOf('get', 'nodes n1').length).to.be.at.least(3);
      expect(api.callsOf('list')).to.have.length(4);
      expect(api.peek<Node>(nodeRef('n1'))?.spec?.unschedulable).to.equal(true);
      expect(kinds(timeline, 'node/n1')).to.deep.equal(['drain-start', 'api-unreachable', 'api-reachable', 'cordon', 'api-unreachable', 'api-reachable', 'drain-done']);
    });

    it('a 403 just after an outage is retried (kube-apiserver serves before its RBAC caches are filled); without an outage it fails at once', async () => {
      const forbidden = { status: 403, reason: 'Forbidden', message: 'pods "x" is forbidden: User "kubernetes-admin" cannot create resource "pods/eviction" in API group ""' };
      const api = new FakeKubeApi([makeNode('n1'), makeNode('n2'), makePod('web-1', { node: 'n1' }), makePod('web-2', { node: 'n2' })]);
      api.evictions.set('default/web-1', [forbidden, forbidden]);
      api.evictions.set('default/web-2', [forbidden]);
      api.serverDown();
      setTimeout(() => api.serverUp(), 30);
      await drainNode(api, 'n1', fast);
      expect(api.callsOf('evict', 'pods default/web-1')).to.have.length(3);

      const err = await rejection(drainNode(api, 'n2', fast));
      expect(isZdtError(err, ErrorCode.KubeApi), String(err)).to.equal(true);
      expect(err.message).to.contain('cannot create resource "pods/eviction"');
      expect(api.callsOf('evict', 'pods default/web-2')).to.have.length(1);
    });

    it('an outage outlasting the deadline: ZDT_TIMEOUT saying so, and the node is uncordoned once the server answers again', async () => {
      const api = new FakeKubeApi([makeNode('n1'), makePod('web-1', { node: 'n1' })]);
      api.onEvicted = (pod, fake) => {
        fake.put(terminating(pod));
        fake.serverDown();
        setTimeout(() => fake.serverUp(), 150);
      };
      const timeline = new Timeline(createClock());
      const err = await rejection(drainNode(api, 'n1', { ...fast, timeoutMs: 60 }, timeline));

      expect(isZdtError(err, ErrorCode.Timeout), String(err)).to.equal(true);
      expect(err.message).to.match(/^drain of node n1 timed out after 0s: .*pod default\/web-1 not seen: API server unreachable/);
      expect(api.peek<Node>(nodeRef('n1'))?.spec?.unschedulable).to.equal(undefined);
      expect(kinds(timeline, 'node/n1')).to.deep.equal(['drain-start', 'cordon', 'api-unreachable', 'drain-failed', 'api-reachable', 'uncordon']);
    });
  });

  describe('drainNodes', () => {
    it('drains nodes concurrently and independently: a blocked node does not hold the other back', async () => {
      const api = new FakeKubeApi([makeNode('n1'), makeNode('n2'), makePod('a', { node: 'n1' }), makePod('b', { node: 'n2' })]);
      api.evictions.set('default/a', [statuses.pdbRefused('pdb-a'), statuses.pdbRefused('pdb-a'), statuses.pdbRefused('pdb-a')]);
      const timeline = new Timeline(createClock());
      const outcomes = await drainNodes(api, ['n1', 'n2'], { ...fast, retryDelayMs: 40 }, timeline);

      expect(outcomes.map((o) => [o.node, o.ok])).to.deep.equal([['n1', true], ['n2', true]]);
      const done = (node: string) => timeline.events.find((e) => e.kind === 'drain-done' && e.subject === `node/${node}`)!.t;
      const start = timeline.events.find((e) => e.kind === 'drain-start')!.t;
      // n2 finished before n1 even retried; n1 needed its three 40 ms retries.
      expect(done('n2')).to.be.below(api.callsOf('evict', 'pods default/a')[1]!.t);
      expect(done('n1') - start).to.be.at.least(115);
      expect(api.callsOf('evict', 'pods default/a')).to.have.length(4);
      expect(api.callsOf('evict', 'pods default/b')).to.have.length(1);
    });

    it("reports each node's result; one failure does not fail the others", async () => {
      const api = new FakeKubeApi([makeNode('n1'), makeNode('n2'), makePod('a', { node: 'n1' }), makePod('b', { node: 'n2' })]);
      api.evictions.set('default/a', refusedForever('pdb-a'));
      const outcomes = await drainNodes(api, ['n1', 'n2'], { ...fast, timeoutMs: 80 });
      expect(outcomes[0]).to.include({ node: 'n1', ok: false });
      expect(isZdtError(outcomes[0]!.ok ? undefined : outcomes[0]!.error, ErrorCode.DrainBlocked)).to.equal(true);
      expect(outcomes[1]).to.include({ node: 'n2', ok: true });
      expect(api.peek<Pod>(podRef('b'))).to.equal(undefined);
    });

    it('validates options and node names before touching the cluster', async () => {
      const api = new FakeKubeApi([makeNode('n1')]);
      const bad = await rejection(drainNodes(api, ['n1'], { retryDelayMs: 0 }));
      expect(bad.message).to.equal('retryDelayMs must be > 0, got 0');
      const dup = await rejection(drainNodes(api, ['n1', 'n1']));
      expect(isZdtError(dup, ErrorCode.InvalidOption)).to.equal(true);
      expect(api.calls).to.have.length(0);
    });
  });
});
