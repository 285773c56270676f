import type { KubeApi } from '../kube/api.ts';
import type { Service } from '../kube/types.ts';
import { FIELD_MANAGER } from './apply.ts';

export interface Exposed {
  readonly service: string;
  readonly created: boolean;
}

/**
 * Makes the Service reachable from the host on `nodePort`, which the kind config publishes on
 * 127.0.0.1. A NodePort Service already on that port is used as it is; otherwise (usually a
 * ClusterIP Service) zdt creates a NodePort Service beside it with the same selector, port and
 * traffic settings, so the user's manifests need no change and see the same routing.
 */
export async function exposeService(api: KubeApi, namespace: string, svc: Service, nodePort: number, signal?: AbortSignal): Promise<Exposed> {
  const name = svc.metadata?.name ?? '';
  const spec = svc.spec ?? {};
  const port = spec.ports?.[0];
  if (spec.type === 'NodePort' && port?.nodePort === nodePort) return { service: name, created: false };
  const sibling = `${name}-zdt-nodeport`.slice(0, 63);
  const copied = Object.fromEntries(
    (['externalTrafficPolicy', 'internalTrafficPolicy', 'sessionAffinity', 'sessionAffinityConfig', 'publishNotReadyAddresses', 'trafficDistribution'] as const)
      .filter((k) => spec[k] !== undefined)
      .map((k) => [k, spec[k]]),
  );
  await api.apply(
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: sibling, namespace, labels: { 'zdt.dev/exposes': name } },
      spec: {
        ...copied,
        type: 'NodePort',
        selector: spec.selector,
        ports: [{ name: port?.name, protocol: port?.protocol ?? 'TCP', port: port?.port ?? 80, targetPort: port?.targetPort ?? port?.port ?? 80, nodePort }],
      },
    },
    FIELD_MANAGER,
    signal,
  );
  return { service: sibling, created: true };
}
