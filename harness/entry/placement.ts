import { ErrorCode, ZdtError } from '../errors.ts';

const CONTROL_PLANE = 'node-role.kubernetes.io/control-plane';

/**
 * Where zdt's own pods (the load pod, the Ingress controller) may run (`--load-node`): a node by name, or nodes by label (`key=value`
 * pairs, comma separated, as in `kubectl get nodes -l`); either way never on `avoid`, the nodes
 * the scenario takes away. Without a choice it prefers a control-plane node, which kind's
 * scenarios never drain.
 */
export interface LoadPlacement {
  readonly node?: string;
  readonly selector?: Readonly<Record<string, string>>;
  readonly avoid: readonly string[];
}

const SELECTOR_PAIR = /^([A-Za-z0-9][-A-Za-z0-9_./]*)=([-A-Za-z0-9_.]*)$/;

/** Parses `--load-node`: a node name, or `key=value[,key=value...]`. Throws ZDT_INVALID_OPTION naming the bad part. */
export function parseLoadNode(value: string): Pick<LoadPlacement, 'node' | 'selector'> {
  if (!value.includes('=')) {
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value)) throw badLoadNode(value, 'not a node name (lower-case letters, digits, "-" and ".")');
    return { node: value };
  }
  const selector: Record<string, string> = {};
  for (const part of value.split(',')) {
    const m = SELECTOR_PAIR.exec(part.trim());
    if (!m) throw badLoadNode(value, `"${part}" is not key=value (set-based selectors and != are not supported)`);
    selector[m[1]!] = m[2]!;
  }
  return { selector };
}

const badLoadNode = (value: string, why: string) =>
  new ZdtError(ErrorCode.InvalidOption, `invalid --load-node ${JSON.stringify(value)}: ${why}; give a node name or a label selector such as zdt.dev/load=true`, { details: { option: '--load-node', value } });

/**
 * The pod spec fields that put a pod where `placement` says: required node affinity (nodes by
 * name through metadata.name, since the kubernetes.io/hostname label may differ; one name per
 * requirement, as the API server takes no more in a field selector's In or NotIn), and, without
 * a choice, a preference for a control-plane node, whose taint it tolerates.
 */
export function podPlacement(placement: LoadPlacement): { affinity: object; tolerations: object[] } {
  const names = [
    ...placement.avoid.map((node) => ({ key: 'metadata.name', operator: 'NotIn', values: [node] })),
    ...(placement.node !== undefined ? [{ key: 'metadata.name', operator: 'In', values: [placement.node] }] : []),
  ];
  const labels = Object.entries(placement.selector ?? {}).map(([key, value]) => ({ key, operator: 'In', values: [value] }));
  const term = { ...(labels.length > 0 ? { matchExpressions: labels } : {}), ...(names.length > 0 ? { matchFields: names } : {}) };
  const chosen = placement.node !== undefined || placement.selector !== undefined;
  const affinity = {
    nodeAffinity: {
      ...(Object.keys(term).length > 0 ? { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } } : {}),
      ...(chosen ? {} : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [{ key: CONTROL_PLANE, operator: 'Exists' }] } }] }),
    },
  };
  return { affinity, tolerations: [{ key: CONTROL_PLANE, operator: 'Exists', effect: 'NoSchedule' }] };
}

/**
 * The security contexts of zdt's own pods and containers: nobody (65534), no privilege,
 * capability or writable root, admitted under Pod Security "restricted"; neither the load nor
 * Traefik needs more.
 */
export const RESTRICTED = {
  pod: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
  container: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
} as const;
