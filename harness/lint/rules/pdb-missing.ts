import { finding } from '../context.ts';
import type { Rule } from '../types.ts';

export const pdbMissing: Rule = {
  id: 'pdb-missing',
  severity: 'error',
  description: 'A multi-replica workload behind a Service has no PodDisruptionBudget, so a drain may evict all its pods at once.',
  help: 'Add a policy/v1 PodDisruptionBudget whose selector matches the pod template labels, e.g. with maxUnavailable: 1.',
  check(ctx) {
    // A DaemonSet (replicas undefined) needs none: drains skip its pods. A bare Pod counts as 1.
    return ctx.workloads
      .filter((w) => (w.replicas ?? 0) >= 2 && ctx.servicesFor(w).length > 0 && ctx.pdbsFor(w).length === 0)
      .map((w) =>
        finding(
          pdbMissing,
          w.manifest,
          `${w.replicas} replicas behind a Service but no PodDisruptionBudget covers them; a drain may evict them all together`,
          `add a PodDisruptionBudget with maxUnavailable: 1 and selector.matchLabels ${JSON.stringify(w.labels ?? {})}`,
        ),
      );
  },
};
