import type { KubeApi } from '../kube/api.ts';
import { ErrorCode, ZdtError } from '../errors.ts';
import type { Service, ServicePort } from '../kube/types.ts';
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
export async function exposeService(api: KubeApi, namespace: string, svc: Service, nodePort: number, servicePort?: string | number, signal?: AbortSignal): Promise<Exposed> {
  const name = svc.metadata?.name ?? '';
  const spec = svc.spec ?? {};
  const port = selectPort(svc, servicePort);
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

/** Names and numbers that mark the web port of a multi-port Service, most telling first. */
const WEB_PORT_NAMES = ['http', 'https', 'web', 'http-web', 'http1'];
const WEB_PORT_NUMBERS = [80, 443, 8080, 8443];

/**
 * The Service port the load goes to: the one named or numbered by `wanted` (a port's name, or
 * its `port` number). Without one, the only port; of several, the web port (named http, https
 * or web, else 80, 443, 8080 or 8443), else the first, as `kubectl port-forward svc/…` takes it.
 * An unknown `wanted` is an error naming the ports.
 */
export function selectPort(svc: Service, wanted?: string | number): ServicePort | undefined {
  const ports = svc.spec?.ports ?? [];
  if (wanted === undefined) {
    return (
      WEB_PORT_NAMES.map((n) => ports.find((p) => p.name === n)).find((p) => p !== undefined) ??
      WEB_PORT_NUMBERS.map((n) => ports.find((p) => p.port === n)).find((p) => p !== undefined) ??
      ports[0]
    );
  }
  const found = ports.find((p) => p.name === String(wanted) || String(p.port) === String(wanted));
  if (!found) {
    const name = svc.metadata?.name ?? '';
    const shown = ports.map((p) => (p.name ? `${p.name} (${p.port})` : String(p.port))).join(', ');
    throw new ZdtError(ErrorCode.Service, `Service ${name} has no port ${wanted} (ports: ${shown || 'none'}): pass --port with one of them`, { details: { service: name, port: wanted } });
  }
  return found;
}

/** "port 80 (http)": the port a run loads, for progress lines. */
export const describePort = (port: ServicePort | undefined): string => (port ? `port ${port.port}${port.name ? ` (${port.name})` : ''}` : 'no port');
