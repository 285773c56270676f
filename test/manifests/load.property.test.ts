import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';
import { ErrorCode, isZdtError } from '../../harness/errors.ts';
import { loadManifests, MANIFEST_LIMITS, parseManifests, type LoadedManifest, type ManifestLimits } from '../../harness/manifests/load.ts';
import { fieldName } from '../../harness/manifests/shape.ts';
import { aliasBomb, duplicateKeys, mutatedApp, nesting, randomText, runs, truncatedApp, VALID_APP, yamlSoup, type Path } from './yaml-arbitraries.ts';

type Outcome = { loaded: LoadedManifest[]; ms: number } | { error: Error & { code?: string }; ms: number };

function parse(text: string, file = 'in.yaml', limits?: Partial<ManifestLimits>): Outcome {
  const start = performance.now();
  try {
    const loaded = parseManifests(text, file, { limits });
    return { loaded, ms: performance.now() - start };
  } catch (err) {
    return { error: err as Error, ms: performance.now() - start };
  }
}

/** Runs `fn`, returning what it threw (failing the test when it does not throw). */
async function thrown(fn: () => unknown): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await fn();
  } catch (err) {
    return err as Error & { code?: string; details?: Record<string, unknown> };
  }
  throw new Error('expected an error');
}

const lineCount = (text: string) => text.split(/\r\n|\r|\n/).length;

/** First and last line of the field at `path` in document `doc` of `text`: from its key (or, in an array, the item) to the end of its value. */
function linesOf(text: string, doc: number, path: Path): [number, number] {
  const lineCounter = new LineCounter();
  const document = parseAllDocuments(text, { lineCounter })[doc]!;
  const parent = path.length === 1 ? document.contents : document.getIn(path.slice(0, -1), true);
  const last = path.at(-1);
  let first: Node;
  let final: Node;
  if (isSeq(parent)) {
    first = final = parent.items[last as number] as Node;
  } else if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last)!;
    first = pair.key as Node;
    final = (pair.value ?? pair.key) as Node;
  } else {
    return expect.fail(`no collection holds ${path.join('.')}`);
  }
  return [lineCounter.linePos(first.range![0]).line, lineCounter.linePos(final.range![1]).line];
}

/**
 * The loader's contract for any text: Kubernetes objects, each located at a line of the
 * file, or ZDT_MANIFEST naming file:line (:col for YAML errors), with no stack in the message,
 * within `maxMs`.
 */
function expectContract(text: string, outcome: Outcome, maxMs = 2000): void {
  expect(outcome.ms, 'parse time (ms)').to.be.below(maxMs);
  if ('loaded' in outcome) {
    for (const m of outcome.loaded) {
      expect(m.file).to.equal('in.yaml');
      expect(m.line).to.be.within(1, lineCount(text));
      expect(m.object.apiVersion).to.be.a('string').and.not.equal('');
      expect(m.object.kind).to.be.a('string').and.not.equal('');
    }
    return;
  }
  const { error } = outcome;
  expect(isZdtError(error, ErrorCode.Manifest), `not ZDT_MANIFEST: ${error.stack}`).to.equal(true);
  const at = /^in\.yaml:(\d+)(?::(\d+))?: \S/.exec(error.message);
  expect(at, `no file:line in ${JSON.stringify(error.message)}`).to.not.equal(null);
  expect(Number(at![1])).to.be.within(1, lineCount(text));
  expect(error.message).to.not.match(/^\s+at /m);
}

