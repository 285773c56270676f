import { finding } from '../context.ts';
import type { Rule } from '../types.ts';

export const pdbOverlap: Rule = {
  id: 'pdb-overlap',
  severity: 'error',
  description: 'Several PodDisruptionBudgets select the same pods; the eviction API then answers 500 and drains cannot evict them.',
  help: 'Keep exactly one PodDisruptionBudget per set of pods; narrow or merge the overlapping selectors.',
  check(ctx) {
    return ctx.workloads.flatMap((w) => {
      const pdbs = ctx.pdbsFor(w);
      if (pdbs.length < 2) return [];
      const names = pdbs.map((pdb) => pdb.object.metadata?.name).join(', ');
      return [
        finding(
          pdbOverlap,
          w.manifest,
          `pods are selected by ${pdbs.length} PodDisruptionBudgets (${names}); eviction fails with 500 for pods under more than one`,
          'delete or narrow the selectors until one PodDisruptionBudget matches these pods',
        ),
      ];
    });
  },
};
