import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ErrorCode, isZdtError } from '../../harness/errors.ts';
import { loadManifests, parseManifests } from '../../harness/manifests/load.ts';

const GOOD = 'test/fixtures/lint/good';

/** Runs `fn`, returning what it threw (failing the test when it does not throw). */
async function thrown(fn: () => unknown): Promise<Error & { code?: string }> {
  try {
    await fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected an error');
}

describe('manifests/load', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zdt-load-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads *.yaml files sorted by path, splitting multi-document files', async () => {
    const loaded = await loadManifests(GOOD);
    expect(loaded.map((m) => `${m.file}:${m.object.kind}/${m.object.metadata?.name}`)).to.deep.equal([
      `${GOOD}/pdb.yaml:PodDisruptionBudget/web`,
      `${GOOD}/web.yaml:Deployment/web`,
      `${GOOD}/web.yaml:Service/web`,
    ]);
  });

  it("records the line where each object's mapping starts, after comments and ---", async () => {
    const lines = (await loadManifests(GOOD)).map((m) => m.line);
    // pdb.yaml starts at 1; web.yaml has a comment line, and its Service follows the --- on line 34.
    expect(lines).to.deep.equal([1, 2, 35]);
  });

  it('loads a single file, ignores other extensions and subdirectories, accepts .yml', async () => {
    await writeFile(join(dir, 'b.yml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n');
    await writeFile(join(dir, 'a.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n');
    await writeFile(join(dir, 'notes.txt'), 'not yaml: [');
    await mkdir(join(dir, 'nested.yaml'));
    expect((await loadManifests(dir)).map((m) => m.object.metadata?.name)).to.deep.equal(['a', 'b']);
    expect((await loadManifests(join(dir, 'b.yml'))).map((m) => m.file)).to.deep.equal([join(dir, 'b.yml')]);
  });

  it('skips empty documents and expands List items with their own lines', () => {
    const text = [
      '---',
      '# only a comment',
      '---',
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - apiVersion: v1',
      '    kind: ConfigMap',
      '    metadata: {name: one}',
      '  - apiVersion: v1',
      '    kind: ConfigMap',
      '    metadata: {name: two}',
      '---',
      '',
    ].join('\n');
    const loaded = parseManifests(text, 'list.yaml');
    expect(loaded.map((m) => [m.object.metadata?.name, m.line])).to.deep.equal([
      ['one', 7],
      ['two', 10],
    ]);
  });

  it('names file:line:col of a YAML syntax error, with the parser error as cause', async () => {
    const file = join(dir, 'broken.yaml');
    await writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [a, b\n  other: x\n');
    const err = await thrown(() => loadManifests(dir));
    expect(isZdtError(err, ErrorCode.Manifest)).to.equal(true);
    expect(err.message.startsWith(`${file}:5:3: Flow sequence`), err.message).to.equal(true);
    expect(err.cause).to.be.an('error');
  });

  it('rejects a document that is not a mapping, naming file and line', async () => {
    const err = await thrown(() =>
      parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n- just\n- a list\n', 'seq.yaml'),
    );
    expect(isZdtError(err, ErrorCode.Manifest)).to.equal(true);
    expect(err.message).to.match(/^seq\.yaml:5: document is a sequence, not a mapping/);
  });

  it('rejects an object without metadata.name, naming file, line and the missing field', async () => {
    const err = await thrown(() => parseManifests('kind: Service\nmetadata: {}\n', 'anon.yaml'));
    expect(isZdtError(err, ErrorCode.Manifest)).to.equal(true);
    expect(err.message).to.match(/^anon\.yaml:1: document lacks apiVersion, metadata\.name/);
  });

  it('says a missing directory does not exist and what to pass instead', async () => {
    const err = await thrown(() => loadManifests('./no-such-manifests'));
    expect(isZdtError(err, ErrorCode.Manifest)).to.equal(true);
    expect(err.message).to.contain('manifest directory ./no-such-manifests does not exist');
    expect(err.message).to.contain('pass a directory');
  });

  it('refuses a directory without manifest files', async () => {
    const err = await thrown(() => loadManifests(dir));
    expect(isZdtError(err, ErrorCode.Manifest)).to.equal(true);
    expect(err.message).to.contain('has no *.yaml or *.yml files');
  });
});
