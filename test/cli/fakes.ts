import type { ClusterOptions } from '../../harness/cluster/cluster.ts';
import type { Io, Output } from '../../harness/cli/io.ts';
import type { Leftovers } from '../../harness/cli/leftovers.ts';
import { runCli } from '../../harness/cli/program.ts';
import type { VerifyDeps } from '../../harness/cli/session.ts';
import type { ScenarioOptions, ScenarioResult } from '../../harness/scenario/types.ts';
import { buildReport, type Report } from '../../harness/verdict/report.ts';
import { drainStory, makeLog, T0_WALL } from '../verdict/fixtures.ts';

export interface Captured extends Output {
  text: string;
}

const capture = (): Captured => {
  const out = { text: '', write: (s: string) => void (out.text += s) };
  return out;
};

/** A report as runScenario would build it: pass, fail (failed requests), or inconclusive (nothing sent). */
export function report(scenario: string, verdict: 'pass' | 'fail' | 'inconclusive', completed = true): Report {
  const story = verdict === 'inconclusive' ? { log: makeLog([]), timeline: [] } : drainStory({ failures: verdict === 'fail' });
  return buildReport({ ...story, scenario, t0Wall: T0_WALL, maintenance: { completed } });
}

export const result = (r: Report): ScenarioResult => ({
  report: r,
  namespace: `${r.scenario}-x1`,
  exposures: [{ of: 'web', service: 'web', nodePort: 30080, created: false, url: 'http://127.0.0.1:30080/' }],
  drains: [],
  finalPods: [],
});

/** What a scenario run does: return a result, throw, or anything else (wait for the signal). */
export type Behaviour = (options: ScenarioOptions) => Promise<ScenarioResult>;

export interface FakeCluster extends VerifyDeps {
  readonly started: ClusterOptions[];
  readonly ran: ScenarioOptions[];
  deleted: number;
}

/** Scenario runs answer by name (default: pass); startCluster may be made to fail. */
export function fakeCluster(behaviours: Record<string, Behaviour> = {}, startError?: Error): FakeCluster {
  const fake: FakeCluster = {
    started: [],
    ran: [],
    deleted: 0,
    async startCluster(options) {
      fake.started.push(options);
      if (startError) throw startError;
      return {
        name: 'zdt',
        deletesCluster: true,
        runScenario: async (options) => {
          fake.ran.push(options);
          return (behaviours[options.name] ?? (async (o) => result(report(o.name, 'pass'))))(options);
        },
        delete: async () => void fake.deleted++,
      };
    },
  };
  return fake;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process against a fake cluster; `controller` stands in for SIGINT. */
export async function cli(argv: string[], deps: VerifyDeps = fakeCluster(), controller = new AbortController(), leftovers?: Leftovers): Promise<CliRun> {
  const stdout = capture();
  const stderr = capture();
  const io: Io = { stdout, stderr, env: {}, signal: controller.signal, leftovers };
  const code = await runCli(argv, io, deps);
  return { code, stdout: stdout.text, stderr: stderr.text };
}
