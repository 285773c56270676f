import type { KubeApi } from '../kube/api.ts';
import { ErrorCode, ZdtError } from '../errors.ts';
import type { Service, ServicePort } from '../kube/types.ts';
import { FIELD_MANAGER } from './apply.ts';

export interface Exposed {
  readonly service: string;
  readonly created: boolean;
  /** The NodePort the Service answers on, on every node. */
  readonly nodePort: number;
  /**
   * kube-proxy's health check port for the Service on every node (/healthz answers 200 where a
   * local endpoint serves, 503 elsewhere): only a LoadBalancer Service with
   * externalTrafficPolicy Local has one, and cloud load balancers probe it.
   */
  readonly healthCheckNodePort?: number;
}

export interface ExposeOptions {
  /** The NodePort of type NodePort: the kind config publishes it on 127.0.0.1. A LoadBalancer Service gets whichever the API server allocates. */
  readonly nodePort: number;
  /** The Service port, by name or number (selectPort). */
  readonly port?: string | number;
  /** 'NodePort' (default), or 'LoadBalancer': what a cloud load balancer fronts (a NodePort on every node, plus the healthCheckNodePort under externalTrafficPolicy Local). */
  readonly type?: 'NodePort' | 'LoadBalancer';
}

/**
 * Makes the Service reachable on a NodePort of every node. A Service of that type already is
 * used as it is (a NodePort one only on `nodePort`, which the kind config publishes on
 * 127.0.0.1); otherwise (usually a ClusterIP Service) zdt creates one beside it with the same
 * selector, port and traffic settings, so the user's manifests need no change and see the same
 * routing. Rejects with ZDT_SERVICE when a LoadBalancer Service has no NodePort
 * (allocateLoadBalancerNodePorts: false), which a load balancer in front of nodes cannot use;
 * ZDT_KUBE_API when the API server refuses the Service zdt creates.
 */
export async function exposeService(api: KubeApi, namespace: string, svc: Service, options: ExposeOptions, signal?: AbortSignal): Promise<Exposed> {
  const { nodePort, type = 'NodePort' } = options;
  const name = svc.metadata?.name ?? '';
  const spec = svc.spec ?? {};
  const port = selectPort(svc, options.port);
  if (spec.type === 'NodePort' && type === 'NodePort' && port?.nodePort === nodePort) return { service: name, created: false, nodePort };
  if (spec.type === 'LoadBalancer' && type === 'LoadBalancer') {
    // The API server allocated its ports: read them from the live object.
    const live = await api.get<Service>({ apiVersion: 'v1', kind: 'Service', namespace, name }, signal);
    return { service: name, created: false, ...allocated(live, selectPort(live ?? svc, options.port)) };
  }
  const sibling = `${name}-zdt-${type.toLowerCase()}`.slice(0, 63);
  const copied = Object.fromEntries(
    (['externalTrafficPolicy', 'internalTrafficPolicy', 'sessionAffinity', 'sessionAffinityConfig', 'publishNotReadyAddresses', 'trafficDistribution'] as const)
      .filter((k) => spec[k] !== undefined)
      .map((k) => [k, spec[k]]),
  );
  const made = await api.apply<Service>(
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: sibling, namespace, labels: { 'zdt.dev/exposes': name } },
      spec: {
        ...copied,
        type,
        selector: spec.selector,
        // A LoadBalancer Service's NodePort is the API server's choice: nothing publishes it, and the user's Service may hold `nodePort` already.
        ports: [{ name: port?.name, protocol: port?.protocol ?? 'TCP', port: port?.port ?? 80, targetPort: port?.targetPort ?? port?.port ?? 80, ...(type === 'NodePort' ? { nodePort } : {}) }],
      },
    },
    FIELD_MANAGER,
    signal,
  );
  return { service: sibling, created: true, ...(type === 'NodePort' ? { nodePort } : allocated(made, made.spec?.ports?.[0])) };
}

/** The ports the API server allocated to a LoadBalancer Service. Throws ZDT_SERVICE when it has no NodePort. */
function allocated(live: Service | undefined, port: ServicePort | undefined): Pick<Exposed, 'nodePort' | 'healthCheckNodePort'> {
  const name = live?.metadata?.name ?? '';
  if (port?.nodePort === undefined) {
    throw new ZdtError(ErrorCode.Service, `Service ${name} (type LoadBalancer) has no NodePort for ${describePort(port)} (allocateLoadBalancerNodePorts: false), so no load balancer in front of the nodes can reach it: allow NodePorts, or give --url`, { details: { service: name } });
  }
  const health = live?.spec?.healthCheckNodePort;
  return { nodePort: port.nodePort, ...(typeof health === 'number' ? { healthCheckNodePort: health } : {}) };
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
