import { readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { ErrorCode, ZdtError } from '../errors.ts';
import type { KubeApi } from '../kube/api.ts';
import { createKubeApi } from '../kube/client.ts';
import { internalIPv4 } from '../kube/address.ts';
import type { Node } from '../kube/types.ts';
import { dockerImageExists, removeContainers } from './docker.ts';
import { defaultNodeImage } from './images.ts';
import { createKindCli, type KindCli } from './kind.ts';
import { claimCluster, type ClusterClaim } from './lock.ts';
import { kindConfigWithMode, type KubeProxyMode } from './proxy-mode.ts';
import { createNamespace, type Namespace } from './namespace.ts';
import { waitClusterReady } from './readiness.ts';

export const DEFAULT_KIND_CONFIG = fileURLToPath(new URL('../../kind-config/default.yaml', import.meta.url));
export const QUICK_KIND_CONFIG = fileURLToPath(new URL('../../kind-config/quick.yaml', import.meta.url));

/** Label and taint that mark the "new" workers of zdt's kind configs. */
export const POOL_LABEL = 'zdt.dev/pool';
export const NEW_NODE_TAINT = 'zdt.dev/new-node';

export interface ClusterOptions {
  /** Attach to this kubeconfig (path) instead of creating a kind cluster. */
  readonly kubeconfig?: string;
  /** Context within `kubeconfig` (default: its current context). */
  readonly context?: string;
  /** kind config for a new cluster (default: kind-config/default.yaml). */
  readonly kindConfig?: string;
  /** kind cluster name (default: the config's `name`, else "zdt"). */
  readonly name?: string;
  /** Node image (default: $ZDT_NODE_IMAGE, the offline-built image, or kind's stock image). */
  readonly nodeImage?: string;
  /** Reuse a running kind cluster of that name and keep it (default: $ZDT_REUSE_CLUSTER=1). */
  readonly reuse?: boolean;
  /** Keep a cluster this run created (default: $ZDT_KEEP_CLUSTER=1). */
  readonly keep?: boolean;
  /** Cordon, drain and delete on a cluster that is not a kind cluster. Never the default. */
  readonly allowDisruption?: boolean;
  /**
   * kube-proxy's mode for a new cluster (kind's networking.kubeProxyMode); the cluster is then
   * named `<name>-<mode>`, so clusters of different modes never stand in for each other.
   * Default: the kind config's (iptables unless it says otherwise).
   */
  readonly kubeProxyMode?: KubeProxyMode;
  /** Local Docker images to load into kind nodes (those that exist locally). */
  readonly loadImages?: readonly string[];
  readonly readyTimeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (message: string) => void;
  /** Test seam: the kind CLI. */
  readonly kind?: KindCli;
}

type Resolved = Required<Pick<ClusterOptions, 'reuse' | 'keep' | 'allowDisruption' | 'readyTimeoutMs' | 'kindConfig'>> &
  Omit<ClusterOptions, 'reuse' | 'keep' | 'allowDisruption' | 'readyTimeoutMs' | 'kindConfig'>;

const flag = (v: string | undefined) => v === '1' || v === 'true';

export function resolveClusterOptions(options: ClusterOptions, env: NodeJS.ProcessEnv = process.env): Resolved {
  const r: Resolved = {
    ...options,
    kindConfig: options.kindConfig ?? DEFAULT_KIND_CONFIG,
    reuse: options.reuse ?? flag(env.ZDT_REUSE_CLUSTER),
    keep: options.keep ?? flag(env.ZDT_KEEP_CLUSTER),
    allowDisruption: options.allowDisruption ?? false,
    readyTimeoutMs: options.readyTimeoutMs ?? 300_000,
  };
  if (!(r.readyTimeoutMs > 0)) {
    throw new ZdtError(ErrorCode.InvalidOption, `readyTimeoutMs must be > 0, got ${r.readyTimeoutMs}`, { details: { option: 'readyTimeoutMs', value: r.readyTimeoutMs } });
  }
  if (r.kubeProxyMode !== undefined && r.kubeconfig !== undefined) {
    throw new ZdtError(ErrorCode.InvalidOption, `kubeProxyMode ${r.kubeProxyMode} applies to a kind cluster zdt creates, not one attached through a kubeconfig`, { details: { option: 'kubeProxyMode', value: r.kubeProxyMode } });
  }
  if (r.context !== undefined && r.kubeconfig === undefined) {
    throw new ZdtError(ErrorCode.InvalidOption, `context ${r.context} needs a kubeconfig to attach to`, { details: { option: 'context', value: r.context } });
  }
  return r;
}

/**
 * A cluster for one test run: a kind cluster it creates (and deletes at the end unless kept or
 * reused) or an existing cluster it attaches to. Disruptive actions on a cluster that is not
 * kind need `allowDisruption`. Use with `await using`, or call delete() from an after() hook.
 */
export class Cluster implements AsyncDisposable {
  private constructor(
    readonly api: KubeApi,
    /** kind cluster name, or the kubeconfig context when attached. */
    readonly name: string,
    readonly isKind: boolean,
    private readonly deleteOnDispose: boolean,
    private readonly allowDisruption: boolean,
    private readonly kind: KindCli | undefined,
    /** This run's claim on the kind cluster (none for a cluster that is not kind). */
    private readonly claim: ClusterClaim | undefined,
  ) {}

  /** The kind cluster's own name (also when attached by kubeconfig, where `name` is the context); undefined when not kind. */
  get kindName(): string | undefined {
    return this.claim?.name;
  }

  /** True when zdt started this kind cluster (created or reused it), and so loaded `loadImages` into it; false when attached by kubeconfig. */
  get loadedImages(): boolean {
    return this.kind !== undefined;
  }

  static async start(options: ClusterOptions = {}): Promise<Cluster> {
    const o = resolveClusterOptions(options);
    const progress = o.onProgress ?? (() => {});
    if (o.kubeconfig !== undefined) {
      const api = createKubeApi({ kubeconfigPath: o.kubeconfig, context: o.context });
      const nodes = await api.list<Node>({ apiVersion: 'v1', kind: 'Node' }, {}, o.signal).catch((err: unknown) => {
        throw new ZdtError(ErrorCode.ClusterNotReady, `cannot reach the cluster of context ${api.identity.context} at ${api.identity.server}: ${(err as Error).message}`, { cause: err });
      });
      // kind sets providerID kind://<provider>/<cluster>/<node> on every node it creates.
      const isKind = nodes.length > 0 && nodes.every((n) => n.spec?.providerID?.startsWith('kind://'));
      progress(`attached to ${api.identity.context} (${api.identity.server})${isKind ? ', a kind cluster' : ''}`);
      // kind://<provider>/<cluster>/<node>: another zdt run on this host may hold that cluster.
      const kindName = isKind ? nodes[0]?.spec?.providerID?.split('/')[3] : undefined;
      const claim = kindName ? await claimCluster(kindName) : undefined;
      return new Cluster(api, api.identity.context, isKind, false, o.allowDisruption, undefined, claim);
    }

    const kind = o.kind ?? createKindCli();
    const config = await readKindConfig(o.kindConfig);
    const base = o.name ?? config.name ?? 'zdt';
    const mode = o.kubeProxyMode;
    const name = mode ? `${base}-${mode}` : base;
    // Claimed before looking: two runs racing to create the same cluster would otherwise let the
    // loser's failure clean-up delete the winner's cluster.
    const claim = await claimCluster(name);
    const kindConfig = mode ? await kindConfigWithMode(o.kindConfig, mode, name) : o.kindConfig;
    try {
      return await Cluster.#startKind(kind, name, config.nodes, { ...o, kindConfig }, progress, claim);
    } catch (err) {
      await claim.release();
      throw err;
    } finally {
      if (mode) await rm(dirname(kindConfig), { recursive: true, force: true });
    }
  }

  static async #startKind(kind: KindCli, name: string, nodeCount: number, o: Resolved, progress: (m: string) => void, claim: ClusterClaim): Promise<Cluster> {
    const existing = await kind.getClusters(o.signal);
    let created = false;
    if (existing.includes(name) && o.reuse) {
      progress(`reusing kind cluster ${name}`);
      // This run holds the claim, so what zdt started beside the cluster is an earlier, killed run's.
      const left = await removeContainers(name, o.signal);
      if (left.length > 0) progress(`removed ${left.join(', ')}, left beside it by an earlier run`);
    } else {
      if (existing.includes(name)) {
        throw new ZdtError(ErrorCode.Kind, `a kind cluster named ${name} already exists: set ZDT_REUSE_CLUSTER=1 to reuse it, or delete it with \`kind delete cluster --name ${name}\``, {
          details: { cluster: name },
        });
      }
      const image = o.nodeImage ?? (await defaultNodeImage(process.env, o.signal));
      progress(`creating kind cluster ${name} (${nodeCount} nodes, image ${image ?? "kind's default"})`);
      created = true;
      try {
        await kind.createCluster({ name, configPath: o.kindConfig, image, signal: o.signal, onLine: (l) => progress(`kind: ${l.trim()}`) });
      } catch (err) {
        await kind.deleteCluster(name).catch(() => {});
        throw err;
      }
    }
    const cluster = new Cluster(createKubeApi({ kubeconfig: await kind.getKubeconfig(name, o.signal) }), name, true, created && !o.keep, true, kind, claim);
    try {
      await waitClusterReady(cluster.api, { timeoutMs: o.readyTimeoutMs, signal: o.signal, expectedNodes: nodeCount, onProgress: (s) => progress(s) });
      const images: string[] = [];
      for (const image of o.loadImages ?? []) if (await dockerImageExists(image, o.signal)) images.push(image);
      if (images.length > 0) {
        progress(`loading ${images.length === 1 ? 'image' : 'images'} ${images.join(', ')} into the nodes`);
        await kind.loadDockerImages(name, images, o.signal);
      }
    } catch (err) {
      await cluster.delete().catch(() => {});
      throw err;
    }
    return cluster;
  }

  /** True when delete() will delete the kind cluster (this run created it and was not asked to keep it). */
  get deletesCluster(): boolean {
    return this.deleteOnDispose && this.kind !== undefined;
  }

  /** Throws unless cordon/drain/delete may run here (kind, or explicitly allowed). */
  assertCanDisrupt(action: string): void {
    if (this.isKind || this.allowDisruption) return;
    throw new ZdtError(ErrorCode.NotKindCluster, `refusing to ${action} on ${this.name} (${this.api.identity.server}): it is not a kind cluster. Pass allowDisruption (CLI: --allow-disruption) if you really mean it`, {
      details: { cluster: this.name, server: this.api.identity.server, action },
    });
  }

  /**
   * Where the load enters a kind cluster: the control-plane node (never drained; kind-config
   * publishes the NodePorts through it) and its InternalIP on the kind network, where a
   * connection keeps the client's port (see harness/observe/conntrack.ts). Undefined on an
   * attached cluster, whose nodes zdt cannot look into.
   */
  async entryNode(signal?: AbortSignal): Promise<{ readonly name: string; readonly address: string } | undefined> {
    if (!this.isKind) return undefined;
    const nodes = await this.api.list<Node>({ apiVersion: 'v1', kind: 'Node' }, { labelSelector: 'node-role.kubernetes.io/control-plane' }, signal);
    const node = nodes[0];
    const address = node && internalIPv4(node);
    return node?.metadata?.name && address ? { name: node.metadata.name, address } : undefined;
  }

  /** A fresh namespace for one run, deleted by its own delete()/dispose. */
  namespace(prefix: string, signal?: AbortSignal): Promise<Namespace> {
    return createNamespace(this.api, prefix, signal);
  }

  /** Worker nodes, optionally of one pool ("old" / "new" in zdt's kind configs). */
  async workers(pool?: string, signal?: AbortSignal): Promise<Node[]> {
    const nodes = await this.api.list<Node>({ apiVersion: 'v1', kind: 'Node' }, pool ? { labelSelector: `${POOL_LABEL}=${pool}` } : {}, signal);
    return nodes.filter((n) => !('node-role.kubernetes.io/control-plane' in (n.metadata?.labels ?? {})));
  }

  /**
   * Puts the workers back as the kind config made them (uncordoned; "new" nodes tainted again),
   * so scenarios can share one cluster instead of recreating it.
   */
  async resetNodes(signal?: AbortSignal): Promise<void> {
    this.assertCanDisrupt('reset nodes');
    for (const node of await this.workers(undefined, signal)) {
      const isNew = node.metadata?.labels?.[POOL_LABEL] === 'new';
      const others = (node.spec?.taints ?? []).filter((t) => t.key !== NEW_NODE_TAINT);
      const taints = isNew ? [...others, { key: NEW_NODE_TAINT, value: 'true', effect: 'NoSchedule' as const }] : others;
      await this.api.patch({ apiVersion: 'v1', kind: 'Node', name: node.metadata!.name! }, { spec: { unschedulable: null, taints } }, signal);
    }
  }

  /** Deletes the kind cluster if this run created it (and was not asked to keep it), then gives up this run's claim on it. */
  async delete(): Promise<void> {
    try {
      if (this.deleteOnDispose && this.kind) {
        // What zdt started beside it (a run's load balancer) goes too: kind deletes only its nodes.
        try {
          await removeContainers(this.name);
        } finally {
          await this.kind.deleteCluster(this.name);
        }
      }
    } finally {
      await this.claim?.release();
    }
  }

  stop(): Promise<void> {
    return this.delete();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.delete();
  }
}

async function readKindConfig(path: string): Promise<{ name?: string; nodes: number }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ZdtError(ErrorCode.InvalidOption, `kind config ${path} cannot be read: ${(err as Error).message}`, { cause: err, details: { option: 'kindConfig', value: path } });
  }
  const doc = parseYaml(text) as { name?: string; nodes?: unknown[] } | null;
  return { name: doc?.name, nodes: Array.isArray(doc?.nodes) ? doc.nodes.length : 1 };
}
