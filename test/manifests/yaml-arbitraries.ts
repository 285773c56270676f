/**
 * Generators of malformed and adversarial YAML for the property tests of the manifest loader
 * (test/manifests/load.property.test.ts) and of `zdt lint` / `zdt verify`
 * (test/cli/input.property.test.ts).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseAllDocuments, stringify } from 'yaml';

/**
 * Fixed seed and run counts, so CI runs the same inputs every time; fast-check prints the seed
 * and counterexample path of a failure. ZDT_PROPERTY_SEED=<n> explores other inputs.
 */
export const SEED = Number(process.env.ZDT_PROPERTY_SEED ?? 20_260_611);
export const runs = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns });

/** The good example: a Deployment, its Service and a PDB, as one multi-document file. */
export const VALID_APP = `${readFileSync('test/fixtures/lint/good/web.yaml', 'utf8')}---\n${readFileSync('test/fixtures/lint/good/pdb.yaml', 'utf8')}`;

/** The objects of VALID_APP as plain data (Deployment, Service, PodDisruptionBudget). */
export const VALID_OBJECTS: readonly Record<string, unknown>[] = parseAllDocuments(VALID_APP).map((d) => (Array.isArray(d) ? {} : d.toJS()));

/** Random strings: any code point (lone surrogates included), and bytes decoded as UTF-8. */
export const randomText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('utf8')),
);

/** YAML syntax in random order: indicators, anchors, tags, markers, BOM, CR, tabs. */
const TOKENS = [
  ':', ': ', '-', '- ', '? ', '[', ']', '{', '}', ',', '&a ', '*a', '&b ', '*b', '!!binary ', '!!str ', '!!int ', '!!map ', '!custom ',
  '<<: ', '---', '---\n', '...\n', '|', '|-\n', '>', '"', "'", '\\', '#', '\t', '\n', '\r\n', '\r', '  ', '    ', '\uFEFF', '%YAML 1.2\n',
  '%TAG ! tag:x:\n', '@', '`', 'apiVersion', 'kind', 'metadata', 'name', 'v1', 'Deployment', 'Service', 'List', 'items', 'spec', 'x', '0', '1e9',
  'null', '~', '.nan', 'true',
];
export const yamlSoup: fc.Arbitrary<string> = fc.array(fc.constantFrom(...TOKENS), { maxLength: 80 }).map((t) => t.join(''));

/** A prefix of the valid app, with LF or CRLF line ends. */
export const truncatedApp: fc.Arbitrary<string> = fc
  .tuple(fc.nat({ max: VALID_APP.length }), fc.constantFrom('\n', '\r\n'))
  .map(([n, eol]) => VALID_APP.slice(0, n).replace(/\n/g, eol));

export type Path = readonly (string | number)[];

function pathsOf(value: unknown, path: Path = []): Path[] {
  const here = path.length > 0 ? [path] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => pathsOf(v, [...path, i]))];
  if (value !== null && typeof value === 'object') return [...here, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...path, k]))];
  return here;
}

/** Every field of every object of VALID_APP: [object index, path within it]. */
export const FIELDS: readonly { readonly doc: number; readonly path: Path }[] = VALID_OBJECTS.flatMap((o, doc) => pathsOf(o).map((path) => ({ doc, path })));

/** Values of the wrong type (or the right type, wrong form) for any field. */
const wrongValue = (current: unknown): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constantFrom<unknown>(
      null, 0, -1, 1.5, 1e300, '', 'x', true, [], {}, [null], [[1]], [{}], { a: 1 }, '-1', '50%', '150%', 'NaN', '1e309', '0x10',
      // Same value, wrong type: a number as a string and the reverse, a scalar wrapped in a list or a map.
      typeof current === 'number' ? String(current) : Number(current),
      [current],
      { value: current },
    ),
    fc.string({ maxLength: 8 }),
    fc.integer(),
  );

export interface Mutant {
  /** `Kind.path.to.field`, for the failure message. */
  readonly field: string;
  /** Index of the mutated object in VALID_OBJECTS (and document in `text`). */
  readonly doc: number;
  /** Where the mutated field is within its object. */
  readonly path: Path;
  readonly value: unknown;
  readonly text: string;
}

