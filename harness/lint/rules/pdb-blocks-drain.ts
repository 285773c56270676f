import type { PodDisruptionBudget } from '../../kube/types.ts';
import { finding } from '../context.ts';
import type { Rule } from '../types.ts';

/**
 * An int-or-percent scaled against `total`. The disruption controller rounds percentages
 * UP for both minAvailable and maxUnavailable (intstr.GetScaledValueFromIntOrPercent with
 * roundUp=true). Undefined for a string that is not a percentage, which the API rejects.
 */
function scaled(value: number | string, total: number): number | undefined {
  if (typeof value === 'number') return value;
  const percent = /^(\d+)%$/.exec(value)?.[1];
  return percent === undefined ? undefined : Math.ceil((Number(percent) * total) / 100);
}

/** Evictions the PDB allows with every pod healthy; undefined when a value is invalid. */
function disruptionsAllowed(spec: PodDisruptionBudget['spec'], total: number): number | undefined {
  // The controller reads maxUnavailable first; validation forbids setting both.
  if (spec?.maxUnavailable !== undefined) {
    const maxUnavailable = scaled(spec.maxUnavailable, total);
    return maxUnavailable === undefined ? undefined : Math.min(total, maxUnavailable);
  }
  if (spec?.minAvailable !== undefined) {
    const minAvailable = scaled(spec.minAvailable, total);
    return minAvailable === undefined ? undefined : Math.max(0, total - minAvailable);
  }
  return total;
}

export const pdbBlocksDrain: Rule = {
  id: 'pdb-blocks-drain',
  severity: 'error',
  description: 'A PodDisruptionBudget allows no disruption even with every pod ready, so every drain of a node running its pods hangs.',
  help: 'Use maxUnavailable: 1 (or minAvailable below the replica count) so one pod at a time can be evicted.',
  check(ctx) {
    return ctx.pdbs.flatMap((pdb) => {
      const covered = ctx.workloads.filter((w) => ctx.pdbsFor(w).includes(pdb));
      const total = covered.reduce((sum, w) => sum + w.replicas, 0);
      if (total === 0) return [];
      const spec = (pdb.object as PodDisruptionBudget).spec;
      if (disruptionsAllowed(spec, total) !== 0) return [];
      const setting =
        spec?.maxUnavailable !== undefined ? `maxUnavailable ${spec.maxUnavailable}` : `minAvailable ${spec?.minAvailable}`;
      return [
        finding(
          pdbBlocksDrain,
          pdb,
          `${setting} over ${total} replica(s) (${covered.map((w) => w.ref).join(', ')}) allows 0 disruptions; every drain blocks`,
          total >= 2 ? 'set maxUnavailable: 1 instead' : 'raise the workload to 2+ replicas and set maxUnavailable: 1',
        ),
      ];
    });
  },
};
