import type { PodDisruptionBudget } from '../../kube/types.ts';
import { namespaceOf } from '../../manifests/workloads.ts';
import { finding } from '../context.ts';
import type { Rule } from '../types.ts';

export const pdbUnmatched: Rule = {
  id: 'pdb-unmatched',
  severity: 'warning',
  description: 'A PodDisruptionBudget selects no pod template in these manifests, so it protects nothing they create.',
  help: "Make the PDB's spec.selector (and namespace) match the labels of the workload's pod template.",
  check(ctx) {
    return ctx.pdbs
      .filter((pdb) => ctx.podSourcesForPdb(pdb).length === 0)
      .map((pdb) => {
        const selector = (pdb.object as PodDisruptionBudget).spec?.selector;
        return finding(
          pdbUnmatched,
          pdb,
          selector === undefined
            ? 'has no spec.selector, and a policy/v1 PDB without selector selects no pods'
            : `selector ${JSON.stringify(selector)} matches no pod template in namespace ${namespaceOf(pdb.object)}`,
          'set spec.selector.matchLabels to the pod template labels of the workload it should protect',
        );
      });
  },
};
