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
  file: string;
  line: number;
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
