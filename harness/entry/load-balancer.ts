/**
 * `--entry load-balancer`: the load enters as a cloud network load balancer sends it, to a
 * NodePort on every worker, each worker kept in rotation only while its health check passes.
 * The load balancer is haproxy in TCP mode (a passthrough, as network load balancers are) in a
 * container of its own on the kind network, from an image built offline
 * (scripts/offline/build-haproxy-image.sh), with the health checks GCE's service controller
 * creates for a LoadBalancer Service:
 * - externalTrafficPolicy Cluster: kube-proxy's own /healthz on every node (port 10256), which
 *   fails only when kube-proxy is down or the node is being deleted (KEP-3836); a drained node
 *   stays in rotation and forwards to pods elsewhere;
 * - externalTrafficPolicy Local: the Service's healthCheckNodePort, which answers 200 only on
 *   nodes with a local serving endpoint, so draining a node's last pod takes the node out of
 *   rotation, one detection time (interval × unhealthy threshold) after its endpoint left.
 * Backends are the nodes a service controller would use: every node without the
 * node.kubernetes.io/exclude-from-external-load-balancers label (kubeadm puts it on control planes).
 */
import { internalIPv4 } from '../kube/address.ts';
import { requireImage, startContainer, ZDT_CLUSTER_LABEL, type StartedContainer } from '../cluster/docker.ts';
import { ErrorCode, ZdtError } from '../errors.ts';
import { OFFLINE_HAPROXY_IMAGE } from '../cluster/images.ts';
import type { Node } from '../kube/types.ts';

/** kube-proxy's health server (KubeProxyConfiguration healthzBindAddress, default 0.0.0.0:10256). */
export const KUBE_PROXY_HEALTH_PORT = 10256;
/** The label that keeps a node out of every cloud load balancer's backends (k8s.io/api well-known labels). */
export const EXCLUDE_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

/**
 * The health check of each backend: GCE's for Kubernetes LoadBalancer Services (interval 8 s,
 * timeout 1 s, healthy after 1 pass, unhealthy after 3 failures, on /healthz), so a node leaves
 * rotation 16-24 s after it starts failing, as it does behind a GKE network load balancer.
 */
export const HEALTH_CHECK = { intervalMs: 8000, timeoutMs: 1000, rise: 1, fall: 3, path: '/healthz' } as const;

/** One Service the load balancer fronts: a listener of its own, sent to `nodePort` on every backend. */
export interface LoadBalancerTarget {
  readonly service: string;
  readonly nodePort: number;
  /** The Service's healthCheckNodePort (externalTrafficPolicy Local), probed instead of kube-proxy's own port. */
  readonly healthCheckNodePort?: number;
}

export interface LoadBalancerBackend {
  readonly node: string;
  readonly address: string;
}

/** The container of the load balancer of run `run` (a namespace name): known before it starts, so a run can list it as left over until it is gone. */
export const loadBalancerName = (run: string): string => `zdt-lb-${run}`;

/** Rejects with ZDT_KIND when this host lacks the load balancer's image: checked before a cluster is made for nothing. */
export const requireLoadBalancerImage = (signal?: AbortSignal): Promise<void> => requireImage(OFFLINE_HAPROXY_IMAGE, signal);

/** The port the i-th target listens on inside the container. */
export const listenPort = (i: number): number => 8080 + i;

/**
 * The nodes a service controller puts behind a load balancer, with their InternalIP (IPv4).
 * Throws ZDT_CLUSTER_NOT_READY when there is none, which no load balancer can send to.
 */
export function loadBalancerBackends(nodes: readonly Node[]): LoadBalancerBackend[] {
  const backends = nodes.flatMap((n) => {
    const address = internalIPv4(n);
    const name = n.metadata?.name;
    return name && address && !(EXCLUDE_LB_LABEL in (n.metadata?.labels ?? {})) ? [{ node: name, address }] : [];
  });
  if (backends.length === 0) {
    throw new ZdtError(
      ErrorCode.ClusterNotReady,
      `no node can stand behind a load balancer: all ${nodes.length} carry ${EXCLUDE_LB_LABEL} or have no IPv4 InternalIP (a single-node kind cluster's control plane does): use a cluster with workers, or --entry nodeport`,
      { details: { nodes: nodes.length } },
    );
  }
  return backends;
}

