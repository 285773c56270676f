import { relative, sep } from 'node:path';
import { defaultRules } from './rules/index.ts';
import { placeOf } from '../manifests/render.ts';
import type { Finding, Rule } from './types.ts';

export interface LintSummary {
  errors: number;
  warnings: number;
}

export function summarize(findings: readonly Finding[]): LintSummary {
  const errors = findings.filter((f) => f.severity === 'error').length;
  return { errors, warnings: findings.length - errors };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Human output: one `file:line severity rule-id object: message (fix: ...)` line per
 * finding, a blank line between files, then a count. Expects findings in lintManifests order.
 */
export function formatText(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'no zero-downtime problems found\n';
  const lines: string[] = [];
  findings.forEach((f, i) => {
    if (i > 0 && findings[i - 1]?.file !== f.file) lines.push('');
    lines.push(`${placeOf(f)} ${f.severity} ${f.ruleId} ${f.object}: ${f.message} (fix: ${f.fix})`);
  });
  const { errors, warnings } = summarize(findings);
  lines.push('', `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`);
  return `${lines.join('\n')}\n`;
}

export function formatJson(findings: readonly Finding[]): string {
  return `${JSON.stringify({ summary: summarize(findings), findings }, null, 2)}\n`;
}

export interface SarifOptions {
  /**
   * Directory artifact URIs are made relative to: the scanned directory. For GitHub code
   * scanning to place results inline, pass the repository root instead.
   */
  baseDir: string;
  /** Rules listed in tool.driver.rules; the rule set the findings came from. */
  rules?: readonly Rule[];
}

export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** SARIF 2.1.0 log with one run, so CI code scanning shows findings on the manifest lines. */
export function formatSarif(findings: readonly Finding[], options: SarifOptions): string {
  const rules = options.rules ?? defaultRules;
  const index = new Map(rules.map((rule, i) => [rule.id, i]));
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'zdt',
            rules: rules.map((rule) => ({
              id: rule.id,
              shortDescription: { text: rule.description },
              help: { text: rule.help },
              defaultConfiguration: { level: rule.severity },
            })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.ruleId,
          ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
          level: f.severity,
          message: { text: `${f.object}: ${f.message} (fix: ${f.fix})` },
          locations: [
            {
              physicalLocation: {
                // SARIF URIs use forward slashes on every platform.
                artifactLocation: { uri: relative(options.baseDir, f.file).split(sep).join('/') },
                // A rendered object's line is in the tool's output, not in the template file.
                ...(f.rendered ? {} : { region: { startLine: f.line } }),
              },
            },
          ],
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
