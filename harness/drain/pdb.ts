import type { KubeApi } from '../kube/api.ts';
import type { LabelSelector, Pod, PodDisruptionBudget } from '../kube/types.ts';

/** metav1.LabelSelector semantics: every matchLabels pair and every expression must hold. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    const inValues = has && value !== undefined && (e.values ?? []).includes(value);
    const holds =
      e.operator === 'In' ? inValues : e.operator === 'NotIn' ? !inValues : e.operator === 'Exists' ? has : e.operator === 'DoesNotExist' ? !has : false;
    if (!holds) return false;
  }
  return true;
}

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
    .filter((p) => p.spec?.selector !== undefined && selectorMatches(p.spec.selector, labels))
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
