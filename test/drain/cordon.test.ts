import { expect } from 'chai';
import { createClock } from '../../harness/clock.ts';
import { cordon, removeTaint, uncordon } from '../../harness/drain/cordon.ts';
import type { Node } from '../../harness/kube/types.ts';
import { Timeline } from '../../harness/observe/events.ts';
import { FakeKubeApi, makeNode } from '../fakes/kube.ts';

const ref = (name: string) => ({ apiVersion: 'v1', kind: 'Node', name });

describe('drain/cordon', () => {
  it('cordons with a merge patch and reports whether it changed the node', async () => {
    const api = new FakeKubeApi([makeNode('n1')]);
    const timeline = new Timeline(createClock());
    expect(await cordon(api, 'n1', timeline)).to.equal(true);
    expect(api.peek<Node>(ref('n1'))?.spec?.unschedulable).to.equal(true);
    expect(api.callsOf('patch')[0]?.body).to.deep.equal({ spec: { unschedulable: true } });
    expect(await cordon(api, 'n1', timeline)).to.equal(false);
    expect(timeline.events.map((e) => [e.kind, e.subject])).to.deep.equal([['cordon', 'node/n1']]);

    await uncordon(api, 'n1', timeline);
    expect(api.peek<Node>(ref('n1'))?.spec).to.not.have.property('unschedulable');
    expect(timeline.events.at(-1)).to.include({ kind: 'uncordon', subject: 'node/n1' });
  });

  it('removes only the taint with the given key, guarded by resourceVersion', async () => {
    const api = new FakeKubeApi([
      makeNode('new1', { taints: [{ key: 'zdt.dev/new-node', effect: 'NoSchedule' }, { key: 'other', value: 'x', effect: 'NoExecute' }] }),
    ]);
    const timeline = new Timeline(createClock());
    // A concurrent writer changed the node between read and patch once: the patch is recomputed.
    api.failNext('patch', { status: 409, reason: 'Conflict', message: 'the object has been modified' });
    expect(await removeTaint(api, 'new1', 'zdt.dev/new-node', timeline)).to.equal(true);
    expect(api.peek<Node>(ref('new1'))?.spec?.taints).to.deep.equal([{ key: 'other', value: 'x', effect: 'NoExecute' }]);
    expect(api.callsOf('patch')).to.have.length(2);
    expect(timeline.events.map((e) => [e.kind, e.subject, e.detail])).to.deep.equal([['taint-removed', 'node/new1', 'zdt.dev/new-node:NoSchedule']]);

    expect(await removeTaint(api, 'new1', 'zdt.dev/new-node', timeline)).to.equal(false);
    expect(timeline.events).to.have.length(1);
  });
});
