import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ErrorCode, isZdtError, type ZdtError } from '../../harness/errors.ts';
import { loadManifests } from '../../harness/manifests/load.ts';

const configMap = (name: string, extra = '') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}`;

async function refusal(promise: Promise<unknown>): Promise<ZdtError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isZdtError(err, ErrorCode.Manifest)) throw new Error(`expected a ZDT_MANIFEST error, got ${String(err)}`);
  return err;
}

describe('manifests/check: a loaded set must be one release', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zdt-check-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('refuses an object defined twice, naming the object and both places', async () => {
    await writeFile(join(dir, 'a.yaml'), `# first\n${configMap('settings')}`);
    await writeFile(join(dir, 'b.yaml'), `${configMap('other')}---\n${configMap('settings')}`);
    const err = await refusal(loadManifests(dir));
    expect(err.message).to.equal(
      `${join(dir, 'b.yaml')}:6: ConfigMap/default/settings is also defined at ${join(dir, 'a.yaml')}:2: kubectl apply would keep only the last definition, so remove or rename the others`,
    );
    expect(err.details.duplicates).to.deep.equal([
      { object: 'ConfigMap/default/settings', places: [{ file: join(dir, 'a.yaml'), line: 2 }, { file: join(dir, 'b.yaml'), line: 6 }] },
    ]);
  });

  it('counts no namespace as default, and lists every place of every duplicate in one error', async () => {
    await writeFile(
      join(dir, 'all.yaml'),
      [configMap('a'), configMap('a', '  namespace: default\n'), configMap('a'), configMap('b'), configMap('b')].join('---\n'),
    );
    const err = await refusal(loadManifests(join(dir, 'all.yaml')));
    const f = join(dir, 'all.yaml');
    expect(err.message).to.match(new RegExp(`^${f}:12: ConfigMap/default/a is also defined at ${f}:1 and ${f}:6; ${f}:22: ConfigMap/default/b is also defined at ${f}:17: `));
  });

  it('accepts the same name in another namespace, kind or API group, and one group across versions is a duplicate', async () => {
    const objects = [
      configMap('web'),
      configMap('web', '  namespace: staging\n'),
      'apiVersion: v1\nkind: Service\nmetadata: {name: web}\n',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n',
      'apiVersion: example.com/v1\nkind: Deployment\nmetadata: {name: web}\n',
    ];
    await writeFile(join(dir, 'ok.yaml'), objects.join('---\n'));
    expect(await loadManifests(dir)).to.have.length(5);
    await writeFile(join(dir, 'ok.yaml'), [...objects, 'apiVersion: apps/v1beta2\nkind: Deployment\nmetadata: {name: web}\n'].join('---\n'));
    expect((await refusal(loadManifests(dir))).message).to.match(/ok\.yaml:\d+: Deployment\/default\/web is also defined at .*ok\.yaml:\d+: /);
  });

  it('refuses a set without objects (comments, empty documents, an empty List), naming the directory', async () => {
    await writeFile(join(dir, 'a.yaml'), '# nothing yet\n---\n---\n');
    await writeFile(join(dir, 'b.yml'), 'apiVersion: v1\nkind: List\nitems: []\n');
    const err = await refusal(loadManifests(dir));
    expect(err.message).to.equal(`no Kubernetes objects in ${dir}: its YAML holds only comments or empty documents`);
    expect(err.details).to.deep.equal({ path: dir });
  });
});
