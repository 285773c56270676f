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
