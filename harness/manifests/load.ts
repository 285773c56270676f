import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Composer, isAlias, isCollection, isMap, isScalar, isSeq, LineCounter, Parser, visit, type CST, type Document, type Node } from 'yaml';
import { ErrorCode, ZdtError } from '../errors.ts';
import type { KubeObject } from '../kube/types.ts';
import { checkManifestSet } from './check.ts';
import { HELM_SET_FLAGS, helmSources, kustomizationFile, render, rendererOf, type Renderer, type RenderOptions } from './render.ts';
import { checkShape, fieldName } from './shape.ts';

/** One Kubernetes object and where it was written, so findings can point at it. */
export interface LoadedManifest {
  object: KubeObject;
  /** Path as reached from the directory or file the caller passed. */
  file: string;
  /** 1-based line where the object's mapping starts (for a rendered object: within what the renderer printed for `file`). */
  line: number;
  /** Set when a tool rendered the object: `file` is then the Helm template, or the kustomization directory, it came from. */
  rendered?: Renderer;
}

const MANIFEST_FILE = /\.ya?ml$/i;

/**
 * What one load (one `loadManifests` or `parseManifests` call) accepts; more is refused with
 * ZDT_MANIFEST naming the file, the figure and the limit, before the slow part runs. The YAML
 * parser manages about 0.2-2 MB/s on a 2-core machine depending on how dense the text is, and
 * a deep enough nesting overflows its recursive composer (at ~800 levels, and past ~50k levels
 * it can crash the process outright), so without limits a 10 MB or 10k-document input would
 * take minutes and a 200 kB one could kill zdt. The app under test needs far less: these are
 * about 10x the largest real app bundles (a 470 kB CRD bundle parses in 0.25 s).
 */
export interface ManifestLimits {
  /** Bytes of YAML, all files together (checked with stat, before reading). */
  readonly maxBytes: number;
  /** Documents (`---` separated, a List's items counted one each), all files together. */
  readonly maxDocuments: number;
  /** Nesting of mappings and sequences within one document (Kubernetes objects stay below ~30). */
  readonly maxDepth: number;
}

export const MANIFEST_LIMITS: ManifestLimits = Object.freeze({ maxBytes: 2 * 1024 * 1024, maxDocuments: 1000, maxDepth: 100 });

export interface LoadOptions {
  /** Overrides of MANIFEST_LIMITS. */
  readonly limits?: Partial<ManifestLimits>;
  /** Values for a Helm chart directory (harness/manifests/render.ts). */
  readonly render?: RenderOptions;
}

/** What one load has used up so far, so the limits hold for a whole directory, not per file. */
interface Budget {
  readonly limits: ManifestLimits;
  /** The path the caller passed, named when a directory's files together go over a limit. */
  readonly root: string;
  documents: number;
}

const newBudget = (root: string, options: LoadOptions): Budget => ({ limits: { ...MANIFEST_LIMITS, ...options.limits }, root, documents: 0 });

const mib = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;

/**
 * Loads every *.yaml / *.yml file directly in a directory (not recursively, like
 * `kubectl apply -f dir`), or a single file, in path order. A directory holding Chart.yaml is
 * rendered with `helm template` (options.render), one holding a kustomization with `kubectl
 * kustomize`; each rendered object names its template (Helm's `# Source:` line) or kustomization.
 * Multi-document files are
 * split, empty documents skipped and `kind: List` expanded into its items. An object whose
 * fields zdt reads have the wrong type is refused at that field's line (checkShape), and so is
 * a set without objects, or with one object defined twice (checkManifestSet).
 */
