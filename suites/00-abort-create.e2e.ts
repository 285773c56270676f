/**
 * SIGINT while `zdt verify` creates its kind cluster. Runs first, before the shared cluster
 * exists, so two clusters never run at once: exit 130 within a bounded time, the half-made
 * cluster deleted, none of its node containers left.
 */
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kindNodeStates } from '../harness/cluster/docker.ts';
import { createKindCli } from '../harness/cluster/kind.ts';
import { interruptVerify } from './interrupt.ts';

const NAME = 'zdt-abort';

describe('0a. SIGINT while zdt verify creates its cluster', function () {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'zdt-abort-'))));
  after(async () => {
    // Whatever the test saw, the host is left clean.
    await createKindCli().deleteCluster(NAME).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 130 within 60 s, deletes the half-made cluster, leaves no container', async function () {
    const config = join(dir, 'kind.yaml');
    await writeFile(
      config,
      `kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nname: ${NAME}\nkubeadmConfigPatches:\n- |\n  kind: KubeletConfiguration\n  failCgroupV1: false\nnodes:\n- role: control-plane\n`,
    );
    // A few seconds into creation: the node container exists and kubeadm is starting.
    const run = await interruptVerify(['--kind-config', config, '--scenario', 'rollout', '--no-lint', '--report-dir', join(dir, 'r')], new RegExp(`creating kind cluster ${NAME}`), { delayMs: 8000 });
    expect(run.code, run.stderr).to.equal(130);
    expect(run.exitAfterMs).to.be.lessThan(60_000);
    expect(await createKindCli().getClusters()).not.to.include(NAME);
    expect(await kindNodeStates(NAME)).to.deep.equal([]);
  });
});
