import type { DrainOptions, NodeDrainOutcome } from '../drain/index.ts';
import type { NodeFault } from '../cluster/docker.ts';
import type { ConnectionMode } from '../load/pool.ts';
import type { LoadProfile } from '../load/profile.ts';
import type { LoadedManifest } from '../manifests/load.ts';
import type { RenderOptions } from '../manifests/render.ts';
import type { TimelineEvent } from '../observe/events.ts';
import type { AvailabilityBudget } from '../verdict/budget.ts';
import type { Report } from '../verdict/report.ts';

/** Where the load enters the cluster: see ScenarioOptions.entry. */
export const ENTRIES = ['nodeport', 'load-balancer', 'in-cluster', 'ingress'] as const;
export type Entry = (typeof ENTRIES)[number];

/** What maintenance a scenario performs while the load runs. */
export type Maintenance =
  /**
   * Drain, concurrently and without coordination, the workers hosting the app's pods: all of
   * them, or the first `nodes` of them (1 = a single-node drain). With `bringInNewNodes`, the
   * "new" pool's NoSchedule taint is removed first so the evicted pods have somewhere to go.
   */
  | { readonly kind: 'drain'; readonly nodes?: number; readonly bringInNewNodes?: boolean }
  /** Bring the "new" pool in (remove its NoSchedule taint), then drain the "old" pool concurrently. */
  | { readonly kind: 'replace' }
  /**
   * Roll the app's Deployments out: merge-patch each with `patch` (default: a pod-template
   * annotation, i.e. `kubectl rollout restart`) and wait for the rollout to finish.
   */
  | { readonly kind: 'rollout'; readonly patch?: Record<string, unknown> }
  /**
   * Involuntary disruption, which no drain announces: the first worker hosting an app pod is
   * taken away for `forMs` (default 60000) by `fault` (`kill`: its container SIGKILLed, then
   * started again; `pause`: frozen, then unpaused; `disconnect`: cut off its network, then
   * reconnected with its addresses). The run then waits until the node is Ready and the app at
   * full strength. Only on kind (the nodes are Docker containers).
   */
  | { readonly kind: 'node-fault'; readonly fault: NodeFault; readonly forMs?: number };

