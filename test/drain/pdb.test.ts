import { expect } from 'chai';
import { pdbNameFromCauses, pdbsForPod } from '../../harness/drain/pdb.ts';
import { FakeKubeApi, makePdb, makePod, statuses } from '../fakes/kube.ts';

describe('drain/pdb', () => {
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