describe('manifests/load: generated bad input', function () {
  // Generous for a loaded CI host; each input is bounded by expectContract's own limit.
  this.timeout(60_000);

  for (const [what, texts, numRuns] of [
    ['random text and bytes', randomText, 300],
    ['YAML syntax in random order (anchors, tags, markers, BOM, CR, tabs)', yamlSoup, 400],
    ['a valid manifest cut anywhere, LF or CRLF', truncatedApp, 300],
  ] as const) {
    it(`${what}: objects or ZDT_MANIFEST with file:line, never another error`, () => {
      fc.assert(
        fc.property(texts, (text) => expectContract(text, parse(text))),
        runs(numRuns),
      );
    });
  }

  it('a wrong type at any field of a Deployment, Service or PDB: loads, or is refused naming that field (or one within it) at its line', () => {
    fc.assert(
      fc.property(mutatedApp, ({ doc, path, text }) => {
        const outcome = parse(text);
        expectContract(text, outcome);
        if ('loaded' in outcome) return;
        const { message } = outcome.error;
        // The fields every object needs are checked first, for the object as a whole.
        if (/lacks|List/.test(message)) return void expect(['apiVersion', 'kind', 'metadata'], message).to.include(path[0]);
        const at = /^in\.yaml:(\d+): [A-Za-z]+\/web: (\S+) must be .+, got .+$/.exec(message);
        expect(at, message).to.not.equal(null);
        const [, line, field] = at as unknown as [string, string, string];
        const mutated = fieldName(path);
        const within = field === mutated || field.startsWith(`${mutated}.`) || field.startsWith(`${mutated}[`);
        expect(within, `${field} is not within ${mutated}`).to.equal(true);
        expect(Number(line), message).to.be.within(...linesOf(text, doc, path));
      }),
      runs(300),
    );
  });

  it('line endings, BOM, `...` end markers, comments and tabs do not change what is loaded', () => {
    const base = parseManifests(VALID_APP, 'in.yaml');
    const variants = fc.record({
      crlf: fc.boolean(),
      bom: fc.boolean(),
      endMarkers: fc.boolean(),
      leadingMarker: fc.boolean(),
      trailing: fc.constantFrom('', '\n', '---\n', '...\n', '# end\n', '\n\n\n'),
      tabAfterColon: fc.boolean(),
    });
    fc.assert(
      fc.property(variants, (v) => {
        let text = VALID_APP;
        // A tab is separation space after a mapping's colon (not indentation).
        if (v.tabAfterColon) text = text.replace(/^(\s*[a-zA-Z]+:) (?=\S)/gm, '$1\t');
        if (v.endMarkers) text = text.replace(/^---$/m, '...\n---');
        if (v.leadingMarker) text = `---\n${text}`;
        text += v.trailing;
        if (v.crlf) text = text.replace(/\n/g, '\r\n');
        if (v.bom) text = `\uFEFF${text}`;
        const loaded = parseManifests(text, 'in.yaml');
        expect(loaded.map((m) => m.object)).to.deep.equal(base.map((m) => m.object));
        const shift = v.leadingMarker ? 1 : 0;
        const extra = v.endMarkers ? [0, 1, 1] : [0, 0, 0];
        expect(loaded.map((m) => m.line)).to.deep.equal(base.map((m, i) => m.line + shift + (extra[i] as number)));
      }),
      runs(100),
    );
  });

  it('anchors, aliases, merge keys and tags resolve as kubectl resolves them', () => {
    const text = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: &meta {name: base, labels: &labels {app: web}}',
      'data:',
      '  <<: {a: "1", b: "2"}',
      '  b: "3"',
      '  labels: *labels',
      '  raw: !!binary aGk=',
      '  text: !!str 123',
      '  when: 2001-12-14',
      '...',
      '--- !!map',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {<<: {name: merged}}',
    ].join('\n');
    const loaded = parseManifests(text, 'in.yaml');
    expect(loaded.map((m) => m.line)).to.deep.equal([1, 13]);
    const data = loaded[0]!.object.data as Record<string, unknown>;
    expect(data).to.deep.include({ a: '1', b: '3', labels: { app: 'web' }, text: '123', when: '2001-12-14' });
    expect(Buffer.from(data.raw as Uint8Array).toString()).to.equal('hi');
    expect(loaded[1]!.object.metadata).to.deep.equal({ name: 'merged' });
  });

  it('alias bombs (billion laughs, also through merge keys) load small or are refused at once', () => {
    fc.assert(
      fc.property(aliasBomb, ({ text, leaves }) => {
        const outcome = parse(text);
        expectContract(text, outcome, 1000);
        if (leaves > 10_000) {
          expect('error' in outcome, `${leaves} leaves loaded`).to.equal(true);
          if ('error' in outcome) expect(outcome.error.message).to.match(/^in\.yaml:1: Excessive alias count/);
        }
      }),
      runs(100),
    );
  });

  it('duplicate keys are refused where the YAML library itself refuses them, at the same line and column', () => {
    fc.assert(
      fc.property(duplicateKeys, (text) => {
        const outcome = parse(text);
        expectContract(text, outcome);
        // The library's own check (uniqueKeys: true), which load.ts replaces by a linear one.
        const lineCounter = new LineCounter();
        const [doc] = parseAllDocuments(text, { lineCounter, prettyErrors: false, merge: true });
        const errors = [...doc!.errors].sort((a, b) => a.pos[0] - b.pos[0]);
        if (errors.length === 0) {
          if ('error' in outcome) expect(outcome.error.message).to.not.contain('Map keys must be unique');
          return;
        }
        // The library reports its errors in the order it meets them, not by position: load.ts
        // names the first by position, which is one of them.
        const messages = errors.map((e) => {
          const { line, col } = lineCounter.linePos(e.pos[0]);
          return `in.yaml:${line}:${col}: ${e.message}`;
        });
        expect('error' in outcome && outcome.error.message, text).to.be.oneOf(messages);
        if (errors.every((e) => e.code === 'DUPLICATE_KEY')) expect('error' in outcome && outcome.error.message).to.equal(messages[0]);
      }),
      runs(500),
    );
  });

  it('a mapping of 100k keys, one duplicated at the end, is refused in seconds (the library alone takes minutes)', () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => `  k${i}: v`).join('\n');
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n${keys}\n  k7: again\n`;
    const outcome = parse(text);
    expect('error' in outcome && outcome.error.message).to.equal('in.yaml:100005:3: Map keys must be unique');
    expect(outcome.ms).to.be.below(10_000);
  });

  it(`nesting: up to ${MANIFEST_LIMITS.maxDepth} levels loads, deeper is refused at file:line:col without overflowing the stack`, () => {
    const limit = MANIFEST_LIMITS.maxDepth;
    fc.assert(
      fc.property(fc.oneof(nesting(limit + 5), nesting(600), nesting(20_000, ['flow-seq', 'flow-map'])), ({ text, depth }) => {
        const outcome = parse(text);
        expectContract(text, outcome, 3000);
        if (depth <= limit) expect('loaded' in outcome && outcome.loaded.length, `depth ${depth}`).to.equal(1);
        else expect('error' in outcome && outcome.error.message).to.match(new RegExp(`^in\\.yaml:\\d+:\\d+: nesting deeper than ${limit} levels is over zdt's limit`));
      }),
      runs(40),
    );
  });

  it('100k nested flow sequences (200 kB) are refused: composing them used to crash the process (V8 out of memory in a RegExp compile)', () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\nx: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`;
    const outcome = parse(text);
    expectContract(text, outcome, 5000);
    expect('error' in outcome && outcome.error.message).to.equal(`in.yaml:4:${4 + MANIFEST_LIMITS.maxDepth - 1}: nesting deeper than ${MANIFEST_LIMITS.maxDepth} levels is over zdt's limit (Kubernetes objects need far fewer)`);
  });

  it('very long lines: a 1 MB value, key or comment loads', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom('value', 'quoted', 'key', 'comment'), (n, where) => {
        const long = 'x'.repeat(n);
        const line = { value: `data: {k: ${long}}`, quoted: `data: {k: "${long}"}`, key: `data: {${long}: v}`, comment: `# ${long}` }[where];
        const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: long}\n${line}\n`;
        const outcome = parse(text);
        expectContract(text, outcome);
        expect('loaded' in outcome && outcome.loaded.length).to.equal(1);
      }),
      runs(20),
    );
  });
});

describe('manifests/load: limits', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zdt-limits-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const configMaps = (n: number, prefix = 'cm') =>
    Array.from({ length: n }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${prefix}${i}\ndata:\n  k: v${i}\n`).join('---\n');

  it('documents: up to the limit load, one more is refused naming file, count and limit (also as List items)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 30 }), fc.boolean(), (n, limit, asList) => {
        const text = asList
          ? `apiVersion: v1\nkind: List\nitems: [${Array.from({ length: n }, (_, i) => `{apiVersion: v1, kind: ConfigMap, metadata: {name: c${i}}}`).join(', ')}]\n`
          : configMaps(n);
        const outcome = parse(text, 'in.yaml', { maxDocuments: limit });
        if (n <= limit) return void expect('loaded' in outcome && outcome.loaded.length).to.equal(n);
        expect('error' in outcome && isZdtError(outcome.error, ErrorCode.Manifest)).to.equal(true);
        // A List is one document before parsing: its items are counted once parsed.
        const counted = asList ? `${n} objects` : `${n} documents`;
        expect('error' in outcome && outcome.error.message).to.equal(
          `in.yaml: ${counted}, over zdt's limit of ${limit} documents: pass only the manifests of the app under test`,
        );
      }),
      runs(100),
    );
  });

  it('bytes: up to the limit load, more is refused naming file, size and limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 60, max: 2000 }), (pad, limit) => {
        const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: "${'é'.repeat(pad)}"}\n`;
        const bytes = Buffer.byteLength(text);
        const outcome = parse(text, 'in.yaml', { maxBytes: limit });
        if (bytes <= limit) return void expect('loaded' in outcome).to.equal(true);
        expect('error' in outcome && outcome.error.message).to.match(new RegExp(`^in\\.yaml: \\d+\\.\\d MiB \\(${bytes} bytes\\) is over zdt's limit of \\d+\\.\\d MiB \\(${limit} bytes\\)`));
      }),
      runs(100),
    );
  });

  it('a directory: the limits hold for all its files together, naming the file that goes over', async () => {
    const sub = join(dir, 'split');
    await mkdir(sub);
    for (const name of ['a', 'b', 'c']) await writeFile(join(sub, `${name}.yaml`), configMaps(4, name));
    expect(await loadManifests(sub, { limits: { maxDocuments: 12 } })).to.have.length(12);
    const docs = await thrown(() => loadManifests(sub, { limits: { maxDocuments: 11 } }));
    expect(docs.message).to.equal(`${join(sub, 'c.yaml')}: 4 documents, which bring the manifests in ${sub} to 12, over zdt's limit of 11 documents: pass only the manifests of the app under test`);
    const size = Buffer.byteLength(configMaps(4, 'c'));
    const bytes = await thrown(() => loadManifests(sub, { limits: { maxBytes: 3 * size - 1 } }));
    expect(bytes.message).to.match(new RegExp(`^${join(sub, 'c\\.yaml')}: 0\\.0 MiB, which brings the manifests in ${sub} to 0\\.0 MiB \\(${3 * size} bytes\\), is over zdt's limit`));
    expect(bytes.details).to.include({ file: join(sub, 'c.yaml'), bytes: size, totalBytes: 3 * size, limit: 3 * size - 1 });
  });

  // Before the limits (on this project's 2-core CI machine, under load from other jobs): a 10k-
  // document file took 1.7-3.7 s to lint with 170 MB resident, a 10k Deployment+Service+PDB file
  // did not finish in 10 minutes (pdb-blocks-drain), 10 MB of ConfigMaps 17-60 s and 660 MB.
  it('a 10k-document file is refused before parsing, naming file, count and limit', async () => {
    const file = join(dir, 'ten-thousand.yaml');
    await writeFile(file, configMaps(10_000));
    const start = performance.now();
    const err = await thrown(() => loadManifests(file));
    expect(performance.now() - start).to.be.below(1000);
    expect(isZdtError(err, ErrorCode.Manifest)).to.equal(true);
    expect(err.message).to.equal(`${file}: 10000 documents, over zdt's limit of ${MANIFEST_LIMITS.maxDocuments} documents: pass only the manifests of the app under test`);
  });

  it('a 10 MB file is refused without reading it, naming file, size and limit', async () => {
    const file = join(dir, 'ten-megabytes.yaml');
    await writeFile(file, `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {blob: ${'x'.repeat(10 * 1024 * 1024)}}\n`);
    const start = performance.now();
    const err = await thrown(() => loadManifests(file));
    expect(performance.now() - start).to.be.below(1000);
    expect(isZdtError(err, ErrorCode.Manifest)).to.equal(true);
    expect(err.message).to.match(new RegExp(`^${file}: 10\\.0 MiB \\(10485\\d{3} bytes\\) is over zdt's limit of 2\\.0 MiB \\(2097152 bytes\\) of manifests`));
  });

  it('a FIFO, a device or a symlink loop is refused instead of blocking the read forever', async () => {
    const special = join(dir, 'special');
    await mkdir(special);
    const fifo = join(special, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    const loop = join(special, 'loop.yaml');
    await symlink(loop, loop);
    for (const [path, message] of [
      [fifo, `${fifo} is neither a directory nor a regular file`],
      ['/dev/zero', '/dev/zero is neither a directory nor a regular file'],
      [loop, `cannot read ${loop}: ELOOP`],
    ] as const) {
      const err = await thrown(() => loadManifests(path));
      expect(isZdtError(err, ErrorCode.Manifest), String(err)).to.equal(true);
      expect(err.message).to.contain(message);
    }
    // In a directory, such entries are not manifest files: skipped like subdirectories.
    await writeFile(join(special, 'ok.yaml'), configMaps(1));
    expect((await loadManifests(special)).map((m) => m.object.metadata?.name)).to.deep.equal(['cm0']);
  });
});
