export { lintDirectory, lintManifests, type LintOptions } from './lint.ts';
export { formatJson, formatSarif, formatText, summarize, SARIF_SCHEMA, type LintSummary, type SarifOptions } from './format.ts';
export { defaultRules } from './rules/index.ts';
export type { LintContext, PodSource } from './context.ts';
export type { Finding, Rule, Severity } from './types.ts';