export interface ScenarioOptions {
  /** Scenario name for reports and the namespace ("pdb-parallel-drain"). */
  readonly name: string;
  /** A manifest directory or file, or manifests already loaded. */
  readonly manifests: string | readonly LoadedManifest[];
  /**
   * The Services to load, each with its own stream at `rate` and its own verdict (default: every
   * Service that selects a workload in the manifests). At most MAX_SERVICES.
   */
  readonly services?: readonly string[];
  /** What renders a chart directory given as `manifests` (values files, --set entries). */
  readonly render?: RenderOptions;
  /** The Service port to load, by name or number, for multi-port Services (default: the only port). */
  readonly port?: string | number;
  /** The request's path and query (default "/"). */
  readonly path?: string;
  /** Host header to send (an app routed by name); with https also the TLS server name. Default: the URL's. */
  readonly host?: string;
  /** 'https' when the pods serve TLS on that port (default 'http'). */
  readonly scheme?: 'http' | 'https';
  /** Accept any certificate (self-signed); only with scheme 'https'. Default false. */
  readonly insecure?: boolean;
  /** Statuses that count as success: "200-399" (the default) or a list like "200,204,301-308" (harness/load/status.ts). */
  readonly expectStatus?: string;
  readonly maintenance: Maintenance;
  /** Requests per second, per Service (default 200). */
  readonly rate?: number;
  /**
   * A load profile in k6's vocabulary (readLoadProfile or parseLoadProfile): its arrival-rate
   * scenario replaces `rate` on each Service (give one of them), and its thresholds, judged over
   * the maintenance window, join the verdict.
   */
  readonly loadProfile?: LoadProfile;
  /** 'mixed' (default): half the requests on kept-alive connections, half on new ones; see CONNECTION_MODES. */
  readonly connection?: ConnectionMode;
  /** Load before maintenance starts (default 3000 ms). */
  readonly warmupMs?: number;
  /** Load after maintenance ended and the app is available again (default 5000 ms). */
  readonly settleMs?: number;
  /** Drain options (timeoutMs, retryDelayMs, ...); the run's signal is added. */
  readonly drain?: DrainOptions;
  /** Failed requests and outage the verdict allows (default none: every failure fails the run). */
  readonly budget?: AvailabilityBudget;
  /** How long the app may take to become ready (default 120000 ms). */
  readonly readyTimeoutMs?: number;
  /** Put nodes back afterwards: uncordon, re-taint the "new" pool (default true). */
  readonly restoreNodes?: boolean;
  /**
   * The first of the NodePorts the kind config publishes on 127.0.0.1 (default 30080, same
   * number inside); the i-th loaded Service gets nodePort + i (kind-config/ publishes four).
   */
  readonly nodePort?: number;
  /**
   * Where the load goes instead of a NodePort: any http or https URL the app's traffic takes (a
   * load balancer, an Ingress host, a node of an attached cluster), with its path; one Service
   * only. zdt then leaves the Service as it is and does not follow conntrack (it cannot tell where
   * the URL enters the cluster), so requests are attributed by the pod header only; `scheme`,
   * `path` and `nodePort` do not apply. Needed on a cluster that is not kind, where no NodePort is
   * published on 127.0.0.1.
   */
  readonly url?: string;
  /**
   * Where the load enters the cluster (ENTRIES): 'nodeport' (default), each Service's NodePort
   * on the kind control-plane node; 'load-balancer', a load balancer zdt starts in front of
   * every worker's NodePort with a cloud's health checks (harness/entry/load-balancer.ts; kind
   * clusters only; not with `url`); 'in-cluster', zdt's load generator in a pod that reaches each
   * Service by its DNS name, the east-west path (harness/entry/in-cluster.ts; any cluster);
   * 'ingress', through an Ingress controller zdt installs (Traefik) to the manifests' Ingress
   * rules, each Service by its rule's Host and path (harness/entry/ingress.ts; kind clusters
   * only; http only; a `path` other than '/' replaces the rule's path; `port` does not apply).
   */
  readonly entry?: Entry;
  /**
   * Entry 'in-cluster': where the load pod runs, a node name or a label selector
   * ("zdt.dev/load=true"); never on a node the scenario takes away. Default: a control-plane node
   * if the pod may run there, else any node the app does not use.
   */
  readonly loadNode?: string;
  /**
   * Entry 'in-cluster': the load pod's image, any with Node.js >= 20 the nodes can pull (the
   * program comes in a ConfigMap). Default: the offline-built zdt.local/node:host on a kind
   * cluster of this host that has it, else node:24-slim.
   */
  readonly loadImage?: string;
  readonly signal?: AbortSignal;
  /** Step-level progress ("deploying", "draining zdt-worker, zdt-worker2", ...). */
  readonly onProgress?: (step: ScenarioStep, message: string) => void;
  /** The run's namespace once created (present true) and once deleted (false), for callers that track what is left. */
  readonly onNamespace?: (name: string, present: boolean) => void;
  /** A container zdt started for the run (the load balancer), with the docker command that removes it (present true), and once removed (false). */
  readonly onContainer?: (name: string, undo: string, present: boolean) => void;
  /** A node taken away by a node-fault scenario (present true, with the docker command that gives it back) and given back (false). */
  readonly onNodeFault?: (node: string, undo: string, present: boolean) => void;
  /** Every timeline event as it happens (for live output). */
  readonly onEvent?: (event: TimelineEvent) => void;
}

export type ScenarioStep = 'namespace' | 'deploy' | 'ready' | 'expose' | 'load' | 'maintenance' | 'settle' | 'report' | 'cleanup';

export interface Exposure {
  /** The user's Service this load is for. */
  readonly of: string;
  /** The Service the load goes through: `of`, or the NodePort Service zdt created beside it. */
  readonly service: string;
  /** Null when the load goes to ScenarioOptions.url. */
  readonly nodePort: number | null;
  /** The Service's healthCheckNodePort (a LoadBalancer Service with externalTrafficPolicy Local). */
  readonly healthCheckNodePort?: number;
  /** The Host header the load sends: an Ingress rule's host (entry 'ingress'), else ScenarioOptions.host. */
  readonly host?: string;
  /** Entry 'ingress': the namespace of zdt's Ingress controller, which the load enters through. */
  readonly ingressNamespace?: string;
  /** The load balancer container the load enters through (entry 'load-balancer'). */
  readonly via?: string;
  /** True when zdt created a NodePort Service beside the user's (theirs was ClusterIP or another port). */
  readonly created: boolean;
  readonly url: string;
}

export interface ScenarioResult {
  readonly report: Report;
  readonly namespace: string;
  /** One per loaded Service, in load order. */
  readonly exposures: readonly Exposure[];
  /** Per-node drain results (drain and replace maintenance). */
  readonly drains: readonly NodeDrainOutcome[];
  /** Where the app's pods ran at the end. */
  readonly finalPods: readonly { readonly name: string; readonly node: string }[];
}