export async function loadManifests(path: string, options: LoadOptions = {}): Promise<LoadedManifest[]> {
  let isDirectory: boolean;
  try {
    const stats = await stat(path);
    isDirectory = stats.isDirectory();
    // A FIFO or a device (/dev/zero, /dev/stdin) would block the read forever or never end.
    if (!isDirectory && !stats.isFile()) {
      throw new ZdtError(ErrorCode.Manifest, `${path} is neither a directory nor a regular file: pass a directory of Kubernetes *.yaml files, a single manifest file, a Helm chart or a kustomization`, {
        details: { path },
      });
    }
  } catch (err) {
    if (err instanceof ZdtError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ZdtError(
        ErrorCode.Manifest,
        `manifest directory ${path} does not exist: pass a directory of Kubernetes *.yaml files, a single manifest file, a Helm chart or a kustomization`,
        { cause: err, details: { path } },
      );
    }
    throw new ZdtError(ErrorCode.Manifest, `cannot read ${path}: ${(err as Error).message}`, { cause: err, details: { path } });
  }
  const renderer = isDirectory ? await rendererOf(path) : undefined;
  if (renderer) return loadRendered(path, renderer, options);
  const chartOptions = options.render;
  if (chartOptions?.values?.length || Object.keys(HELM_SET_FLAGS).some((field) => chartOptions?.[field as keyof typeof HELM_SET_FLAGS]?.length)) {
    throw new ZdtError(ErrorCode.InvalidOption, `${path} is not a Helm chart (no Chart.yaml): --values and --set apply to charts only`, { details: { path } });
  }
  const files = isDirectory ? await manifestFiles(path) : [path];
  const budget = newBudget(path, options);
  // Sizes first, so an oversized input is refused without reading it.
  const sizes = await Promise.all(files.map((file) => fileSize(file)));
  let total = 0;
  files.forEach((file, i) => {
    total += sizes[i] as number;
    checkBytes(file, sizes[i] as number, total, budget);
  });
  const contents = await Promise.all(files.map((file) => readBytes(file)));
  // Again, in case a file grew since stat.
  total = 0;
  contents.forEach((bytes, i) => {
    total += bytes.length;
    checkBytes(files[i] as string, bytes.length, total, budget);
  });
  const manifests = files.flatMap((file, i) => parseWithin((contents[i] as Buffer).toString('utf8'), file, budget));
  checkManifestSet(manifests, path);
  return manifests;
}

async function loadRendered(dir: string, renderer: Renderer, options: LoadOptions): Promise<LoadedManifest[]> {
  const text = await render(dir, renderer, options.render);
  const budget = newBudget(dir, options);
  const size = Buffer.byteLength(text);
  checkBytes(`${renderer} ${dir}`, size, size, budget);
  const sourceOf = helmSources(text);
  const kustomization = renderer === 'kubectl kustomize' ? await kustomizationFile(dir) : undefined;
  const manifests = parseWithin(text, `${renderer} ${dir}`, budget).map((m): LoadedManifest => {
    const source = renderer === 'helm template' ? sourceOf(m.line) : undefined;
    if (!source) return { object: m.object, file: kustomization ?? dir, line: m.line, rendered: renderer };
    // Helm prints `<chart name>/templates/x.yaml`; the chart's directory may be named otherwise.
    // A packaged subchart (charts/x.tgz) has no such file: name the chart and Helm's path instead.
    const file = join(dir, source.template.split('/').slice(1).join('/'));
    return { object: m.object, file: existsSync(file) ? file : `${dir} (${source.template})`, line: source.line, rendered: renderer };
  });
  checkManifestSet(manifests, dir);
  return manifests;
}

function checkBytes(file: string, size: number, total: number, { limits, root }: Budget): void {
  if (total <= limits.maxBytes) return;
  const figure = total === size ? `${mib(size)} (${size} bytes)` : `${mib(size)}, which brings the manifests in ${root} to ${mib(total)} (${total} bytes),`;
  throw new ZdtError(
    ErrorCode.Manifest,
    `${file}: ${figure} is over zdt's limit of ${mib(limits.maxBytes)} (${limits.maxBytes} bytes) of manifests: pass only the manifests of the app under test`,
    { details: { file, bytes: size, totalBytes: total, limit: limits.maxBytes } },
  );
}

function checkDocuments(file: string, documents: number, budget: Budget, what: string): void {
  const total = budget.documents + documents;
  if (total <= budget.limits.maxDocuments) return;
  const more = budget.documents === 0 ? '' : `, which bring the manifests in ${budget.root} to ${total}`;
  throw new ZdtError(
    ErrorCode.Manifest,
    `${file}: ${documents} ${what}${more}, over zdt's limit of ${budget.limits.maxDocuments} documents: pass only the manifests of the app under test`,
    { details: { file, documents, totalDocuments: total, limit: budget.limits.maxDocuments } },
  );
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (err) {
    throw new ZdtError(ErrorCode.Manifest, `cannot read ${file}: ${(err as Error).message}`, { cause: err, details: { file } });
  }
}

async function manifestFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && MANIFEST_FILE.test(e.name))
    .map((e) => join(dir, e.name))
    // Code-unit order, not locale order, so output is identical on every machine.
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (files.length === 0) {
    throw new ZdtError(
      ErrorCode.Manifest,
      `manifest directory ${dir} has no *.yaml or *.yml files: point zdt at the directory that holds the manifests`,
      { details: { path: dir } },
    );
  }
  return files;
}

async function readBytes(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new ZdtError(ErrorCode.Manifest, `cannot read ${file}: ${(err as Error).message}`, { cause: err, details: { file } });
  }
}

/** Parses and checks the text of one manifest file, as loadManifests does each file; `file` is only used to label objects and errors. */
export function parseManifests(text: string, file: string, options: LoadOptions = {}): LoadedManifest[] {
  const budget = newBudget(file, options);
  const size = Buffer.byteLength(text);
  checkBytes(file, size, size, budget);
  return parseWithin(text, file, budget);
}

