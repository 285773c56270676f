import { finding } from '../context.ts';
import type { Rule } from '../types.ts';

export const replicasTooFew: Rule = {
  id: 'replicas-too-few',
  severity: 'error',
  description: 'A workload runs fewer than 2 replicas (1 when unset), so draining its node leaves nothing serving.',
  help: 'Set spec.replicas to 2 or more, and spread the replicas across nodes.',
  check(ctx) {
    // A DaemonSet runs one pod per node and drains skip it; a bare Pod has no spec.replicas
    // and is pod-without-controller's finding.
    return ctx.workloads
      .filter((w) => w.controlled && w.replicas !== undefined && w.replicas < 2)
      .map((w) =>
        finding(
          replicasTooFew,
          w.manifest,
          w.autoscaler
            ? `${w.replicas} replica(s) at the floor of HorizontalPodAutoscaler ${w.autoscaler.object.metadata?.name} (minReplicas); scaled down there, a drain of its node leaves none of its pods serving`
            : `${w.replicas} replica(s); a drain of its node leaves none of its pods serving`,
          w.autoscaler ? `set minReplicas: 2 (or more) in HorizontalPodAutoscaler ${w.autoscaler.object.metadata?.name}` : 'set spec.replicas: 2 (or more)',
        ),
      );
  },
};
