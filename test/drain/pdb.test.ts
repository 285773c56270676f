import { expect } from 'chai';
import { pdbNameFromCauses, pdbsForPod, selectorMatches } from '../../harness/drain/pdb.ts';
import { FakeKubeApi, makePdb, makePod, statuses } from '../fakes/kube.ts';

describe('drain/pdb', () => {
  it('matches label selectors like metav1.LabelSelector', () => {
    const labels = { app: 'web', tier: 'front' };
    expect(selectorMatches({ matchLabels: { app: 'web' } }, labels)).to.equal(true);
    expect(selectorMatches({ matchLabels: { app: 'db' } }, labels)).to.equal(false);
    expect(selectorMatches({}, labels)).to.equal(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'x'] }] }, labels)).to.equal(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels)).to.equal(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, labels)).to.equal(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, labels)).to.equal(false);
  });

  it('finds the PDBs of a pod in its namespace', async () => {
    const api = new FakeKubeApi([makePdb('web-pdb', 'default', { app: 'web' }), makePdb('db-pdb', 'default', { app: 'db' }), makePdb('other-ns', 'x', { app: 'web' })]);
    expect(await pdbsForPod(api, makePod('p', { node: 'n' }))).to.deep.equal(['web-pdb']);
  });

  it('reads the PDB name from a 429 cause', () => {
    expect(pdbNameFromCauses(statuses.pdbRefused('nginx-pdb').causes)).to.equal('nginx-pdb');
    expect(pdbNameFromCauses([{ reason: 'DisruptionBudget', message: 'The disruption budget web is still being processed by the server.' }])).to.equal('web');
    expect(pdbNameFromCauses([])).to.equal(undefined);
    expect(pdbNameFromCauses(undefined)).to.equal(undefined);
  });
});
