import { expect } from 'chai';
import { createClock } from '../../harness/clock.ts';
import type { EndpointSlice, Pod } from '../../harness/kube/types.ts';
import { Timeline } from '../../harness/observe/events.ts';
import { startWatcher } from '../../harness/observe/watcher.ts';
import { observerGapsFromTimeline } from '../../harness/verdict/report.ts';
import { poll, sleep } from '../../harness/wait.ts';
import { FakeKubeApi, makeNode, makePod } from '../fakes/kube.ts';

const ns = 'app';
const readyPod = (name: string, node: string): Pod => ({ ...makePod(name, { node, namespace: ns }), status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } });
const slice = (endpoints: { ip: string; pod: string; ready: boolean }[]): EndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'web-abc', namespace: ns, labels: { 'kubernetes.io/service-name': 'web' } },
  endpoints: endpoints.map((e) => ({ addresses: [e.ip], conditions: { ready: e.ready, terminating: !e.ready }, targetRef: { kind: 'Pod', name: e.pod } })),
});
const kinds = (t: Timeline) => t.events.map((e) => `${e.kind} ${e.subject}${e.detail ? ` ${e.detail}` : ''}`);
/** Node n1, ready pods web-1 (n1) and web-2 (n2), both ready endpoints of Service web. */
const twoReadyPods = () =>
  new FakeKubeApi([
    makeNode('n1'),
    readyPod('web-1', 'n1'),
    readyPod('web-2', 'n2'),
    slice([
      { ip: '10.0.0.1', pod: 'web-1', ready: true },
      { ip: '10.0.0.2', pod: 'web-2', ready: true },
    ]),
  ]);
const podRef = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', namespace: ns, name });
const STREAMS = ['watch/pods', 'watch/endpointslices/web', 'watch/nodes'];
const eventsOf = (t: Timeline, kind: string) => t.events.filter((e) => e.kind === kind);
/** Resolves once every stream has listed again after its gap. */
const relisted = (t: Timeline, count = STREAMS.length) =>
  poll(async () => (eventsOf(t, 'observer-gap-end').length >= count ? true : undefined), { timeoutMs: 5000, intervalMs: 10, what: 'every stream to list again' });

