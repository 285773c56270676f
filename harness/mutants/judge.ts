import { CAUSES, type Cause } from '../verdict/causes.ts';
import { ms } from '../verdict/format.ts';
import type { Report, Verdict } from '../verdict/report.ts';
import type { Mutant, MutantName, NotApplicable } from './mutants.ts';

/**
 * 'caught': some scenario failed on the twin, so a green run of the real manifests means
 * something for this defect; 'missed': every scenario passed it (the result explains why that
 * can be right); 'inconclusive': nothing failed but some run proved nothing; 'not-applicable':
 * the manifests have nothing the mutant could take away.
 */
export type MutantStatus = 'caught' | 'missed' | 'inconclusive' | 'not-applicable';

/** One scenario's run of a twin, as the verdict line says it. */
export interface MutantRun {
  readonly scenario: string;
  readonly verdict: Verdict;
  readonly problems: readonly string[];
  readonly sent: number;
  readonly failed: number;
  /** The run's measured propagation lag (Report.propagationLag.maxMs), null when not measured. */
  readonly propagationLagMaxMs: number | null;
  /** Why its requests failed (Report.causes without the fixes), most first: whether the twin went red for its own defect. Empty when none failed. */
  readonly causes: readonly { readonly cause: Cause; readonly count: number }[];
}

export interface MutantResult {
  readonly name: MutantName;
  readonly status: MutantStatus;
  /** What the twin lacked; null when not applicable. */
  readonly change: string | null;
  /** Why it was missed (a missed mutant is explained, not just listed) or why it did not apply; null when caught. */
  readonly explanation: string | null;
  readonly runs: readonly MutantRun[];
}

export const runOfReport = (r: Report): MutantRun => ({
  scenario: r.scenario,
  verdict: r.verdict,
  problems: r.problems,
  sent: r.totals.sent,
  failed: r.totals.failed,
  propagationLagMaxMs: r.propagationLag?.maxMs ?? null,
  causes: r.causes.map(({ cause, count }) => ({ cause, count })),
});

/**
 * A run that ended in an error instead of a report: `blocked` when the error is a blocked
 * maintenance (a drain that can never proceed, exit 1), which fails the twin; anything else
 * leaves it unproven.
 */
export function runOfError(scenario: string, err: unknown, blocked: boolean): MutantRun {
  const verdict: Verdict = blocked ? 'fail' : 'inconclusive';
  return { scenario, verdict, problems: [(err as Error).message ?? String(err)], sent: 0, failed: 0, propagationLagMaxMs: null, causes: [] };
}

/**
 * A twin's verdict from its runs, one per scenario. A missed twin's explanation ends with the
 * propagation lag its runs measured, the figure a delay or grace period has to outlast.
 */
export function judgeMutant(mutant: Mutant, runs: readonly MutantRun[]): MutantResult {
  const status: MutantStatus = runs.some((r) => r.verdict === 'fail') ? 'caught' : runs.length > 0 && runs.every((r) => r.verdict === 'pass') ? 'missed' : 'inconclusive';
  const lags = runs.flatMap((r) => (r.propagationLagMaxMs === null ? [] : [r.propagationLagMaxMs]));
  const measured = lags.length > 0 ? ` (measured: new connections still reached a pod up to ${ms(Math.max(...lags))} after its endpoint left rotation)` : '';
  const explanation = status === 'missed' ? `${mutant.ifMissed}${measured}` : status === 'inconclusive' ? 'no run failed, but not every run proved something (see its problems)' : null;
  return { name: mutant.name, status, change: mutant.change, explanation, runs };
}

export function notApplicableResult(n: NotApplicable): MutantResult {
  return { name: n.name, status: 'not-applicable', change: null, explanation: n.reason, runs: [] };
}

/**
 * The text block `zdt verify --mutants` prints:
 * "mutants: 4 of 5 caught" and a line per mutant with its runs (a failing one with its failures'
 * causes) and, when missed, its explanation.
 */
export function formatMutants(results: readonly MutantResult[]): string {
  const applicable = results.filter((r) => r.status !== 'not-applicable');
  const caught = applicable.filter((r) => r.status === 'caught').length;
  const lines = [`mutants: ${caught} of ${applicable.length} caught${applicable.length < results.length ? ` (${results.length - applicable.length} not applicable)` : ''}`];
  for (const r of results) {
    lines.push(`  ${r.status.padEnd(14)} ${r.name.padEnd(18)} ${r.change ?? r.explanation}`);
    for (const run of r.runs) {
      const causes = run.causes.length > 0 ? ` (${run.causes.map((c) => `${c.count} ${CAUSES[c.cause]}`).join(', ')})` : '';
      lines.push(`      ${run.scenario}: ${run.verdict === 'pass' ? `pass, 0 of ${run.sent} requests failed` : `${run.verdict}: ${run.problems.join('; ')}${causes}`}`);
    }
    if (r.change !== null && r.explanation !== null) lines.push(`      why: ${r.explanation}`);
  }
  return lines.join('\n');
}
