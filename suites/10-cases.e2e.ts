/**
 * The handed cases (suites/manifests/cases, modelled on public bug reports): each `expect`
 * line is run through `zdt verify` as a user runs it, and the exit code must be the verdict a
 * correct tool gives (pass 0, fail 1, error 2). `lint` lines are unit tests (test/cli/lint.test.ts).
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { attachedCli, type AttachedCli } from './cli.ts';

const CASES = fileURLToPath(new URL('./manifests/cases', import.meta.url));
const EXIT = { pass: 0, fail: 1, error: 2 } as const;
// The cases name the scenario as the run-cases script does.
const SCENARIO: Record<string, string> = { 'drain-parallel': 'parallel-drain' };

const runs = readdirSync(CASES).flatMap((name) =>
  readFileSync(join(CASES, name, 'expect'), 'utf8')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([scenario, want]) => scenario && want && !scenario.startsWith('lint'))
    .map(([scenario, want]) => ({ name, scenario: SCENARIO[scenario!] ?? scenario!, want: want as keyof typeof EXIT })),
);

describe('10. handed cases through zdt verify', function () {
  let cli: AttachedCli;
  before(async () => (cli = await attachedCli()));
  after(() => cli[Symbol.asyncDispose]());

  for (const { name, scenario, want } of runs) {
    it(`${name}: ${scenario} ${want}`, async function () {
      const r = await cli.verify([join(CASES, name), '--scenario', scenario, '--no-lint']);
      expect(r.code, r.stdout + r.stderr).to.equal(EXIT[want]);
    });
  }
});
