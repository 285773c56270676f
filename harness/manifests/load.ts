import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';
import { ErrorCode, ZdtError } from '../errors.ts';
import type { KubeObject } from '../kube/types.ts';

/** One Kubernetes object and where it was written, so findings can point at it. */
export interface LoadedManifest {
  object: KubeObject;
  /** Path as reached from the directory or file the caller passed. */
  file: string;
  /** 1-based line where the object's mapping starts. */
  line: number;
}

const MANIFEST_FILE = /\.ya?ml$/i;

/**
 * Loads every *.yaml / *.yml file directly in a directory (not recursively, like
 * `kubectl apply -f dir`), or a single file, in path order. Multi-document files are
 * split, empty documents skipped and `kind: List` expanded into its items.
 */
export async function loadManifests(path: string): Promise<LoadedManifest[]> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ZdtError(
        ErrorCode.Manifest,
        `manifest directory ${path} does not exist: pass a directory of Kubernetes *.yaml files or a single manifest file`,
        { cause: err, details: { path } },
      );
    }
    throw new ZdtError(ErrorCode.Manifest, `cannot read ${path}: ${(err as Error).message}`, { cause: err, details: { path } });
  }
  const files = isDirectory ? await manifestFiles(path) : [path];
  const texts = await Promise.all(files.map((file) => readText(file)));
  return files.flatMap((file, i) => parseManifests(texts[i] as string, file));
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

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new ZdtError(ErrorCode.Manifest, `cannot read ${file}: ${(err as Error).message}`, { cause: err, details: { file } });
  }
}

/** Parses the text of one manifest file; `file` is only used to label objects and errors. */
export function parseManifests(text: string, file: string): LoadedManifest[] {
  const lineCounter = new LineCounter();
  // merge: `<<` keys are common in hand-written manifests and kubectl's YAML 1.1 parser accepts them.
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, merge: true });
  const out: LoadedManifest[] = [];
  for (const doc of Array.isArray(docs) ? docs : []) {
    const error = doc.errors[0];
    if (error) {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      throw new ZdtError(ErrorCode.Manifest, `${file}:${line}:${col}: ${error.message}`, {
        cause: error,
        details: { file, line, col },
      });
    }
    out.push(...documentObjects(doc, file, lineCounter));
  }
  return out;
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
  if (object.kind !== 'List') return [{ object, file, line }];

  const items = object.items;
  if (!Array.isArray(items)) {
    throw new ZdtError(ErrorCode.Manifest, `${file}:${line}: List has no items array`, { details: { file, line } });
  }
  const itemNodes = isMap(contents) ? contents.get('items', true) : undefined;
  return items.map((item: unknown, i) => {
    const node = isSeq(itemNodes) ? itemNodes.items[i] : undefined;
    const itemLine = lineAt((node as { range?: [number, number, number] } | undefined)?.range?.[0], line);
    return { object: asObject(item, file, itemLine, `List item ${i}`), file, line: itemLine };
  });
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