/** haproxy's configuration: one TCP listener per target, round robin over the healthy backends. */
export function haproxyConfig(targets: readonly LoadBalancerTarget[], backends: readonly LoadBalancerBackend[]): string {
  const hc = HEALTH_CHECK;
  const lines = [
    'global',
    // Two descriptors per connection must fit Docker's default open-file limit here (20,000); the load keeps far fewer open.
    '  maxconn 8000',
    // Notices only (a backend's checks failing, it going DOWN or UP), read into the timeline; no line per connection.
    '  log stdout format raw local0 notice',
    'defaults',
    '  log global',
    '  mode tcp',
    // A network load balancer passes a connection through once: a retry (haproxy's default is 3)
    // could land on another pod and hide a refusal the client would have seen.
    '  retries 0',
    // Also the health checks' connect timeout (haproxy takes min(timeout connect, inter)), so a
    // check that gets no answer fails after GCE's 1 s.
    `  timeout connect ${hc.timeoutMs}ms`,
    '  timeout client 60s',
    '  timeout server 60s',
    `  timeout check ${hc.timeoutMs}ms`,
  ];
  targets.forEach((t, i) => {
    const port = t.healthCheckNodePort ?? KUBE_PROXY_HEALTH_PORT;
    lines.push(
      `listen ${t.service}`,
      `  bind :${listenPort(i)}`,
      '  balance roundrobin',
      `  option httpchk GET ${hc.path}`,
      // Each failed check, not only the state change: when a node starts failing is when what it still gets is lost.
      '  option log-health-checks',
      `  default-server check port ${port} inter ${hc.intervalMs}ms rise ${hc.rise} fall ${hc.fall}`,
      ...backends.map((b) => `  server ${b.node} ${b.address}:${t.nodePort}`),
    );
  });
  return `${lines.join('\n')}\n`;
}

/** A load balancer zdt started; stop() removes its container (also by Symbol.asyncDispose). */
export interface LoadBalancer extends AsyncDisposable {
  /** Its container, for a person's `docker logs`. */
  readonly container: string;
  /** The docker command that removes it, for a run that exits without cleanup. */
  readonly undo: string;
  /** http(s)://<its address on the kind network>:<listener><path> of the i-th target. */
  url(i: number, scheme: string, path: string): string;
  stop(): Promise<void>;
}

/**
 * What a backend's health check did, as haproxy logs it: `failing`, a check failed while the
 * node is still in rotation (the first of the failures that take it out); `down`, taken out of
 * rotation; `up`, healthy again (put back, or passing again before it was taken out).
 */
export interface BackendChange {
  /** The target's Service. */
  readonly service: string;
  readonly node: string;
  readonly state: 'failing' | 'down' | 'up';
  /** haproxy's reason: "Layer7 wrong status, code: 503". */
  readonly reason?: string;
}

/**
 * haproxy's notices (with `option log-health-checks`): "Health check for server web/zdt-worker
 * failed, reason: Layer7 wrong status, code: 503, ..., status: 2/3 UP.", the same "succeeded"
 * back to full health ("status: 3/3 UP.", also when a node comes back), and "Server
 * web/zdt-worker is DOWN.". Undefined for any other line, and for a notice that changes no
 * state that matters (a failure of a node already out, a success short of full health, the
 * "Server ... is UP." that follows a success already read).
 */
export function parseBackendChange(line: string): BackendChange | undefined {
  const check = /^Health check for server ([^/\s]+)\/(\S+) (failed|succeeded), reason: ([^,]+(?:, code: \d+)?).*, status: (\d+)\/(\d+) (UP|DOWN)\.$/.exec(line);
  if (check) {
    const [, service, node, result, reason, health, of, state] = check;
    if (state !== 'UP') return undefined;
    if (result === 'failed') return { service: service!, node: node!, state: 'failing', reason: reason! };
    return health === of ? { service: service!, node: node!, state: 'up', reason: reason! } : undefined;
  }
  const down = /^Server ([^/\s]+)\/(\S+) is DOWN\b/.exec(line);
  return down ? { service: down[1]!, node: down[2]!, state: 'down' } : undefined;
}

export interface LoadBalancerOptions {
  /** The kind cluster it stands beside (its containers are swept with it). */
  readonly cluster: string;
  /** Names the container: zdt-lb-<run>. */
  readonly run: string;
  readonly targets: readonly LoadBalancerTarget[];
  readonly backends: readonly LoadBalancerBackend[];
  /** Each backend its health check takes out of rotation or puts back, as it happens. */
  readonly onBackendChange?: (change: BackendChange) => void;
  readonly signal?: AbortSignal;
}

/** Starts the load balancer on the kind network. Rejects with ZDT_KIND (image missing, Docker's error). */
export async function startLoadBalancer(o: LoadBalancerOptions): Promise<LoadBalancer> {
  const container: StartedContainer = await startContainer(
    {
      image: OFFLINE_HAPROXY_IMAGE,
      name: loadBalancerName(o.run),
      network: 'kind',
      labels: { [ZDT_CLUSTER_LABEL]: o.cluster },
      files: [{ content: haproxyConfig(o.targets, o.backends), target: '/etc/haproxy/haproxy.cfg' }],
      listens: o.targets.map((_, i) => listenPort(i)),
      startupTimeoutMs: 60_000,
      onOutput: (line) => {
        const change = parseBackendChange(line);
        if (change) o.onBackendChange?.(change);
      },
    },
    o.signal,
  );
  return {
    container: container.name,
    undo: container.undo,
    url: (i, scheme, path) => `${scheme}://${container.address}:${listenPort(i)}${path}`,
    stop: () => container.stop(),
    [Symbol.asyncDispose]: () => container.stop(),
  };
}
