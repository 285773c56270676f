import { expect } from 'chai';
import { createClock } from '../../harness/clock.ts';
import { replaceNodes } from '../../harness/drain/replace.ts';
import { ErrorCode, isZdtError } from '../../harness/errors.ts';
import type { Node } from '../../harness/kube/types.ts';
import { Timeline } from '../../harness/observe/events.ts';
import { FakeKubeApi, makeNode, makePod } from '../fakes/kube.ts';

const nodeRef = (name: string) => ({ apiVersion: 'v1', kind: 'Node', name });
const newNode = (name: string, key = 'zdt.dev/new-node') => makeNode(name, { taints: [{ key, effect: 'NoSchedule' }] });

describe('drain/replace', () => {
  it('un-taints the new nodes, then drains the old ones', async () => {
    const api = new FakeKubeApi([makeNode('old1'), makeNode('old2'), newNode('new1'), newNode('new2'), makePod('a', { node: 'old1' }), makePod('b', { node: 'old2' })]);
    const timeline = new Timeline(createClock());
    const result = await replaceNodes(api, { newNodes: ['new1', 'new2'], oldNodes: ['old1', 'old2'] }, { retryDelayMs: 10, pollIntervalMs: 5 }, timeline);

    expect(result.untainted).to.deep.equal(['new1', 'new2']);
    expect(result.drains.map((d) => [d.node, d.ok])).to.deep.equal([['old1', true], ['old2', true]]);
    expect(api.peek<Node>(nodeRef('new1'))?.spec?.taints).to.deep.equal([]);
    const order = timeline.events.map((e) => e.kind);
    expect(order.lastIndexOf('taint-removed')).to.be.below(order.indexOf('drain-start'));
    expect(order.filter((k) => k === 'taint-removed')).to.have.length(2);
  });

  it('takes the taint key as an option', async () => {
    const api = new FakeKubeApi([makeNode('old1'), newNode('new1', 'example.com/spare')]);
    const result = await replaceNodes(api, { newNodes: ['new1'], oldNodes: ['old1'] }, { newNodeTaintKey: 'example.com/spare' });
    expect(result.untainted).to.deep.equal(['new1']);
  });

  it('rejects a node listed as both new and old', async () => {
    const api = new FakeKubeApi();
    try {
      await replaceNodes(api, { newNodes: ['n1'], oldNodes: ['n1'] });
      expect.fail('should reject');
    } catch (err) {
      expect(isZdtError(err, ErrorCode.InvalidOption)).to.equal(true);
    }
  });
});
