import type { KubeApi } from '../kube/api.ts';
import type { Pod, PodDisruptionBudget } from '../kube/types.ts';
import { matchesSelector } from '../manifests/select.ts';

/**
 * Names of the PodDisruptionBudgets whose selector selects the pod (same namespace). A PDB
 * without selector selects nothing; an empty selector selects every pod (policy/v1).
 */
export async function pdbsForPod(api: KubeApi, pod: Pod, signal?: AbortSignal): Promise<string[]> {
  const namespace = pod.metadata?.namespace;
  if (namespace === undefined) return [];
  const pdbs = await api.list<PodDisruptionBudget>({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', namespace }, {}, signal);
  const labels = pod.metadata?.labels ?? {};
  return pdbs
    .filter((p) => p.spec?.selector !== undefined && matchesSelector(labels, p.spec.selector))
    .map((p) => p.metadata?.name ?? '')
    .sort();
}

/** The PDB named by a 429's Status causes ("The disruption budget nginx-pdb needs 2 healthy pods ..."). */
export function pdbNameFromCauses(causes: unknown): string | undefined {
  if (!Array.isArray(causes)) return undefined;
  for (const c of causes as { reason?: unknown; message?: unknown }[]) {
    if (c.reason !== 'DisruptionBudget' || typeof c.message !== 'string') continue;
    const m = /^The disruption budget (\S+)/.exec(c.message);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * Why a PodDisruptionBudget allows no eviction now, in the cluster's words: its status
 * (`disruptionsAllowed`, healthy vs desired) and, for the pods it covers that are not ready,
 * the reason: a Pending pod's PodScheduled message from the scheduler (node affinity,
 * anti-affinity, taints, insufficient resources), or a failing container's state.
 */
export async function explainBudget(api: KubeApi, namespace: string, name: string, signal?: AbortSignal): Promise<string> {
  const pdb = await api.get<PodDisruptionBudget>({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', namespace, name }, signal);
  if (!pdb) return `PodDisruptionBudget ${name} no longer exists`;
  const st = pdb.status ?? {};
  const head = `PodDisruptionBudget ${name}: ${st.disruptionsAllowed ?? 0} disruptions allowed (${st.currentHealthy ?? 0} healthy of ${st.desiredHealthy ?? 0} needed, ${st.expectedPods ?? 0} expected)`;
  const selector = pdb.spec?.selector;
  if (selector === undefined) return head;
  const pods = (await api.list<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace }, {}, signal)).filter((p) => matchesSelector(p.metadata?.labels ?? {}, selector));
  const why = pods.flatMap((p) => {
    const problem = notReadyBecause(p);
    return problem ? [`pod ${p.metadata?.name} ${problem}`] : [];
  });
  if (why.length > 0) return `${head}; not healthy: ${why.join('; ')}`;
  return `${head}; every covered pod is healthy, so the budget itself leaves no room (minAvailable/maxUnavailable against the replica count)`;
}

function notReadyBecause(pod: Pod): string | undefined {
  if (pod.metadata?.deletionTimestamp) return 'is terminating';
  const conditions = pod.status?.conditions ?? [];
  const scheduled = conditions.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') return `is Pending, not scheduled: ${scheduled.message ?? scheduled.reason ?? 'no reason given'}`;
  if (conditions.find((c) => c.type === 'Ready')?.status === 'True') return undefined;
  const waiting = pod.status?.containerStatuses?.find((c) => c.state?.waiting)?.state?.waiting;
  if (waiting) return `is not ready: ${waiting.reason ?? 'waiting'}${waiting.message ? ` (${waiting.message})` : ''}`;
  return `is not ready (phase ${pod.status?.phase ?? 'unknown'})`;
}
