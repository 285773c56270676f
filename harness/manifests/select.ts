import type { LabelSelector } from '../kube/types.ts';

/**
 * Kubernetes label-selector semantics (metav1.LabelSelector): matchLabels AND every
 * matchExpression; an empty selector matches everything. An unknown operator matches
 * nothing, as the API server would have rejected the selector. Callers decide what an
 * absent selector means (for a policy/v1 PDB it selects no pods).
 */
export function matchesSelector(labels: Record<string, string> | undefined, selector: LabelSelector): boolean {
  const have = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (have[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const present = Object.hasOwn(have, key);
    switch (operator) {
      case 'In':
        if (!present || !values.includes(have[key] as string)) return false;
        break;
      case 'NotIn':
        // NotIn also matches objects without the key, as in k8s.io/apimachinery/pkg/labels.
        if (present && values.includes(have[key] as string)) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * Service selector semantics: every key/value must match. A Service without a selector
 * (absent or empty) selects no pods; its endpoints are managed by hand.
 */
export function matchesServiceSelector(labels: Record<string, string> | undefined, selector: Record<string, string> | undefined): boolean {
  if (selector === undefined || Object.keys(selector).length === 0) return false;
  return matchesSelector(labels, { matchLabels: selector });
}
