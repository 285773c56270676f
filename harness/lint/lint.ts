import { loadManifests, type LoadedManifest } from '../manifests/load.ts';
import type { RenderOptions } from '../manifests/render.ts';
import { buildContext } from './context.ts';
import { defaultRules } from './rules/index.ts';
import type { Finding, Rule } from './types.ts';

export interface LintOptions {
  /** Rules to run; defaults to every rule in `defaultRules`. */
  rules?: readonly Rule[];
}

/** Runs the rules over already loaded manifests; findings ordered by file, line, rule, message. */
export function lintManifests(manifests: readonly LoadedManifest[], options: LintOptions = {}): Finding[] {
  const ctx = buildContext(manifests);
  const findings = (options.rules ?? defaultRules).flatMap((rule) => rule.check(ctx));
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return findings.sort(
    (a, b) => compare(a.file, b.file) || a.line - b.line || compare(a.ruleId, b.ruleId) || compare(a.message, b.message),
  );
}

/** Loads a manifest directory (or one file, a Helm chart or a kustomization: loadManifests) and lints it; throws ZDT_MANIFEST when loading fails. */
export async function lintDirectory(path: string, options: LintOptions & { readonly render?: RenderOptions } = {}): Promise<Finding[]> {
  return lintManifests(await loadManifests(path, { render: options.render }), options);
}
