import { expect } from 'chai';
import { lintManifests } from '../../harness/lint/lint.ts';
import { MANIFEST_LIMITS, parseManifests } from '../../harness/manifests/load.ts';

describe('lint at the manifest limit', function () {
  // Generous for a loaded CI host.
  this.timeout(30_000);

  it(`${MANIFEST_LIMITS.maxDocuments} documents (Deployments, each with its PDB) lint in seconds: pdb-blocks-drain is no longer cubic`, () => {
    const pairs = MANIFEST_LIMITS.maxDocuments / 2;
    const text = Array.from({ length: pairs }, (_, i) => [
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w${i}}\nspec:\n  replicas: ${1 + (i % 2)}\n  template:\n    metadata: {labels: {app: w${i}}}\n    spec: {containers: [{name: a, image: a}]}\n`,
      `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: w${i}}\nspec: {minAvailable: 1, selector: {matchLabels: {app: w${i}}}}\n`,
    ]).flat().join('---\n');
    const manifests = parseManifests(text, 'many.yaml');
    const start = performance.now();
    const blocked = lintManifests(manifests).filter((f) => f.ruleId === 'pdb-blocks-drain');
    // Each PDB judged over its own Deployment only: minAvailable 1 of 1 replica blocks, of 2 does not.
    expect(blocked.map((f) => f.object)).to.deep.equal(Array.from({ length: pairs / 2 }, (_, i) => `PodDisruptionBudget/default/w${2 * i}`));
    // Cubic (every PDB x every workload x every PDB), 333 pairs took 6.6 s where the rules now take 0.1 s.
    expect(performance.now() - start).to.be.below(5000);
  });
});
