import type { Renderer } from '../manifests/render.ts';
import type { LoadedManifest } from '../manifests/load.ts';
import type { LintContext } from './context.ts';

export type Severity = 'error' | 'warning';

/** One problem in one object, located at the object's document in its source file. */
export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  /** Kind/namespace/name, e.g. `Deployment/default/web`. */
  object: string;
  /** The manifest file, or for a rendered object its Helm template or kustomization directory. */
  file: string;
  /** 1-based; for a rendered object, the line within what `rendered` printed for `file`. */
  line: number;
  /** The tool that rendered the object, when one did. */
  rendered?: Renderer;
  /** One-line change to the manifest that clears the finding. */
  fix: string;
}

export interface Rule {
  /** Stable kebab-case id, shown in every output format and used to select rules. */
  id: string;
  severity: Severity;
  /** One sentence: what the rule flags and why it costs requests or blocks drains. */
  description: string;
  /** How to fix, independent of any one object (SARIF `help`). */
  help: string;
  check(ctx: LintContext): Finding[];
}
