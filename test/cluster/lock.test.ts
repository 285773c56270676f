import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { claimCluster, claimPath } from '../../harness/cluster/lock.ts';
import { ErrorCode } from '../../harness/errors.ts';
import { rejection } from '../fakes/kube.ts';

/** A process that is alive for the test, standing for another zdt run. */
function otherProcess(): { pid: number; stop: () => void } {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  return { pid: child.pid!, stop: () => child.kill() };
}

describe('cluster/lock', () => {
  let cache: string;
  let saved: string | undefined;
  beforeEach(async () => {
    cache = await mkdtemp(join(tmpdir(), 'zdt-lock-'));
    saved = process.env.ZDT_CACHE_DIR;
    process.env.ZDT_CACHE_DIR = cache;
  });
  afterEach(async () => {
    if (saved === undefined) delete process.env.ZDT_CACHE_DIR;
    else process.env.ZDT_CACHE_DIR = saved;
    await rm(cache, { recursive: true, force: true });
  });

  it('claims a name with this pid, re-entrantly within the process, and removes the claim on the last release', async () => {
    const a = await claimCluster('zdt');
    const b = await claimCluster('zdt');
    expect((await readFile(claimPath('zdt'), 'utf8')).split('\n')[0]).to.equal(String(process.pid));
    await a.release();
    await a.release();
    expect(existsSync(claimPath('zdt'))).to.equal(true);
    await b[Symbol.asyncDispose]();
    expect(existsSync(claimPath('zdt'))).to.equal(false);
  });

  it('refuses a name another live process holds, naming its pid; other names are free', async () => {
    const other = otherProcess();
    try {
      await mkdir(dirname(claimPath('zdt')), { recursive: true });
      await writeFile(claimPath('zdt'), `${other.pid}\nnode zdt verify\n2026-11-30T06:00:00.000Z\n`);
      const err = await rejection(claimCluster('zdt'));
      expect(err.code).to.equal(ErrorCode.ClusterInUse);
      expect(err.message).to.contain(`kind cluster zdt is in use by another zdt run (pid ${other.pid}, zdt verify since 2026-11-30T06:00:00.000Z)`);
      await (await claimCluster('zdt-quick')).release();
    } finally {
      other.stop();
    }
  });

  it("a process the owner started shares the owner's claim and never removes it", async () => {
    await mkdir(dirname(claimPath('zdt')), { recursive: true });
    await writeFile(claimPath('zdt'), `${process.ppid}\n`);
    const borrowed = await claimCluster('zdt');
    await borrowed.release();
    expect((await readFile(claimPath('zdt'), 'utf8')).split('\n')[0]).to.equal(String(process.ppid));
  });

  it('takes over a claim whose process is gone', async () => {
    const gone = spawn('true');
    await new Promise((resolve) => gone.on('exit', resolve));
    await mkdir(dirname(claimPath('zdt')), { recursive: true });
    await writeFile(claimPath('zdt'), `${gone.pid}\n`);
    const claim = await claimCluster('zdt');
    expect((await readFile(claimPath('zdt'), 'utf8')).split('\n')[0]).to.equal(String(process.pid));
    await claim.release();
  });
});
