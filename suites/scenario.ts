import type { LoadedManifest } from '../harness/manifests/load.ts';
import { runScenario } from '../harness/scenario/run.ts';
import type { Maintenance, ScenarioOptions, ScenarioResult } from '../harness/scenario/types.ts';
import { expect } from 'chai';
import type { Cause } from '../harness/verdict/causes.ts';
import { formatReport } from '../harness/verdict/format.ts';
import type { Report } from '../harness/verdict/report.ts';
import { say, sharedCluster } from './hooks.ts';

/** Drain settings for the suites: kubectl's semantics, a shorter 429 back-off to keep runs brisk. */
export const SUITE_DRAIN = { retryDelayMs: 2000, timeoutMs: 120_000 } as const;

/** Runs one scenario on the shared cluster, logging its steps and its report. */
export async function scenario(
  name: string,
  manifests: LoadedManifest[],
  maintenance: Maintenance,
  extra: Partial<ScenarioOptions> = {},
): Promise<ScenarioResult> {
  const cluster = await sharedCluster();
  say(`${name}: start`);
  const result = await runScenario(cluster, {
    name,
    manifests,
    maintenance,
    drain: SUITE_DRAIN,
    onProgress: (step, message) => say(`${name}: ${step}: ${message}`),
    ...extra,
  });
  say(`${name}: ${result.report.verdict}\n${formatReport(result.report, { maxBursts: 3 }).replace(/^/gm, '        ')}`);
  return result;
}

export const timesOf = (result: ScenarioResult, kind: string) => result.report.timeline.filter((e) => e.kind === kind);

/**
 * The report's causes as cause -> count, once every failed request is shown to have one
 * ('unexplained' is none), the cause that counts most is `first`, and `first` and `also` explain
 * at least 95% of the failures. A few requests read otherwise are allowed: without knowing which
 * pod a request reached, a cause is the likeliest reading of the timeline (causes.ts).
 */
export function expectCauses(report: Report, first: Cause, also: readonly Cause[] = []): Record<string, number> {
  return expectCauseCounts({ causes: report.causes, failed: report.totals.failed }, first, also);
}

/** expectCauses for a run known by its causes and failed count only (a --mutants run). */
export function expectCauseCounts(run: { readonly causes: readonly { readonly cause: Cause; readonly count: number }[]; readonly failed: number }, first: Cause, also: readonly Cause[] = []): Record<string, number> {
  const causes = Object.fromEntries(run.causes.map((c) => [c.cause, c.count]));
  say(`causes: ${JSON.stringify(causes)}`);
  expect(run.causes.reduce((n, c) => n + c.count, 0), 'a cause per failed request').to.equal(run.failed);
  expect(causes, 'every failure explained').to.not.have.property('unexplained');
  expect(run.causes[0]?.cause, 'the main cause').to.equal(first);
  const expected = run.causes.filter((c) => c.cause === first || also.includes(c.cause)).reduce((n, c) => n + c.count, 0);
  expect(expected / run.failed, `share of failures from ${[first, ...also].join(', ')}`).to.be.at.least(0.95);
  return causes;
}

/**
 * Every request the run sent is attributed to its pod from the cluster's side (conntrack on the
 * entry node), all but a few, and wherever the bundled nginx also named itself (X-Pod-Name) both
 * name the same pod.
 */
export function expectAttribution(report: Report): void {
  const r = report.routing;
  say(`routing: ${JSON.stringify(r)}`);
  expect(r?.method, 'attributed by conntrack').to.equal('conntrack');
  expect(r!.attributed / r!.sent, 'share of sent requests attributed').to.be.at.least(0.99);
  expect(r!.compared / r!.sent, 'share of sent requests with both conntrack and the header').to.be.at.least(0.95);
  expect(r!.agreed, 'conntrack and X-Pod-Name name the same pod').to.equal(r!.compared);
}
