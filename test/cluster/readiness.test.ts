import { expect } from 'chai';
import { waitClusterReady } from '../../harness/cluster/readiness.ts';
import { ErrorCode } from '../../harness/errors.ts';
import type { Node, Pod } from '../../harness/kube/types.ts';
import { FakeKubeApi, makeNode, makePod, rejection } from '../fakes/kube.ts';

const ready = (n: Node): Node => ({ ...n, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
const running = (p: Pod): Pod => ({ ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } });
const waiting = (p: Pod, reason: string, message: string): Pod => ({
  ...p,
  status: { phase: 'Pending', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { waiting: { reason, message } } }] },
});

describe('cluster/readiness', () => {
  it('resolves once every node is Ready and every kube-system pod is running and ready', async () => {
    const api = new FakeKubeApi([ready(makeNode('cp')), ready(makeNode('w1')), running(makePod('coredns-1', { node: 'cp', namespace: 'kube-system' }))]);
    const seen: string[] = [];
    await waitClusterReady(api, { timeoutMs: 2000, expectedNodes: 2, onProgress: (s) => seen.push(s) });
    expect(seen.at(-1)).to.equal('2/2 nodes Ready, 1/1 kube-system pods ready');
  });

  it('fails at its timeout naming the nodes and pods that are not ready, and why', async () => {
    const api = new FakeKubeApi([
      ready(makeNode('cp')),
      makeNode('w1'),
      waiting(makePod('kube-proxy-x', { node: 'w1', namespace: 'kube-system' }), 'ErrImagePull', 'registry.k8s.io/kube-proxy:v1.34.4 not found'),
    ]);
    const err = await rejection(waitClusterReady(api, { timeoutMs: 300 }));
    expect(err.code).to.equal(ErrorCode.ClusterNotReady);
    expect(err.message).to.include('node w1 not Ready');
    expect(err.message).to.include('pod kube-proxy-x: ErrImagePull: registry.k8s.io/kube-proxy:v1.34.4 not found');
    expect(err.message).to.include('bash scripts/offline/setup.sh');
  });

  it('does not call a cluster ready before every expected node has registered', async () => {
    const api = new FakeKubeApi([ready(makeNode('cp')), running(makePod('etcd-cp', { node: 'cp', namespace: 'kube-system' }))]);
    const err = await rejection(waitClusterReady(api, { timeoutMs: 300, expectedNodes: 5 }));
    expect(err.message).to.include('4 node(s) not registered yet');
  });
});