/** The valid app with one field (any depth, any object) replaced by a value of another type. */
export const mutatedApp: fc.Arbitrary<Mutant> = fc.constantFrom(...FIELDS).chain(({ doc, path }) => {
  const objects = structuredClone(VALID_OBJECTS) as Record<string | number, unknown>[];
  let parent = objects[doc] as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  return wrongValue(parent[last]).map((value): Mutant => {
    const copy = structuredClone(objects);
    let target = copy[doc] as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
    target[last] = value;
    return { field: `${(VALID_OBJECTS[doc] as { kind: string }).kind}.${path.join('.')}`, doc, path, value, text: copy.map((o) => stringify(o)).join('---\n') };
  });
});

/**
 * Billion laughs: `levels` anchors, each a collection of `fanout` aliases of the one before,
 * as sequences or through merge keys. It expands to fanout^levels leaves.
 */
export const aliasBomb: fc.Arbitrary<{ text: string; leaves: number }> = fc
  .record({ levels: fc.integer({ min: 1, max: 12 }), fanout: fc.integer({ min: 2, max: 10 }), merge: fc.boolean() })
  .map(({ levels, fanout, merge }) => {
    const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: bomb}', 'l0: &l0 {lol: lol}'];
    for (let i = 1; i <= levels; i++) {
      const refs = Array.from({ length: fanout }, (_, j) => (merge ? `k${j}: {<<: *l${i - 1}}` : `*l${i - 1}`));
      lines.push(merge ? `l${i}: &l${i} {${refs.join(', ')}}` : `l${i}: &l${i} [${refs.join(', ')}]`);
    }
    return { text: `${lines.join('\n')}\n`, leaves: fanout ** levels };
  });

/** Collections nested `depth` deep, in flow or block style, as the value of a ConfigMap field. */
export const nesting = (maxDepth: number, styles = ['flow-seq', 'flow-map', 'block-map', 'block-seq']): fc.Arbitrary<{ text: string; depth: number; style: string }> =>
  fc
    .record({ depth: fc.integer({ min: 1, max: maxDepth }), style: fc.constantFrom(...styles) })
    .map(({ depth, style }) => {
      const head = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\n';
      // `depth` counts every collection from the document's own mapping down.
      const inner = depth - 1;
      if (style === 'flow-seq') return { depth, style, text: `${head}x: ${'['.repeat(inner)}1${']'.repeat(inner)}\n` };
      if (style === 'flow-map') return { depth, style, text: `${head}x: ${'{a: '.repeat(inner)}1${'}'.repeat(inner)}\n` };
      // Block style: each level one line, indented further (`k:` for mappings, `-` for sequences).
      const lines = Array.from({ length: inner }, (_, i) => `${' '.repeat(2 * (i + 1))}${style === 'block-map' ? 'k:' : '-'}`);
      return { depth, style, text: `${head}x:\n${lines.join('\n')} 1\n` };
    });

/** Keys that YAML may or may not consider equal: quoting, number forms, null forms, merge keys, tags, anchors. */
const KEYS = ['a', 'b', '"a"', "'a'", '1', '"1"', '01', '0x1', '1.0', 'true', 'True', '~', 'null', '""', '<<', '.nan', '.NaN', '!!str 1', '&x a', '[a]', '{a: 1}', 'a b', '"a\\u0020b"'];

/** A mapping whose keys are drawn from KEYS, so some repeat and some only look alike; block or flow, possibly nested. */
export const duplicateKeys: fc.Arbitrary<string> = fc
  .record({
    keys: fc.array(fc.constantFrom(...KEYS), { minLength: 1, maxLength: 8 }),
    nestedKeys: fc.array(fc.constantFrom(...KEYS), { maxLength: 4 }),
    flow: fc.boolean(),
  })
  .map(({ keys, nestedKeys, flow }) => {
    const value = (k: string) => (k === '<<' ? '{m: 1}' : 'v');
    const entries = keys.map((k) => `${k}: ${value(k)}`);
    if (nestedKeys.length > 0) entries.push(`nested: {${nestedKeys.map((k) => `${k}: ${value(k)}`).join(', ')}}`);
    const data = flow ? `data: {${entries.join(', ')}}` : `data:\n${entries.map((e) => `  ${e}`).join('\n')}`;
    return `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dup}\n${data}\n`;
  });
