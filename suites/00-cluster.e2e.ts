/**
 * The offline kind cluster itself, and the parts of the harness a scenario builds on, proven
 * on the real cluster: readiness, NodePort reachability, kubectl drain against a PDB,
 * attaching by kubeconfig, deploy diagnostics.
 */
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from '../harness/cluster/cluster.ts';
import { execFile } from '../harness/cluster/exec.ts';
import { createKindCli } from '../harness/cluster/kind.ts';
import { cachedBinary } from '../harness/cluster/paths.ts';
import { podProblem } from '../harness/cluster/readiness.ts';
import { createClock } from '../harness/clock.ts';
import { applyManifests } from '../harness/deploy/apply.ts';
import { waitForApp } from '../harness/deploy/wait.ts';
import { ErrorCode, isZdtError } from '../harness/errors.ts';
import type { Container, Deployment, Node, Pod } from '../harness/kube/types.ts';
import { startLoad } from '../harness/load/loop.ts';
import { runScenario } from '../harness/scenario/run.ts';
import { say, sharedCluster } from './hooks.ts';
import { pdb, replicas, variant } from './variants.ts';

/** The kubectl built by setup:offline; all of its output, whether it succeeded or not. */
async function kubectl(kubeconfig: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  const lines: string[] = [];
  const ok = await execFile(cachedBinary('kubectl'), ['--kubeconfig', kubeconfig, ...args], { code: ErrorCode.Kind, onLine: (l) => lines.push(l) }).then(
    () => true,
    () => false,
  );
  return { ok, out: lines.join('\n') };
}

describe('0. the offline kind cluster', function () {
  let cluster: Cluster;
  let kubeconfig: string;
  let dir: string;

  before(async function () {
    cluster = await sharedCluster();
    dir = await mkdtemp(join(tmpdir(), 'zdt-e2e-'));
    kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, await createKindCli().getKubeconfig(cluster.name));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has 5 Ready nodes (control-plane, two old and two new workers, new ones tainted) and a healthy kube-system', async function () {
    const nodes = await cluster.api.list<Node>({ apiVersion: 'v1', kind: 'Node' });
    expect(nodes).to.have.length(5);
    for (const n of nodes) expect(n.status?.conditions?.find((c) => c.type === 'Ready')?.status, n.metadata?.name).to.equal('True');
    expect((await cluster.workers('old')).length).to.equal(2);
    const fresh = await cluster.workers('new');
    expect(fresh.length).to.equal(2);
    for (const n of fresh) expect(n.spec?.taints?.map((t) => `${t.key}:${t.effect}`)).to.include('zdt.dev/new-node:NoSchedule');
    const pods = await cluster.api.list<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace: 'kube-system' });
    const names = pods.map((p) => p.metadata?.name ?? '');
    for (const part of ['coredns', 'kube-proxy', 'etcd', 'kube-apiserver', 'zdt-cni']) expect(names.some((n) => n.startsWith(part)), part).to.equal(true);
    expect(pods.flatMap((p) => (podProblem(p) ? [`${p.metadata?.name}: ${podProblem(p)}`] : []))).to.deep.equal([]);
  });

  it('attaches by kubeconfig and recognises kind by its nodes\' provider IDs (the refusal elsewhere: test/cluster)', async function () {
    const attached = await Cluster.start({ kubeconfig });
    expect(attached.isKind).to.equal(true);
    expect(() => attached.assertCanDisrupt('drain')).not.to.throw();
    await attached.delete(); // attached clusters are never deleted by zdt
    expect(await createKindCli().getClusters()).to.include(cluster.name);
  });

  describe('with the nginx example deployed', function () {
    let ns: Awaited<ReturnType<Cluster['namespace']>>;
    afterEach(async () => {
      await ns?.delete();
      await cluster.resetNodes();
    });

    it('serves through NodePort 30080 on 127.0.0.1 from the pods on every worker it runs on', async function () {
      ns = await cluster.namespace('reach');
      const manifests = await variant(replicas(2));
      await applyManifests(cluster.api, manifests, ns.name);
      await waitForApp(cluster.api, { namespace: ns.name, workloads: [{ kind: 'Deployment', name: 'nginx-deployment' }], services: ['nginx-service'], timeoutMs: 120_000 });
      const pods = await cluster.api.list<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace: ns.name });
      const nodes = new Set(pods.map((p) => p.spec?.nodeName));
      expect(nodes.size, 'one pod on each old worker').to.equal(2);
      // kube-proxy needs a moment after the endpoints are ready; then every pod must answer.
      let answered = new Set<string>();
      for (let i = 0; i < 20 && answered.size < 2; i++) {
        const log = await startLoad({ url: 'http://127.0.0.1:30080/', clock: createClock(), ratePerSecond: 50, durationMs: 1000, connection: 'new' }).done;
        answered = new Set([...log.pod].filter((x) => x > 0).map((x) => log.pods[x]!));
      }
      expect([...answered].sort()).to.deep.equal(pods.map((p) => p.metadata!.name!).sort());
    });

    it('kubectl drain evicts the pod when the PDB allows it and is refused with 429 while the PDB forbids it', async function () {
      ns = await cluster.namespace('kubectl-drain');
      await applyManifests(cluster.api, await variant(replicas(1)), ns.name);
      await waitForApp(cluster.api, { namespace: ns.name, workloads: [{ kind: 'Deployment', name: 'nginx-deployment' }], services: ['nginx-service'], timeoutMs: 120_000 });
      const [pod] = await cluster.api.list<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace: ns.name });
      const node = pod!.spec!.nodeName!;
      say(`kubectl drain ${node} while PDB minAvailable 1 covers the only replica`);
      const refused = await kubectl(kubeconfig, ['drain', node, '--ignore-daemonsets', '--timeout=12s', '-v=6']);
      expect(refused.ok, 'drain must not finish').to.equal(false);
      // kubectl -v=6 logs each eviction response; the PDB answers 429 until the timeout.
      expect(refused.out).to.match(/eviction" status="429 Too Many Requests"/);
      await kubectl(kubeconfig, ['uncordon', node]);

      say(`kubectl drain ${node} after the PDB allows one disruption`);
      await applyManifests(cluster.api, (await variant(replicas(1), pdb({ maxUnavailable: 1 }))).filter((m) => m.object.kind === 'PodDisruptionBudget'), ns.name);
      const allowed = await kubectl(kubeconfig, ['drain', node, '--ignore-daemonsets', '--timeout=90s']);
      expect(allowed.ok, allowed.out).to.equal(true);
      expect(allowed.out).to.include(`pod/${pod!.metadata!.name} evicted`);
    });
  });

  it('names why an app never becomes ready (here: an image that cannot be pulled offline)', async function () {
    const manifests = await variant();
    const dep = manifests.find((m) => m.object.kind === 'Deployment')!.object as Deployment;
    (dep.spec!.template!.spec!.containers[0] as Container).image = 'zdt.local/does-not-exist:1';
    const err = await runScenario(cluster, { name: 'not-ready', manifests, maintenance: { kind: 'rollout' }, readyTimeoutMs: 20_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isZdtError(err, ErrorCode.AppNotReady), String(err)).to.equal(true);
    expect((err as Error).message).to.match(/ErrImagePull|ImagePullBackOff/);
    expect((err as Error).message).to.include('does-not-exist');
  });
});
