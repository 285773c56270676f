import { access, constants, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { execFile } from '../cluster/exec.ts';
import { cachedBinary, setupCommand } from '../cluster/paths.ts';
import { ErrorCode, ZdtError } from '../errors.ts';

/** The tool that turns a directory into manifests, by the file that marks it, as the tools themselves look for it. */
export type Renderer = 'helm template' | 'kubectl kustomize';

/** What a chart is rendered with, as `helm template` takes it. */
export interface RenderOptions {
  /** Values files, in order (`helm template -f FILE`); later ones win, as in Helm. */
  readonly values?: readonly string[];
  /** `--set key=value` entries, in order, applied after the values files. */
  readonly set?: readonly string[];
  /** `--set-string key=value`: the value stays a string ("true", "0123"). */
  readonly setString?: readonly string[];
  /** `--set-file key=path`: the value is the file's contents. */
  readonly setFile?: readonly string[];
  /** `--set-json key=json`: the value is parsed as JSON (lists, objects). */
  readonly setJson?: readonly string[];
  /** The release name the templates see as `.Release.Name` (default "zdt"). */
  readonly releaseName?: string;
  readonly signal?: AbortSignal;
}

/**
 * Helm's value-setting flags by RenderOptions field. Helm merges them in its own fixed order
 * whatever the order on the command line (values files, --set-json, --set, --set-string,
 * --set-file: helm.sh/helm/v3/pkg/cli/values.Options.MergeValues), each kind in its given order.
 */
export const HELM_SET_FLAGS = { setJson: '--set-json', set: '--set', setString: '--set-string', setFile: '--set-file' } as const;

/** Kubernetes version the chart is rendered for (`.Capabilities.KubeVersion`); without it `helm template` assumes v1.20. Matches scripts/offline/lib.sh. */
export const RENDER_KUBE_VERSION = 'v1.34.4';

/** File names kustomize accepts for a kustomization, in the order it looks for them (sigs.k8s.io/kustomize/api/konfig). */
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

const exists = (path: string) =>
  stat(path).then(
    (s) => s.isFile(),
    () => false,
  );

/** 'helm template' for a directory holding Chart.yaml, 'kubectl kustomize' for one holding a kustomization, else undefined (plain YAML). */
export async function rendererOf(path: string): Promise<Renderer | undefined> {
  if (!(await stat(path).then((s) => s.isDirectory(), () => false))) return undefined;
  if (await exists(join(path, 'Chart.yaml'))) return 'helm template';
  return (await kustomizationFile(path)) === undefined ? undefined : 'kubectl kustomize';
}

/** The kustomization file of a directory, as kustomize looks for it, or undefined. */
export async function kustomizationFile(dir: string): Promise<string | undefined> {
  for (const name of KUSTOMIZATION_FILES) if (await exists(join(dir, name))) return join(dir, name);
  return undefined;
}

/**
 * The tool's path: the first on PATH, else the one `scripts/offline/setup.sh` built into
 * ~/.cache/zdt/bin; ZDT_MANIFEST naming the setup command when neither exists.
 */
export async function findTool(name: 'helm' | 'kubectl', env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const candidates = [...(env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name)), cachedBinary(name, env)];
  for (const candidate of candidates) {
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  throw new ZdtError(ErrorCode.Manifest, `${name} not found on PATH or in ${cachedBinary(name, env)}: run \`${setupCommand()}\` (builds it there), or install ${name}`, {
    details: { tool: name },
  });
}

/**
 * Renders `dir` with `renderer` and returns the YAML stream it printed. Helm renders with the
 * release name, values files and --set* entries of `options`, for RENDER_KUBE_VERSION; values
 * are refused for kustomize, which has none. A render that fails is ZDT_MANIFEST with the
 * tool's own message.
 */
export async function render(dir: string, renderer: Renderer, options: RenderOptions = {}): Promise<string> {
  const values = options.values ?? [];
  const sets = Object.entries(HELM_SET_FLAGS).flatMap(([field, flag]) => (options[field as keyof typeof HELM_SET_FLAGS] ?? []).map((value) => [flag, value]));
  if (renderer === 'kubectl kustomize' && values.length + sets.length > 0) {
    throw new ZdtError(ErrorCode.InvalidOption, `${dir} is a kustomization: --values and --set apply to Helm charts only (put the change in an overlay)`, {
      details: { option: values.length > 0 ? '--values' : sets[0]![0] },
    });
  }
  for (const file of values) {
    const why = await stat(file).then((s) => (s.isFile() ? undefined : 'not a file'), () => 'no such file');
    if (why) throw new ZdtError(ErrorCode.InvalidOption, `--values ${file}: ${why}`, { details: { option: '--values', value: file } });
  }
  const args =
    renderer === 'helm template'
      ? // Test hooks (`helm test` Pods) are not part of the release that serves traffic.
        ['template', options.releaseName ?? 'zdt', dir, '--kube-version', RENDER_KUBE_VERSION, '--skip-tests', ...values.flatMap((f) => ['--values', f]), ...sets.flat()]
      : ['kustomize', dir];
  const tool = await findTool(renderer === 'helm template' ? 'helm' : 'kubectl');
  try {
    return (await execFile(tool, args, { code: ErrorCode.Manifest, signal: options.signal })).stdout;
  } catch (err) {
    if ((err as ZdtError).code !== ErrorCode.Manifest) throw err;
    // Helm's hint names its own --debug flag, which zdt does not have.
    const said = (err as Error).message.split('\n').slice(1).filter((l) => !l.startsWith('Use --debug flag')).join('\n').trim();
    throw new ZdtError(ErrorCode.Manifest, `${renderer} ${dir} failed:\n${said}`, { cause: err, details: { dir, renderer } });
  }
}

/**
 * Where an object or finding is, as messages print it: "a.yaml:12", or for a rendered one
 * "chart/templates/api.yaml (line 1 of what helm template rendered from it)", since its line
 * is in the tool's output, not in the template.
 */
export const placeOf = ({ file, line, rendered }: { readonly file: string; readonly line: number; readonly rendered?: Renderer }): string =>
  rendered ? `${file} (line ${line} of what ${rendered} rendered from it)` : `${file}:${line}`;

/** Helm's `# Source: <chart>/templates/x.yaml` line before each rendered document. */
const SOURCE_LINE = /^# Source: (.+)$/;

/**
 * Where each line of a `helm template` stream came from: for every 1-based line, the template
 * file (relative to the chart directory's parent, as Helm prints it: `<chart name>/templates/…`)
 * and the line within that template's output. Lines before any `# Source:` map to undefined.
 */
export function helmSources(text: string): (line: number) => { template: string; line: number } | undefined {
  const starts: { line: number; template: string }[] = [];
  text.split('\n').forEach((l, i) => {
    const m = SOURCE_LINE.exec(l.trimEnd());
    if (m) starts.push({ line: i + 1, template: m[1]! });
  });
  return (line) => {
    let found: (typeof starts)[number] | undefined;
    for (const s of starts) if (s.line <= line) found = s;
    return found && { template: found.template, line: line - found.line };
  };
}
