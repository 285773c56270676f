import { expect } from 'chai';
import { createClock } from '../../harness/clock.ts';
import type { EndpointSlice, Pod } from '../../harness/kube/types.ts';
import { Timeline } from '../../harness/observe/events.ts';
import { startWatcher } from '../../harness/observe/watcher.ts';
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

describe('observe/watcher', () => {
  it('records the starting endpoints, then every transition of pods and endpoints, and stops cleanly', async () => {
    const api = new FakeKubeApi([
      makeNode('n1'),
      readyPod('web-1', 'n1'),
      readyPod('web-2', 'n2'),
      slice([
        { ip: '10.0.0.1', pod: 'web-1', ready: true },
        { ip: '10.0.0.2', pod: 'web-2', ready: true },
      ]),
    ]);
    const timeline = new Timeline(createClock());
    const watcher = startWatcher(api, { namespace: ns, service: 'web', sink: timeline });
    await watcher.synced;
    // Existing pods are the starting state; existing endpoints count as ready from the start.
    expect(kinds(timeline)).to.deep.equal(['endpoint-ready endpoint/10.0.0.1 web-1', 'endpoint-ready endpoint/10.0.0.2 web-2']);

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
      'endpoint-not-ready endpoint/10.0.0.1 web-1',
      'endpoint-removed endpoint/10.0.0.1',
      'pod-deleted pod/web-1 n1',
      'pod-scheduled pod/web-3 n3',
      'pod-ready pod/web-3 n3',
      'endpoint-ready endpoint/10.0.0.3 web-3',
    ]);
    const times = timeline.events.map((e) => e.t);
    expect(times).to.deep.equal([...times].sort((a, b) => a - b));
  });
});
