import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from '../../harness/cluster/exec.ts';
import { ErrorCode, isZdtError } from '../../harness/errors.ts';

/** A command that, like `kind create`, starts a child of its own (its `docker run`) that acts later. */
const withLateChild = (marker: string) => ['-c', `(sleep 1; touch '${marker}') & wait`];

describe('cluster/exec', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'zdt-exec-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('aborted with processGroup: rejects ZDT_ABORTED once the command and the children it started are gone', async () => {
    const marker = join(dir, 'late');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const err = await execFile('/bin/sh', withLateChild(marker), { signal: ac.signal, processGroup: true }).then(() => undefined, (e: unknown) => e);
    expect(isZdtError(err, ErrorCode.Aborted), String(err)).to.equal(true);
    await new Promise((r) => setTimeout(r, 1500));
    expect(existsSync(marker), 'the child acted after the abort').to.equal(false);
  });

  it('without processGroup an abort stops only the command: the reason kind create runs with it', async () => {
    const marker = join(dir, 'late');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    await execFile('/bin/sh', withLateChild(marker), { signal: ac.signal }).catch(() => {});
    await new Promise((r) => setTimeout(r, 1500));
    expect(existsSync(marker)).to.equal(true);
  });

  it('refuses at once when already aborted, and resolves with the output otherwise', async () => {
    const ac = new AbortController();
    ac.abort();
    const err = await execFile('/bin/echo', ['x'], { signal: ac.signal, processGroup: true }).then(() => undefined, (e: unknown) => e);
    expect(isZdtError(err, ErrorCode.Aborted)).to.equal(true);
    expect((await execFile('/bin/echo', ['hi'], { processGroup: true })).stdout).to.equal('hi\n');
  });
});
