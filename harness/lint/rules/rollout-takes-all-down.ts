import type { Deployment } from '../../kube/types.ts';
import { rolloutEffect, type PodSource } from '../../manifests/workloads.ts';
import { finding } from '../context.ts';
import { scaled } from '../intstr.ts';
import type { Rule } from '../types.ts';

type IntOrPercent = number | string;
interface UpdateStrategySpec {
  updateStrategy?: { type?: string; rollingUpdate?: { partition?: number; maxUnavailable?: IntOrPercent } };
}

/** How an update of `source` running `replicas` pods can stop them all at once, with the fix; undefined when it cannot. */
function allDownOnUpdate(source: PodSource, replicas: number | undefined): { how: string; fix: string } | undefined {
  // Bare Pods, ReplicaSets and OnDelete workloads keep their pods when the template changes.
  if (rolloutEffect(source) !== 'replaces-pods' || replicas === 0) return undefined;
  const n = replicas ?? 0; // only a DaemonSet has none, and its case does not count
  switch (source.kind) {
    case 'Deployment': {
      const strategy = (source.manifest.object as Deployment).spec?.strategy;
      const fix = 'set spec.strategy.type: RollingUpdate with rollingUpdate.maxUnavailable: 0 and maxSurge: 1';
      if (strategy?.type === 'Recreate') return { how: 'strategy Recreate stops every pod before it starts a new one', fix };
      // ResolveFenceposts: maxSurge rounds up, maxUnavailable down, and 0/0 becomes 0/1.
      const maxUnavailable = strategy?.rollingUpdate?.maxUnavailable ?? '25%';
      const surge = scaled(strategy?.rollingUpdate?.maxSurge ?? '25%', n, 'up');
      const unavailable = scaled(maxUnavailable, n, 'down');
      if (surge === undefined || unavailable === undefined) return undefined;
      if ((surge === 0 && unavailable === 0 ? 1 : unavailable) < n) return undefined;
      return { how: `rollingUpdate.maxUnavailable ${maxUnavailable} lets every pod stop before a new one is ready`, fix };
    }
    case 'StatefulSet': {
      const rolling = (source.manifest.object.spec as UpdateStrategySpec | undefined)?.updateStrategy?.rollingUpdate;
      if ((rolling?.partition ?? 0) > 0) return undefined; // ordinals below the partition keep their pods
      // getStatefulSetMaxUnavailable: default 1, percentages round down, at least 1. A pod is
      // deleted before its replacement is created.
      const unavailable = scaled(rolling?.maxUnavailable ?? 1, n, 'down');
      if (unavailable === undefined || Math.max(1, unavailable) < n) return undefined;
      return {
        how: `updateStrategy.rollingUpdate.maxUnavailable ${rolling?.maxUnavailable ?? 1} lets every pod be deleted at once`,
        fix: 'set spec.updateStrategy.rollingUpdate.maxUnavailable: 1 (and spec.replicas: 2 or more)',
      };
    }
    case 'DaemonSet': {
      // Scaled against the node count, rounding up: only 100% stops every node's pod whatever the count.
      const maxUnavailable = (source.manifest.object.spec as UpdateStrategySpec | undefined)?.updateStrategy?.rollingUpdate?.maxUnavailable;
      if (maxUnavailable !== '100%') return undefined;
      return { how: 'updateStrategy.rollingUpdate.maxUnavailable 100% stops the pod on every node at once', fix: 'set spec.updateStrategy.rollingUpdate.maxUnavailable: 1' };
    }
    default:
      return undefined;
  }
}

export const rolloutTakesAllDown: Rule = {
  id: 'rollout-takes-all-down',
  severity: 'error',
  description:
    'An update (one kubectl apply) can stop every pod behind a Service at once: a Recreate strategy, a maxUnavailable that reaches all replicas, or several one-pod workloads behind one Service that restart together. PodDisruptionBudgets do not pace rollouts.',
  help: 'Roll one pod at a time with a spare: Deployment RollingUpdate with maxUnavailable: 0 and maxSurge: 1; several replicas of one workload rather than one-pod workloads side by side.',
  check(ctx) {
    // Judged at 2 replicas when fewer are set: a single replica is replicas-too-few's finding,
    // so a finding here is one that raising spec.replicas alone does not cure.
    const flagged = new Map(
      ctx.workloads.flatMap((w) => {
        const outage = allDownOnUpdate(w, w.replicas === undefined || w.replicas === 0 ? w.replicas : Math.max(2, w.replicas));
        return outage === undefined ? [] : [[w, outage] as const];
      }),
    );
    const workloadFindings = [...flagged].map(([w, { how, fix }]) => finding(rolloutTakesAllDown, w.manifest, `${how}; every rollout is an outage`, fix));

    // Several backends that each go fully down in an update restart together when one apply
    // changes them all, leaving the Service with no endpoint, even though each alone looks
    // like replicas-too-few's problem.
    const serviceFindings = ctx.services.flatMap((service) => {
      const backends = ctx.podSourcesForService(service).filter((s) => s.serving && s.replicas !== 0);
      if (backends.length < 2 || backends.every((b) => flagged.has(b))) return [];
      if (!backends.every((b) => allDownOnUpdate(b, b.replicas) !== undefined)) return [];
      return [
        finding(
          rolloutTakesAllDown,
          service,
          `every backend (${backends.map((b) => b.ref).join(', ')}) stops all its pods in an update, so one kubectl apply that changes them together leaves no endpoint; a PodDisruptionBudget does not pace rollouts`,
          `serve from one workload with spec.replicas: 2 or more (e.g. one ${backends[0]?.kind} instead of ${backends.length}), or apply changes to one backend at a time`,
        ),
      ];
    });
    return [...workloadFindings, ...serviceFindings];
  },
};
