/**
 * The handed cases (suites/manifests/cases, modelled on public bug reports): each `expect`
 * line is run through `zdt verify` as a user runs it, and the exit code must be the verdict a
 * correct tool gives (pass 0, fail 1, error 2). `lint` lines are unit tests (test/cli/lint.test.ts).
 * Where a case is also a behaviour of its own (a drain refused for bare Pods or emptyDir, two
 * StatefulSets restarting together), its report.json is checked for it here rather than in a
 * second run of the same manifests.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cause } from '../harness/verdict/causes.ts';
import type { Report } from '../harness/verdict/report.ts';
import { attachedCli, type AttachedCli } from './cli.ts';
import { expectCauses } from './scenario.ts';

const CASES = fileURLToPath(new URL('./manifests/cases', import.meta.url));
const EXIT = { pass: 0, fail: 1, error: 2 } as const;
// The cases name the scenario as the run-cases script does.
const SCENARIO: Record<string, string> = { 'drain-parallel': 'parallel-drain' };

/** The cause a case's failures must come down to, where its WHY.md names one. */
const CAUSE: Record<string, { first: Cause; also: Cause[] }> = {
  // The probe passes long before nginx listens: once the old pods quit, the Ready ones refuse.
  'readiness-not-serving': { first: 'refused-by-ready-pod', also: ['sent-after-sigterm', 'keep-alive-closed', 'stale-route'] },
};

const noEvictions = (r: Report) => expect(r.timeline.filter((e) => e.kind === 'eviction-accepted'), 'pods evicted').to.have.length(0);

/** What the report of one case run must show beyond its verdict, keyed `<case> <scenario>`. */
const CHECK: Record<string, (r: Report) => void> = {
  // kubectl's refusal: the pods and the flag that would let them through; the maintenance is
  // blocked before any pod moves, so nothing fails.
  'bare-pods-no-controller parallel-drain': (r) => {
    expect(r.maintenance?.completed).to.equal(false);
    expect(r.maintenance?.reason).to.match(/declares no controller/).and.match(/legacy-[12]/).and.contain('--force');
    noEvictions(r);
    expect(r.totals.failed).to.equal(0);
  },
  'emptydir-blocks-drain parallel-drain': (r) => {
    expect(r.maintenance?.completed).to.equal(false);
    expect(r.maintenance?.reason).to.match(/emptyDir/).and.contain('--delete-emptydir-data');
    noEvictions(r);
    expect(r.totals.failed).to.equal(0);
  },
  // One apply restarts both one-replica StatefulSets: zdt rolls each, and nothing is ready for a while.
  'sts-rollout-ignores-pdb rollout': (r) => {
    expect(r.timeline.filter((e) => e.kind === 'rollout-start').map((e) => e.subject)).to.deep.equal(['statefulset/api-blue', 'statefulset/api-green']);
    expect(r.readyEndpoints.min).to.equal(0);
    expect(r.totals.failed).to.be.greaterThan(0);
  },
};

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

  it('each report check names a case run', () => {
    expect(Object.keys(CHECK).filter((k) => !runs.some((r) => `${r.name} ${r.scenario}` === k))).to.deep.equal([]);
  });

  for (const { name, scenario, want } of runs) {
    it(`${name}: ${scenario} ${want}`, async function () {
      const r = await cli.verify([join(CASES, name), '--scenario', scenario, '--no-lint']);
      expect(r.code, r.stdout + r.stderr).to.equal(EXIT[want]);
      const reports = r.code === EXIT.error ? [] : (JSON.parse(await readFile(join(cli.dir, 'reports', 'report.json'), 'utf8')) as { reports: Report[] }).reports;
      const check = CHECK[`${name} ${scenario}`];
      if (check) {
        expect(reports, 'one report').to.have.length(1);
        check(reports[0]!);
      }
      for (const report of reports.filter((x) => x.totals.failed > 0)) {
        const cause = CAUSE[name];
        if (cause) expectCauses(report, cause.first, cause.also);
        else expect(report.causes.map((c) => c.cause), 'every failure explained').to.not.include('unexplained');
      }
    });
  }
});
