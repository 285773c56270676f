import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { cli, fakeCluster } from './fakes.ts';

const WEB = 'test/fixtures/lint/good/web.yaml';

describe('zdt lint and verify: a manifest set that is not one release (exit 2, fake cluster)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zdt-set-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const duplicated = async () => {
    await copyFile(WEB, join(dir, 'a.yaml'));
    await copyFile(WEB, join(dir, 'b.yaml'));
  };
  const SAME_SERVICE = () => `${join(dir, 'b.yaml')}:35: Service/default/web is also defined at ${join(dir, 'a.yaml')}:35`;

  it('lint names every duplicated object and both places, instead of passing them', async () => {
    await duplicated();
    const run = await cli(['lint', dir]);
    expect(run.code).to.equal(2);
    expect(run.stdout).to.equal('');
    expect(run.stderr).to.include(`zdt: ${join(dir, 'b.yaml')}:2: Deployment/default/web is also defined at ${join(dir, 'a.yaml')}:2; ${SAME_SERVICE()}: `);
    expect(run.stderr).to.match(/\[ZDT_MANIFEST\]\n$/);
  });

  it('verify names them before a cluster starts, instead of asking to choose one of "web, web"', async () => {
    await duplicated();
    const fake = fakeCluster();
    const run = await cli(['verify', dir, '--report-dir', join(dir, 'reports')], fake);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include(SAME_SERVICE());
    expect(run.stderr).not.to.include('--service');
    expect(fake.started).to.deep.equal([]);
  });

  it('lint says the directory has no Kubernetes objects rather than "no zero-downtime problems found"', async () => {
    await writeFile(join(dir, 'app.yaml'), '# filled in by the release job\n---\n');
    for (const format of ['text', 'json']) {
      const run = await cli(['lint', dir, '--format', format]);
      expect([run.code, run.stdout, run.stderr]).to.deep.equal([
        2,
        '',
        `zdt: no Kubernetes objects in ${dir}: its YAML holds only comments or empty documents [ZDT_MANIFEST]\n`,
      ]);
    }
  });

  it('verify on a set without objects exits 2 naming the directory, and starts no cluster', async () => {
    await writeFile(join(dir, 'app.yaml'), '---\n# nothing\n');
    const fake = fakeCluster();
    const run = await cli(['verify', dir, '--report-dir', join(dir, 'reports')], fake);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include(`zdt: no Kubernetes objects in ${dir}: `);
    expect(fake.started).to.deep.equal([]);
  });
});
