import type { PodDisruptionBudget } from '../../kube/types.ts';
import { finding } from '../context.ts';
import { scaled } from '../intstr.ts';
import type { Rule } from '../types.ts';

/** Evictions the PDB allows with every pod healthy; undefined when a value is invalid. */
function disruptionsAllowed(spec: PodDisruptionBudget['spec'], total: number): number | undefined {
  // The controller reads maxUnavailable first; validation forbids setting both. It rounds
  // percentages UP for both fields.
  if (spec?.maxUnavailable !== undefined) {
    const maxUnavailable = scaled(spec.maxUnavailable, total, 'up');
    return maxUnavailable === undefined ? undefined : Math.min(total, maxUnavailable);
  }
  if (spec?.minAvailable !== undefined) {
    const minAvailable = scaled(spec.minAvailable, total, 'up');
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
      // Drains skip DaemonSet pods (replicas undefined), so only counted pods matter here.
      const covered = ctx.podSourcesForPdb(pdb).filter((w) => w.serving && w.replicas !== undefined);
      const total = covered.reduce((sum, w) => sum + (w.replicas ?? 0), 0);
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