/** A `---` line starts a document. */
const DOCUMENT_START = /^---(?=[ \t\r\n]|$)/gm;
/** The first line that is not blank, a comment or a directive (after a BOM). */
const FIRST_CONTENT = /^(?![ \t]*(?:#.*)?\r?$)(?!%).*/m;

/** Documents in `text`, counted without parsing it: one per `---`, and one more when content precedes the first. */
function countDocuments(text: string): number {
  const markers = text.match(DOCUMENT_START)?.length ?? 0;
  const first = FIRST_CONTENT.exec(text.replace(/^\uFEFF/, ''))?.[0];
  return markers + (first !== undefined && !/^---(?=[ \t\r\n]|$)/.test(first) ? 1 : 0);
}

function parseWithin(text: string, file: string, budget: Budget): LoadedManifest[] {
  checkDocuments(file, countDocuments(text), budget, 'documents');
  const lineCounter = new LineCounter();
  const fail = (offset: number, message: string, cause?: unknown): never => {
    const { line, col } = lineCounter.linePos(offset);
    throw new ZdtError(ErrorCode.Manifest, `${file}:${line}:${col}: ${message}`, { cause, details: { file, line, col } });
  };
  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  checkDepth(tokens, budget.limits.maxDepth, (offset) =>
    fail(offset, `nesting deeper than ${budget.limits.maxDepth} levels is over zdt's limit (Kubernetes objects need far fewer)`),
  );
  // merge: `<<` keys are common in hand-written manifests and kubectl's YAML 1.1 parser accepts them.
  // uniqueKeys: the parser's own check compares every key with every other (minutes for a mapping
  // of 100k keys); firstDuplicateKey does the same check in linear time.
  const docs = Array.from(new Composer({ merge: true, uniqueKeys: false }).compose(tokens));
  const out: LoadedManifest[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    const { duplicate, collection } = keyProblems(doc);
    if (duplicate !== undefined && (error === undefined || duplicate <= error.pos[0])) fail(duplicate, 'Map keys must be unique');
    if (error) fail(error.pos[0], error.message, error);
    // As a JS object key it would be flattened to text (with a Node warning on stderr); kubectl refuses it.
    if (collection !== undefined) fail(collection, 'a mapping key must be a plain value (text, a number, true/false), not a mapping, a sequence or binary data');
    const objects = documentObjects(doc, file, lineCounter);
    // A List's items count one each; empty documents were counted before parsing and count no more.
    checkDocuments(file, objects.length, budget, 'objects');
    budget.documents += objects.length;
    out.push(...objects);
  }
  return out;
}

/** Calls `refuse` with the offset of the first collection nested deeper than `maxDepth`; iterative, so any depth is safe. */
function checkDepth(tokens: readonly CST.Token[], maxDepth: number, refuse: (offset: number) => void): void {
  // Pushed in reverse, so the first collection found too deep is the first in the text.
  const stack: [CST.Token, number][] = tokens.map((t): [CST.Token, number] => [t, 0]).reverse();
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [token, depth] = next;
    if (token.type === 'document') {
      if (token.value) stack.push([token.value, 0]);
    } else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      if (depth + 1 > maxDepth) return refuse(token.offset);
      for (let i = token.items.length - 1; i >= 0; i--) {
        const { key, value } = token.items[i]!;
        if (value) stack.push([value, depth + 1]);
        if (key) stack.push([key, depth + 1]);
      }
    }
  }
}

/**
 * Offsets of the first key that repeats an earlier one of its mapping (the yaml library's rule:
 * equal scalar values), and of the first key whose value is a collection or binary data
 * (directly or through an alias).
 */
function keyProblems(doc: Document.Parsed): { duplicate?: number; collection?: number } {
  const first: { duplicate?: number; collection?: number } = {};
  const note = (problem: keyof typeof first, key: Node) => {
    const offset = key.range?.[0] ?? 0;
    if (first[problem] === undefined || offset < first[problem]) first[problem] = offset;
  };
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const { key } of map.items) {
        const value = isAlias(key) ? key.resolve(doc) : key;
        if (isCollection(value) || (isScalar(value) && typeof value.value === 'object' && value.value !== null)) note('collection', key as Node);
        // NaN never equals itself, so two `.nan` keys are not duplicates, as in the library.
        if (!isScalar(key) || Number.isNaN(key.value)) continue;
        if (seen.has(key.value)) note('duplicate', key);
        seen.add(key.value);
      }
    },
  });
  return first;
}

