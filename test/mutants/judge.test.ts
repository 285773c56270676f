import { expect } from 'chai';
import { ErrorCode, ZdtError } from '../../harness/errors.ts';
import { formatMutants, judgeMutant, notApplicableResult, runOfError, runOfReport, type MutantRun } from '../../harness/mutants/judge.ts';
import type { Mutant } from '../../harness/mutants/mutants.ts';
import { report } from '../cli/fakes.ts';

const mutant: Mutant = { name: 'no-pdb', change: 'no PodDisruptionBudget (1 removed)', ifMissed: 'nothing failed without the PDB: fast starts', manifests: [] };
const pass = (scenario: string): MutantRun => runOfReport(report(scenario, 'pass'));

describe('mutants: judge', () => {
  it('a twin is caught when any scenario failed on it, missed (and explained) when all passed, else inconclusive', () => {
    const caught = judgeMutant(mutant, [pass('rollout'), runOfReport(report('node-replacement', 'fail'))]);
    expect(caught).to.include({ status: 'caught', explanation: null });
    expect(caught.runs[1]).to.deep.include({ scenario: 'node-replacement', verdict: 'fail', failed: 32 });
    expect(caught.runs[1]!.causes, 'why the twin went red, from its report').to.deep.equal(report('x', 'fail').causes.map(({ cause, count }) => ({ cause, count })));
    expect(caught.runs[1]!.causes).to.not.deep.equal([]);
    expect(caught.runs[0]!.causes, 'a passing run has none').to.deep.equal([]);
    expect(judgeMutant(mutant, [pass('rollout')])).to.include({ status: 'missed', explanation: 'nothing failed without the PDB: fast starts' });
    expect(judgeMutant(mutant, [pass('rollout'), runOfReport(report('x', 'inconclusive'))]).status).to.equal('inconclusive');
    expect(judgeMutant(mutant, []).status, 'no run proves nothing').to.equal('inconclusive');
  });

  it("a missed twin's explanation ends with the largest propagation lag its runs measured", () => {
    const measured = (r: MutantRun, lag: number): MutantRun => ({ ...r, propagationLagMaxMs: lag });
    expect(pass('rollout').propagationLagMaxMs, 'a report without the measurement').to.equal(null);
    const missed = judgeMutant(mutant, [measured(pass('rollout'), 83), measured(pass('node-replacement'), 1140)]);
    expect(missed.explanation).to.equal('nothing failed without the PDB: fast starts (measured: new connections still reached a pod up to 1.14 s after its endpoint left rotation)');
    expect(judgeMutant(mutant, [measured(runOfReport(report('x', 'fail')), 83)]).explanation).to.equal(null);
  });

  it('a blocked maintenance fails the twin; another error leaves it unproven', () => {
    const blocked = runOfError('node-replacement', new ZdtError(ErrorCode.DrainBlocked, 'drain of zdt-worker blocked'), true);
    expect(blocked).to.deep.equal({ scenario: 'node-replacement', verdict: 'fail', problems: ['drain of zdt-worker blocked'], sent: 0, failed: 0, propagationLagMaxMs: null, causes: [] });
    expect(judgeMutant(mutant, [blocked]).status).to.equal('caught');
    expect(judgeMutant(mutant, [runOfError('rollout', new Error('boom'), false)]).status).to.equal('inconclusive');
  });

  it('prints how many applicable twins were caught, each with its runs and, when missed, why', () => {
    const text = formatMutants([
      judgeMutant({ ...mutant, name: 'no-prestop', change: 'no preStop hook on Deployment/default/web' }, [runOfReport(report('node-replacement', 'fail'))]),
      judgeMutant(mutant, [pass('node-replacement')]),
      notApplicableResult({ name: 'no-readiness-probe', reason: 'no serving container has a readiness probe' }),
    ]);
    expect(text.split('\n')).to.deep.equal([
      'mutants: 1 of 2 caught (1 not applicable)',
      '  caught         no-prestop         no preStop hook on Deployment/default/web',
      '      node-replacement: fail: 32 of 1000 requests failed (26 sent to a pod that had stopped serving after SIGTERM, 6 the app answered a status outside --expect-status)',
      '  missed         no-pdb             no PodDisruptionBudget (1 removed)',
      '      node-replacement: pass, 0 of 1000 requests failed',
      '      why: nothing failed without the PDB: fast starts',
      '  not-applicable no-readiness-probe no serving container has a readiness probe',
    ]);
  });
});
