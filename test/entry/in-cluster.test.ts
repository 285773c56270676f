import { expect } from 'chai';
import { clockOrigin, createClock } from '../../harness/clock.ts';
import { checkInClusterService, loadPodObjects, startInClusterLoad } from '../../harness/entry/in-cluster.ts';
import { apiError } from '../fakes/kube.ts';
import { parseLoadNode } from '../../harness/entry/placement.ts';
import type { Pod } from '../../harness/kube/types.ts';
import { encodeLog } from '../../harness/load/wire.ts';
import type { RequestLog } from '../../harness/load/types.ts';
import { FakeKubeApi } from '../fakes/kube.ts';

const NS = 'zdt-run-load';
const load = { url: 'http://web.zdt-run.svc:80/', ratePerSecond: 50, allowNonLoopback: true };
const nowWall = () => performance.timeOrigin + performance.now();
type Requirement = { key: string; operator: string; values?: string[] };
type Term = { matchExpressions?: Requirement[]; matchFields?: Requirement[] };
const requiredTerm = (pod: Pod): Term | undefined => (pod.spec as unknown as { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: Term[] } } } }).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0];

/** Waits for the pod to be created, then gives it `status`. */
async function whenCreated(api: FakeKubeApi, status: Pod['status'], node = 'zdt-control-plane'): Promise<void> {
  for (;;) {
    const pod = await api.get<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace: NS, name: 'zdt-load-0' });
    if (pod) return void api.put({ ...pod, spec: { ...pod.spec!, nodeName: node }, status });
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('entry/in-cluster', function () {
  this.timeout(30_000);

  it('--load-node takes a node name or key=value labels, and names what it cannot take', () => {
    expect(parseLoadNode('zdt-worker3')).to.deep.equal({ node: 'zdt-worker3' });
    expect(parseLoadNode('zdt.dev/load=true,topology.kubernetes.io/zone=a')).to.deep.equal({ selector: { 'zdt.dev/load': 'true', 'topology.kubernetes.io/zone': 'a' } });
    expect(() => parseLoadNode('role!=app')).to.throw(/"role!=app" is not key=value/).with.property('code', 'ZDT_INVALID_OPTION');
    expect(() => parseLoadNode('Worker_1')).to.throw(/not a node name/);
  });

  it('the pod never lands on a node the scenario takes away, prefers the control plane, and carries the program in a ConfigMap', () => {
    const [configMap, pod] = loadPodObjects({ namespace: NS, name: 'zdt-load-0', image: 'node:24-slim', placement: { avoid: ['zdt-worker', 'zdt-worker2'] }, load }, 'PROGRAM');
    expect((configMap as { data: Record<string, string> }).data).to.deep.equal({ 'load.cjs': 'PROGRAM' });
    // By the node's name, which the kubernetes.io/hostname label need not equal.
    // By the node's name, one per requirement (the API server refuses more in a field selector).
    expect(requiredTerm(pod)).to.deep.equal({ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['zdt-worker'] }, { key: 'metadata.name', operator: 'NotIn', values: ['zdt-worker2'] }] });
    expect(JSON.stringify(pod.spec)).to.include('"preferredDuringSchedulingIgnoredDuringExecution"').and.include('node-role.kubernetes.io/control-plane');
    expect(pod.spec!.tolerations).to.deep.equal([{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(pod.spec!.containers[0]!.command).to.deep.equal(['node', '/zdt/load.cjs']);
    // Admitted under Pod Security "restricted", and not BestEffort.
    expect(pod.spec!.securityContext).to.deep.include({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.spec!.containers[0]).to.deep.include({ securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } } });
    expect(pod.spec!.containers[0]!.resources).to.have.nested.property('requests.cpu');
    expect(JSON.parse((pod.spec!.containers[0] as unknown as { env: { value: string }[] }).env[0]!.value)).to.deep.equal({ options: load });

    const [, chosen] = loadPodObjects({ namespace: NS, name: 'zdt-load-0', image: 'x', placement: { selector: { 'zdt.dev/load': 'true' }, avoid: [] }, load }, '');
    expect(requiredTerm(chosen)).to.deep.equal({ matchExpressions: [{ key: 'zdt.dev/load', operator: 'In', values: ['true'] }] });
    const [, named] = loadPodObjects({ namespace: NS, name: 'zdt-load-0', image: 'x', placement: { node: 'infra-1', avoid: ['app-1'] }, load }, '');
    expect(requiredTerm(named)).to.deep.equal({ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['app-1'] }, { key: 'metadata.name', operator: 'In', values: ['infra-1'] }] });
    const [, anywhere] = loadPodObjects({ namespace: NS, name: 'zdt-load-0', image: 'x', placement: { avoid: [] }, load }, '');
    expect(requiredTerm(anywhere), 'no empty term, which would match no node').to.equal(undefined);
    expect(JSON.stringify(chosen.spec)).not.to.include('preferredDuringScheduling');
  });

  it('starts the pod, reads its counters and clock through the API, and brings its records back onto the run clock', async () => {
    const api = new FakeKubeApi();
    const clock = createClock();
    // The pod's clock runs 5 s ahead of this machine's.
    const AHEAD = 5000;
    let podOrigin = 0;
    let stopped = false;
    const podLog: RequestLog = {
      count: 3,
      scheduledAt: Float64Array.from([0, 20, 40]),
      startedAt: Float64Array.from([0.5, 20.5, 40.5]),
      latencyMs: Float32Array.from([1, 1, 1]),
      outcome: Uint16Array.from([200, 1001, 200]),
      pod: Uint16Array.from([1, 0, 1]),
      pods: ['', 'web-a'],
      lateStarts: 0,
      dropped: 0,
    };
    api.podServers.set(`${NS}/zdt-load-0`, (port, path) => {
      expect(port).to.equal(9464);
      if (path === '/clock') return JSON.stringify({ now: nowWall() + AHEAD });
      if (path === '/stop') {
        stopped = true;
        api.podLogs.set(`${NS}/zdt-load-0`, ['(node:1) a warning', ...[...encodeLog(podLog, 2)].map((m) => JSON.stringify(m))].join('\n'));
        void api.get<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace: NS, name: 'zdt-load-0' }).then((p) => api.put({ ...p!, status: { phase: 'Succeeded' } }));
        return '{}';
      }
      podOrigin ||= nowWall() + AHEAD;
      return JSON.stringify({ state: 'running', origin: podOrigin, counts: { sent: 3, ok: 2, failed: 1, inFlight: 0, dropped: 0, lateStarts: 0 } });
    });
    const handle = startInClusterLoad({ api, namespace: NS, name: 'zdt-load-0', image: 'node:24-slim', placement: { avoid: [] }, load, clock, readyTimeoutMs: 10_000 });
    await whenCreated(api, { phase: 'Running' });
    await handle.started;
    expect(handle.node).to.equal('zdt-control-plane');
    expect(handle.clockOffset!.offsetMs).to.be.within(AHEAD - 50, AHEAD + 50);
    await new Promise((r) => setTimeout(r, 1200));
    expect(handle.sent).to.equal(3);
    const log = await handle.stop();
    expect(stopped).to.equal(true);
    expect([...log.outcome]).to.deep.equal([200, 1001, 200]);
    // The pod's t0 on this machine's run clock: when its load began, less its clock's lead.
    const t0 = podOrigin - handle.clockOffset!.offsetMs - clockOrigin(clock);
    expect(t0).to.be.within(0, 5000);
    // Epoch-sized sums round to some microseconds.
    [0, 20, 40].forEach((at, i) => expect(log.scheduledAt[i]).to.be.closeTo(t0 + at, 0.05));
  });

  it('an image the nodes cannot pull fails the start at once, naming --load-image', async () => {
    const api = new FakeKubeApi();
    const handle = startInClusterLoad({ api, namespace: NS, name: 'zdt-load-0', image: 'node:24-slim', placement: { avoid: [] }, load, clock: createClock(), readyTimeoutMs: 20_000 });
    await whenCreated(api, { phase: 'Pending', containerStatuses: [{ name: 'load', ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImagePull', message: 'pull access denied' } } }] });
    const err = await handle.started.then(() => undefined, (e: unknown) => e);
    expect(err).to.have.property('code', 'ZDT_LOAD');
    expect((err as Error).message).to.match(/ErrImagePull \(pull access denied\): give --load-image/);
    await handle.stop().catch(() => undefined);
  });

  it('a pod no node will take fails after 10 s of the scheduler\'s refusal, not the whole ready timeout, naming --load-node', async function () {
    const api = new FakeKubeApi();
    const t0 = performance.now();
    const handle = startInClusterLoad({ api, namespace: NS, name: 'zdt-load-0', image: 'x', placement: { node: 'nope', avoid: [] }, load, clock: createClock(), readyTimeoutMs: 120_000 });
    await whenCreated(api, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: "0/4 nodes are available: 4 node(s) didn't match Pod's node affinity/selector." }] });
    const err = await handle.started.then(() => undefined, (e: unknown) => e);
    expect(err).to.have.property('code', 'ZDT_LOAD');
    expect((err as Error).message).to.match(/is not scheduled: 0\/4 nodes are available: .*: choose a node the scenario does not take away with --load-node/);
    expect(performance.now() - t0).to.be.within(10_000, 20_000);
  });

  it('an API server that refuses the pod proxy (403) fails the start at once, naming the permission', async () => {
    const api = new FakeKubeApi();
    api.podServers.set(`${NS}/zdt-load-0`, () => {
      throw apiError('get', 'pod', { status: 403, reason: 'Forbidden', message: 'pods "zdt-load-0" is forbidden: cannot get resource "pods/proxy"' });
    });
    const handle = startInClusterLoad({ api, namespace: NS, name: 'zdt-load-0', image: 'x', placement: { avoid: [] }, load, clock: createClock(), readyTimeoutMs: 60_000 });
    await whenCreated(api, { phase: 'Running' });
    const err = await handle.started.then(() => undefined, (e: unknown) => e);
    expect(err).to.have.property('code', 'ZDT_LOAD');
    expect((err as Error).message).to.match(/refused zdt the load pod's port .*403.*: zdt needs get on pods\/proxy in namespace zdt-run-load/);
  });

  it('stopped before its load began: done rejects at once, without waiting for the start', async () => {
    const api = new FakeKubeApi();
    const handle = startInClusterLoad({ api, namespace: NS, name: 'zdt-load-0', image: 'x', placement: { avoid: [] }, load, clock: createClock(), readyTimeoutMs: 60_000 });
    const t0 = performance.now();
    const err = await handle.stop().then(() => undefined, (e: unknown) => e);
    expect((err as Error).message).to.match(/was stopped before its load began/);
    expect(performance.now() - t0).to.be.below(1000);
  });

  it('refuses a Service the load pod cannot judge by name: headless, or internalTrafficPolicy Local', () => {
    const svc = (spec: Record<string, unknown>) => ({ object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec }, file: 'app.yaml', line: 7 });
    expect(() => checkInClusterService(svc({ clusterIP: 'None' }))).to.throw(/^app\.yaml:7: Service web is headless \(clusterIP: None\).*: choose another Service with --service, or another --entry/).with.property('code', 'ZDT_SERVICE');
    expect(() => checkInClusterService(svc({ internalTrafficPolicy: 'Local' }))).to.throw(/internalTrafficPolicy Local/);
    expect(() => checkInClusterService(svc({ internalTrafficPolicy: 'Cluster', ports: [{ port: 80 }] }))).to.not.throw();
  });
});
