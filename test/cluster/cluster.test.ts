import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Cluster, QUICK_KIND_CONFIG, resolveClusterOptions } from '../../harness/cluster/cluster.ts';
import type { KindCli } from '../../harness/cluster/kind.ts';
import { claimPath } from '../../harness/cluster/lock.ts';
import { ErrorCode } from '../../harness/errors.ts';
import { rejection } from '../fakes/kube.ts';

/** An API server on 127.0.0.1 answering discovery, nodes and kube-system pods. */
async function apiServer(providerID: string): Promise<{ url: string; server: Server }> {
  const node = (name: string) => ({ metadata: { name }, spec: { providerID: `${providerID}${name}` }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const body =
      path === '/api/v1'
        ? { resources: [{ name: 'nodes', kind: 'Node', namespaced: false }, { name: 'pods', kind: 'Pod', namespaced: true }] }
        : path === '/api/v1/nodes'
          ? { items: [node('zdt-control-plane'), node('zdt-worker'), node('zdt-worker2')] }
          : path === '/api/v1/namespaces/kube-system/pods'
            ? { items: [{ metadata: { name: 'coredns-1' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }] }
            : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { kind: 'Status', code: 404, reason: 'NotFound' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const kubeconfigFor = (url: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'u', user: { token: 't' } }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'ctx',
  });

/** A kind CLI that creates nothing; it records calls and hands out a kubeconfig for `url`. */
function fakeKind(url: string, existing: string[] = []): KindCli & { calls: string[] } {
  const calls: string[] = [];
  return {
    binary: 'kind',
    calls,
    async createCluster({ name, image }) {
      calls.push(`create ${name} ${image ?? ''}`);
      existing.push(name);
    },
    async deleteCluster(name) {
      calls.push(`delete ${name}`);
    },
    async getClusters() {
      return [...existing];
    },
    async getKubeconfig() {
      return kubeconfigFor(url);
    },
    async loadDockerImages(name, images) {
      calls.push(`load ${name} ${images.join(' ')}`);
    },
  };
}

describe('cluster/cluster', () => {
  let api: { url: string; server: Server };
  afterEach(() => api?.server.close());
  // Claims on cluster names go to a cache of the test's own, not the host's.
  let saved: string | undefined;
  before(async () => {
    saved = process.env.ZDT_CACHE_DIR;
    process.env.ZDT_CACHE_DIR = await mkdtemp(join(tmpdir(), 'zdt-cache-'));
  });
  after(async () => {
    await rm(process.env.ZDT_CACHE_DIR!, { recursive: true, force: true });
    if (saved === undefined) delete process.env.ZDT_CACHE_DIR;
    else process.env.ZDT_CACHE_DIR = saved;
  });

  it('creates a kind cluster, waits for it, and deletes it on dispose', async () => {
    api = await apiServer('kind://docker/zdt-quick/');
    const kind = fakeKind(api.url);
    const cluster = await Cluster.start({ kind, kindConfig: QUICK_KIND_CONFIG, nodeImage: 'img:1', reuse: false, keep: false });
    expect([cluster.name, cluster.isKind]).to.deep.equal(['zdt-quick', true]);
    await cluster[Symbol.asyncDispose]();
    expect(kind.calls).to.deep.equal(['create zdt-quick img:1', 'delete zdt-quick']);
  });

  it('refuses to take over an existing cluster unless asked to reuse it, and never deletes a reused one', async () => {
    api = await apiServer('kind://docker/zdt-quick/');
    const err = await rejection(Cluster.start({ kind: fakeKind(api.url, ['zdt-quick']), kindConfig: QUICK_KIND_CONFIG, reuse: false }));
    expect(err.code).to.equal(ErrorCode.Kind);
    expect(err.message).to.match(/already exists: set ZDT_REUSE_CLUSTER=1/);
    const kind = fakeKind(api.url, ['zdt-quick']);
    const reused = await Cluster.start({ kind, kindConfig: QUICK_KIND_CONFIG, reuse: true });
    await reused.delete();
    expect(kind.calls).to.deep.equal([]);
  });

  it('a cluster another live zdt run holds is refused before kind is asked anything, even with reuse, and never deleted', async () => {
    api = await apiServer('kind://docker/zdt-quick/');
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await mkdir(dirname(claimPath('zdt-quick')), { recursive: true });
      await writeFile(claimPath('zdt-quick'), `${other.pid}\n`);
      const kind = fakeKind(api.url, ['zdt-quick']);
      const err = await rejection(Cluster.start({ kind, kindConfig: QUICK_KIND_CONFIG, reuse: true }));
      expect(err.code).to.equal(ErrorCode.ClusterInUse);
      expect(kind.calls).to.deep.equal([]);
    } finally {
      other.kill();
      await rm(claimPath('zdt-quick'), { force: true });
    }
    // Once the other run has let go, this run reuses the cluster.
    const kind = fakeKind(api.url, ['zdt-quick']);
    await (await Cluster.start({ kind, kindConfig: QUICK_KIND_CONFIG, reuse: true })).delete();
    expect(kind.calls).to.deep.equal([]);
  });

  it('attached to a cluster that is not kind, refuses to disrupt it unless explicitly allowed', async () => {
    api = await apiServer('aws:///eu-west-1a/i-');
    const path = join(await mkdtemp(join(tmpdir(), 'zdt-kc-')), 'config');
    await writeFile(path, kubeconfigFor(api.url));
    const prod = await Cluster.start({ kubeconfig: path });
    expect(prod.isKind).to.equal(false);
    expect(() => prod.assertCanDisrupt('drain nodes')).to.throw(/refusing to drain nodes on ctx .*not a kind cluster.*--allow-disruption/);
    const allowed = await Cluster.start({ kubeconfig: path, allowDisruption: true });
    expect(() => allowed.assertCanDisrupt('drain nodes')).not.to.throw();
  });

  it('resolves defaults from the environment and names bad values', () => {
    expect(resolveClusterOptions({}, { ZDT_REUSE_CLUSTER: '1' })).to.include({ reuse: true, keep: false, allowDisruption: false });
    expect(() => resolveClusterOptions({ readyTimeoutMs: 0 }, {})).to.throw(/readyTimeoutMs must be > 0, got 0/);
    expect(() => resolveClusterOptions({ context: 'prod' }, {})).to.throw(/context prod needs a kubeconfig/);
  });
});