describe('observe/watcher', () => {
  it('records the starting endpoints, then every transition of pods and endpoints, and stops cleanly', async () => {
    const api = twoReadyPods();
    const timeline = new Timeline(createClock());
    const watcher = startWatcher(api, { namespace: ns, services: [{ service: 'web', as: 'web' }], sink: timeline });
    await watcher.synced;
    // Existing pods are the starting state; existing endpoints count as ready from the start.
    expect(kinds(timeline)).to.deep.equal(['endpoint-ready endpoint/web/10.0.0.1 web-1', 'endpoint-ready endpoint/web/10.0.0.2 web-2']);

    const web1 = api.peek<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace: ns, name: 'web-1' })!;
    api.put({ ...web1, metadata: { ...web1.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } });
    api.put(slice([{ ip: '10.0.0.1', pod: 'web-1', ready: false }, { ip: '10.0.0.2', pod: 'web-2', ready: true }]));
    api.put(slice([{ ip: '10.0.0.2', pod: 'web-2', ready: true }]));
    api.remove({ apiVersion: 'v1', kind: 'Pod', namespace: ns, name: 'web-1' });
    const web3 = api.put(makePod('web-3', { node: 'n3', namespace: ns }));
    api.put({ ...web3, status: readyPod('web-3', 'n3').status });
    api.put(slice([{ ip: '10.0.0.2', pod: 'web-2', ready: true }, { ip: '10.0.0.3', pod: 'web-3', ready: true }]));
    // An unchanged object delivered again (as after a re-watch) records nothing.
    api.put(api.peek<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace: ns, name: 'web-2' })!);

    await watcher.stop();
    api.put(readyPod('web-4', 'n4'));
    expect(kinds(timeline).slice(2)).to.deep.equal([
      'pod-terminating pod/web-1 n1',
      'endpoint-not-ready endpoint/web/10.0.0.1 web-1',
      'endpoint-removed endpoint/web/10.0.0.1',
      'pod-deleted pod/web-1 n1',
      'pod-scheduled pod/web-3 n3',
      'pod-ready pod/web-3 n3',
      'endpoint-ready endpoint/web/10.0.0.3 web-3',
    ]);
    const times = timeline.events.map((e) => e.t);
    expect(times).to.deep.equal([...times].sort((a, b) => a - b));
  });

  it('records a container of a terminating pod that ended with exit 137 (killed when its grace period ran out), once', async () => {
    const api = twoReadyPods();
    const timeline = new Timeline(createClock());
    const watcher = startWatcher(api, { namespace: ns, services: [{ service: 'web', as: 'web' }], sink: timeline });
    await watcher.synced;
    const web1 = api.peek<Pod>(podRef('web-1'))!;
    const terminating = { ...web1, metadata: { ...web1.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
    api.put(terminating);
    const exited = (name: string, exitCode: number) => ({ name, ready: false, restartCount: 0, state: { terminated: { reason: 'Error', exitCode } } });
    api.put({ ...terminating, status: { ...terminating.status, containerStatuses: [exited('nginx', 137), exited('sidecar', 0)] } });
    api.put({ ...terminating, status: { ...terminating.status, containerStatuses: [exited('nginx', 137), exited('sidecar', 0)], reason: 'again' } });
    // A running pod's container that died with 137 (OOM) is not a grace period running out.
    const web2 = api.peek<Pod>(podRef('web-2'))!;
    api.put({ ...web2, status: { ...web2.status, containerStatuses: [exited('nginx', 137)] } });
    await watcher.stop();
    expect(eventsOf(timeline, 'container-killed').map((e) => `${e.subject} ${e.detail}`)).to.deep.equal(['pod/web-1 nginx exit 137 on n1']);
  });

  it('an API server gone for a while: an observer gap, and what changed during it recorded when re-listed, flagged as observed after the gap', async () => {
    const api = twoReadyPods();
    const timeline = new Timeline(createClock());
    const errors: unknown[] = [];
    const watcher = startWatcher(api, { namespace: ns, services: [{ service: 'web', as: 'web' }], sink: timeline, onError: (e) => errors.push(e) });
    await watcher.synced;

    const downAt = timeline.clock.now();
    api.serverDown();
    // The cluster goes on while nobody can watch it: web-1 is deleted, its endpoint removed, web-3 starts.
    api.remove(podRef('web-1'));
    api.put(slice([{ ip: '10.0.0.2', pod: 'web-2', ready: true }]));
    api.put(readyPod('web-3', 'n3'));
    await sleep(300);
    const upAt = timeline.clock.now();
    api.serverUp();
    await relisted(timeline);
    // Watching again: a later change is recorded as it happens, without a note.
    const web2 = api.peek<Pod>(podRef('web-2'))!;
    api.put({ ...web2, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] } });
    await watcher.stop();

    expect(eventsOf(timeline, 'observer-gap-start').map((e) => e.subject)).to.have.members(STREAMS);
    expect(eventsOf(timeline, 'observer-gap-start').every((e) => e.detail?.includes('ECONNREFUSED'))).to.equal(true);
    expect(eventsOf(timeline, 'observer-gap-end').map((e) => e.subject)).to.have.members(STREAMS);
    expect(errors.length, 'every broken watch and failed re-list is reported').to.be.at.least(6);
    const lastGapEnd = Math.max(...eventsOf(timeline, 'observer-gap-end').map((e) => e.t));
    const seenAfter = timeline.events.filter((e) => e.t > downAt && !e.kind.startsWith('observer-gap'));
    const described = seenAfter.map((e) => `${e.kind} ${e.subject} ${e.detail}`.replace(/after a \d+\.\d s/, 'after a N s'));
    // Each stream in its own order; which stream lists first is up to timing.
    expect(described.filter((d) => d.startsWith('pod-'))).to.deep.equal([
      'pod-deleted pod/web-1 n1 (observed after a N s observer gap)',
      'pod-scheduled pod/web-3 n3 (observed after a N s observer gap)',
      'pod-ready pod/web-3 n3 (observed after a N s observer gap)',
      'pod-not-ready pod/web-2 n2',
    ]);
    expect(described.filter((d) => d.startsWith('endpoint-'))).to.deep.equal(['endpoint-removed endpoint/web/10.0.0.1 (observed after a N s observer gap)']);
    // Stamped when seen, never back-dated into the gap.
    for (const e of seenAfter) expect(e.t, `${e.kind} ${e.subject}`).to.be.at.least(upAt);
    expect(seenAfter.at(-1)!.t).to.be.at.least(lastGapEnd);

    const gaps = observerGapsFromTimeline(timeline.events);
    expect(gaps, 'the three streams were blind together: one gap').to.have.length(1);
    expect(gaps[0]!.startMs).to.be.within(downAt, downAt + 50);
    expect(gaps[0]!.endMs).to.equal(lastGapEnd).and.be.at.least(upAt);
  });

  it('a watch the server ends cleanly: re-listed at once, so a deletion in between is not lost', async () => {
    const api = new FakeKubeApi([makeNode('n1'), readyPod('web-1', 'n1'), slice([{ ip: '10.0.0.1', pod: 'web-1', ready: true }])]);
    const timeline = new Timeline(createClock());
    const watcher = startWatcher(api, { namespace: ns, services: [{ service: 'web', as: 'web' }], sink: timeline });
    await watcher.synced;
    api.endWatches();
    api.remove(podRef('web-1'));
    await relisted(timeline);
    await watcher.stop();

    expect(eventsOf(timeline, 'observer-gap-start').map((e) => e.detail)).to.deep.equal(STREAMS.map(() => 'the server ended the watch'));
    expect(eventsOf(timeline, 'pod-deleted').map((e) => `${e.subject} ${e.detail}`)).to.deep.equal(['pod/web-1 n1 (observed after a 0.0 s observer gap)']);
    expect(api.callsOf('watch')).to.have.length(6);
  });
});
