import type { LoadedManifest } from '../harness/manifests/load.ts';
import { runScenario } from '../harness/scenario/run.ts';
import type { Maintenance, ScenarioOptions, ScenarioResult } from '../harness/scenario/types.ts';
import { formatReport } from '../harness/verdict/format.ts';
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
