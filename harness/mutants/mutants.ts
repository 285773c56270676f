/**
 * Known-bad twins of the user's own manifests: each mutant takes away one thing zero-downtime
 * maintenance depends on (the defects of the series' four parts), so a run that goes red on it
 * shows the harness can see that defect in this app, on this cluster. `zdt verify --mutants`
 * runs them; the suites' hand-made twins are the same idea for the bundled example.
 */
import type { Container, PodSpec } from '../kube/types.ts';
import { preStopDelaySeconds } from '../lint/pod.ts';
import type { LoadedManifest } from '../manifests/load.ts';
import { podSources, type PodSource } from '../manifests/workloads.ts';

export const MUTANT_NAMES = ['no-prestop', 'no-pdb', 'no-readiness-probe', 'short-grace', 'one-replica'] as const;
export type MutantName = (typeof MUTANT_NAMES)[number];

/** The grace period short-grace sets: the smallest a pod may have short of being killed without a stop signal (0). */
export const SHORT_GRACE_SECONDS = 1;

export interface Mutant {
  readonly name: MutantName;
  /** What the twin lacks, as the report says it: "no preStop hook on Deployment/default/web". */
  readonly change: string;
  /** Why a run may rightly not go red on it, said when it passed. */
  readonly ifMissed: string;
  readonly manifests: LoadedManifest[];
}

/** A mutant that does not apply: the manifests have nothing it could take away. */
export interface NotApplicable {
  readonly name: MutantName;
  readonly reason: string;
}

/**
 * Every mutant of `manifests`, in MUTANT_NAMES order: the ones that apply as twins (each a deep
 * copy with one change to every serving workload), the others with why not. Pure.
 */
export function deriveMutants(manifests: readonly LoadedManifest[]): { mutants: Mutant[]; notApplicable: NotApplicable[] } {
  const mutants: Mutant[] = [];
  const notApplicable: NotApplicable[] = [];
  for (const name of MUTANT_NAMES) {
    const copy = structuredClone(manifests) as LoadedManifest[];
    const outcome = MUTATIONS[name](copy, podSources(copy).filter((s) => s.serving));
    if (typeof outcome === 'string') notApplicable.push({ name, reason: outcome });
    else mutants.push({ name, ...outcome });
  }
  return { mutants, notApplicable };
}

/** Changes `copy` in place and says what it did, or returns why it does not apply. */
type Mutation = (copy: LoadedManifest[], serving: readonly PodSource[]) => Omit<Mutant, 'name'> | string;

const containersOf = (sources: readonly PodSource[]): { source: PodSource; container: Container }[] =>
  sources.flatMap((source) => (source.spec?.containers ?? []).map((container) => ({ source, container })));

const refs = (sources: Iterable<PodSource>): string => [...new Set([...sources].map((s) => s.ref))].join(', ');

const MUTATIONS: Record<MutantName, Mutation> = {
  'no-prestop': (copy, serving) => {
    const hooked = containersOf(serving).filter(({ container }) => container.lifecycle?.preStop);
    if (hooked.length === 0) return 'no serving container has a preStop hook';
    for (const { container } of hooked) {
      delete container.lifecycle!.preStop;
      if (Object.keys(container.lifecycle!).length === 0) delete container.lifecycle;
    }
    return {
      change: `no preStop hook on ${refs(hooked.map((h) => h.source))}`,
      ifMissed: 'nothing failed without the preStop delay: the app kept serving after its stop signal until kube-proxy stopped routing to it, or the run sent too few new connections to meet the gap',
      manifests: copy,
    };
  },
  'no-pdb': (copy) => {
    const kept = copy.filter((m) => m.object.kind !== 'PodDisruptionBudget');
    if (kept.length === copy.length) return 'the manifests have no PodDisruptionBudget';
    return {
      change: `no PodDisruptionBudget (${copy.length - kept.length} removed)`,
      ifMissed: 'nothing failed without the PDB: replacement pods became ready before the evicted ones stopped serving (they start faster than the preStop delay), so evicting them all at once left no gap',
      manifests: kept,
    };
  },
  'no-readiness-probe': (copy, serving) => {
    const probed = containersOf(serving).filter(({ container }) => container.readinessProbe);
    if (probed.length === 0) return 'no serving container has a readiness probe';
    for (const { container } of probed) delete container.readinessProbe;
    return {
      change: `no readiness probe on ${refs(probed.map((p) => p.source))}`,
      ifMissed: 'nothing failed without the readiness probe: the app serves as soon as its container runs, so a new pod took traffic no earlier than it could answer',
      manifests: copy,
    };
  },
  'short-grace': (copy, serving) => {
    const delayed = serving.filter((s) => (s.spec?.containers ?? []).some((c) => (preStopDelaySeconds(c) ?? 0) > SHORT_GRACE_SECONDS));
    if (delayed.length === 0) return `no serving workload has a preStop delay longer than ${SHORT_GRACE_SECONDS} s to cut short`;
    for (const s of delayed) (s.spec as PodSpec).terminationGracePeriodSeconds = SHORT_GRACE_SECONDS;
    return {
      change: `terminationGracePeriodSeconds ${SHORT_GRACE_SECONDS} on ${refs(delayed)}, shorter than its preStop delay`,
      ifMissed: `nothing failed when the kubelet cut the preStop delay short after ${SHORT_GRACE_SECONDS} s (and killed the container 2 s later): routing in this cluster caught up faster than that, so the delay configured is longer than this cluster needs (a production cluster may need all of it)`,
      manifests: copy,
    };
  },
  'one-replica': (copy, serving) => {
    const scaled = serving.filter((s) => s.controlled && s.replicas !== undefined && s.replicas > 1);
    if (scaled.length === 0) return 'no serving workload runs more than one replica';
    const names = new Set(scaled.map((s) => s.ref));
    for (const s of scaled) {
      if (s.autoscaler) (s.autoscaler.object.spec as { minReplicas?: number }).minReplicas = 1;
      else (s.manifest.object.spec as { replicas?: number }).replicas = 1;
    }
    return {
      change: `one replica of ${[...names].join(', ')}`,
      ifMissed: 'nothing failed with one replica: its replacement became ready before it stopped serving (maxSurge), and no PDB blocked the drain',
      manifests: copy,
    };
  },
};