function documentObjects(doc: Document.Parsed, file: string, lineCounter: LineCounter): LoadedManifest[] {
  const contents = doc.contents;
  const lineAt = (offset: number | undefined, fallback: number): number =>
    offset === undefined ? fallback : lineCounter.linePos(offset).line;
  const line = lineAt(contents?.range[0], 1);
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (err) {
    // toJS rejects unresolvable or excessive aliases, which parsing alone lets through.
    throw new ZdtError(ErrorCode.Manifest, `${file}:${line}: ${(err as Error).message}`, { cause: err, details: { file, line } });
  }
  if (value === null || value === undefined) return [];
  const object = asObject(value, file, line, 'document');
  if (object.kind !== 'List') return [{ object: checkedShape(object, doc, contents, file, lineCounter), file, line }];

  const items = object.items;
  if (!Array.isArray(items)) {
    throw new ZdtError(ErrorCode.Manifest, `${file}:${line}: List has no items array`, { details: { file, line } });
  }
  const itemNodes = isMap(contents) ? contents.get('items', true) : undefined;
  return items.map((item: unknown, i) => {
    const node = isSeq(itemNodes) ? itemNodes.items[i] : undefined;
    const itemLine = lineAt((node as Node | undefined)?.range?.[0], line);
    const itemObject = asObject(item, file, itemLine, `List item ${i}`);
    return { object: checkedShape(itemObject, doc, node, file, lineCounter), file, line: itemLine };
  });
}

/** `object` once checkShape passes it, else ZDT_MANIFEST at the line of the offending field (`root`: the object's node). */
function checkedShape(object: KubeObject, doc: Document.Parsed, root: unknown, file: string, lineCounter: LineCounter): KubeObject {
  const problem = checkShape(object);
  if (problem === undefined) return object;
  const { line } = lineCounter.linePos(fieldOffset(doc, root, problem.path) ?? 0);
  const field = fieldName(problem.path);
  const ref = `${object.kind}/${object.metadata?.name}`;
  throw new ZdtError(ErrorCode.Manifest, `${file}:${line}: ${ref}: ${field} ${problem.message}`, { details: { file, line, object: ref, field } });
}

/**
 * Offset of the field at `path` below `node`: the key of a mapping's entry, or an array's item,
 * through aliases and merge keys; the deepest one found when the path leaves the nodes.
 */
function fieldOffset(doc: Document.Parsed, node: unknown, path: readonly (string | number)[]): number | undefined {
  let offset = (node as Node | undefined)?.range?.[0];
  for (const key of path) {
    const found = child(doc, node, key);
    if (found === undefined) break;
    node = found.node;
    offset = found.offset ?? offset;
  }
  return offset;
}

function child(doc: Document.Parsed, node: unknown, key: string | number): { node: unknown; offset: number | undefined } | undefined {
  const target = isAlias(node) ? node.resolve(doc) : node;
  if (isSeq(target)) {
    const item = target.items[key as number] as Node | undefined;
    return item === undefined ? undefined : { node: item, offset: item.range?.[0] };
  }
  if (!isMap(target)) return undefined;
  const own = target.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === String(key));
  if (own) return { node: own.value, offset: (own.key as Node).range?.[0] };
  // Entries merged in (`<<: *base` or `<<: [*a, *b]`), the first source holding the key winning, as in the library.
  for (const pair of target.items) {
    if (!isScalar(pair.key) || typeof pair.key.value !== 'symbol' || pair.key.value.description !== '<<') continue;
    const sources = isAlias(pair.value) ? pair.value.resolve(doc) : pair.value;
    for (const source of isSeq(sources) ? sources.items : [sources]) {
      const found = child(doc, source, key);
      if (found) return found;
    }
  }
  return undefined;
}

/** Checks the fields every Kubernetes object needs; `what` names the value in the message. */
function asObject(value: unknown, file: string, line: number, what: string): KubeObject {
  const fail = (problem: string): never => {
    throw new ZdtError(ErrorCode.Manifest, `${file}:${line}: ${what} ${problem}`, { details: { file, line } });
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(`is ${Array.isArray(value) ? 'a sequence' : `a ${typeof value}`}, not a mapping: each YAML document must be one Kubernetes object`);
  }
  const object = value as KubeObject;
  const missing = [
    typeof object.apiVersion === 'string' && object.apiVersion ? undefined : 'apiVersion',
    typeof object.kind === 'string' && object.kind ? undefined : 'kind',
    object.kind === 'List' || (typeof object.metadata?.name === 'string' && object.metadata.name) ? undefined : 'metadata.name',
  ].filter((f) => f !== undefined);
  if (missing.length > 0) fail(`lacks ${missing.join(', ')}: every Kubernetes object needs apiVersion, kind and metadata.name`);
  return object;
}
