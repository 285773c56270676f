/**
 * One kind cluster for the whole end-to-end run: created on first use, shared by every suite
 * (each scenario restores the nodes it drained), deleted after the last suite unless
 * ZDT_KEEP_CLUSTER=1. ZDT_REUSE_CLUSTER=1 attaches to a running one for fast local iterations.
 */
import { expect, use } from 'chai';
import { Cluster, NEW_NODE_TAINT, POOL_LABEL } from '../harness/cluster/cluster.ts';
import { OFFLINE_INGRESS_IMAGE, OFFLINE_LOAD_IMAGE, OFFLINE_NGINX_IMAGE } from '../harness/cluster/images.ts';
import { zdtChai } from '../harness/verdict/chai.ts';

use(zdtChai);

let shared: Promise<Cluster> | undefined;
const t0 = Date.now();

/** Progress lines for CI logs: long steps must show they are alive. */
export function say(message: string): void {
  process.stderr.write(`      [${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${message}\n`);
}

export function sharedCluster(): Promise<Cluster> {
  shared ??= Cluster.start({ loadImages: [OFFLINE_NGINX_IMAGE, OFFLINE_LOAD_IMAGE, OFFLINE_INGRESS_IMAGE], onProgress: say });
  return shared;
}

// An interrupted run (Ctrl-C, CI cancel) still puts the nodes back and deletes its cluster.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    say(`${sig}: cleaning up before exit`);
    void (async () => {
      const cluster = await shared?.catch(() => undefined);
      await cluster?.resetNodes().catch(() => {});
      await cluster?.delete().catch(() => {});
      process.exit(130);
    })();
  });
}

/** Every worker as the kind config made it: schedulable, the new pool tainted, the old one not. */
export async function assertNodesAsBefore(cluster: Cluster): Promise<void> {
  for (const node of await cluster.workers()) {
    const name = node.metadata?.name;
    expect(node.spec?.unschedulable ?? false, `${name} left cordoned`).to.equal(false);
    const tainted = (node.spec?.taints ?? []).some((t) => t.key === NEW_NODE_TAINT);
    expect(tainted, `${name} new-node taint`).to.equal(node.metadata?.labels?.[POOL_LABEL] === 'new');
  }
}

export const mochaHooks = {
  // Asserted after every test, not eyeballed: no scenario leaves a node cordoned or untainted.
  async afterEach(this: Mocha.Context) {
    if (!shared) return;
    const cluster = await shared.catch(() => undefined);
    if (cluster) await assertNodesAsBefore(cluster);
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(120_000);
    if (!shared) return;
    const cluster = await shared.catch(() => undefined);
    if (cluster) say(`deleting cluster ${cluster.name} (unless kept or reused)`);
    await cluster?.delete();
  },
};
