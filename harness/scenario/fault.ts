/**
 * The node-fault maintenance (scenarios node-crash, node-freeze, node-partition): take a worker
 * hosting an app pod away through the Docker door, give it back, wait until it is Ready, and
 * name the settings that decide how long the app suffers.
 */
import type { Cluster } from '../cluster/cluster.ts';
import { disruptNode, type NodeFault } from '../cluster/docker.ts';
import { ErrorCode, ZdtError } from '../errors.ts';
import type { KubeApi } from '../kube/api.ts';
import type { Node, Pod } from '../kube/types.ts';
import type { PodSource } from '../manifests/workloads.ts';
import type { TimelineSink } from '../observe/events.ts';
import { poll, sleep } from '../wait.ts';

/**
 * The node-lifecycle controller's --node-monitor-grace-period when the cluster does not set it:
 * 50 s since Kubernetes 1.32 (40 s before), kubernetes/kubernetes#127352.
 */
export const DEFAULT_NODE_MONITOR_GRACE_S = 50;
/** What the DefaultTolerationSeconds admission plugin gives a pod for node.kubernetes.io/unreachable and not-ready. */
export const DEFAULT_TOLERATION_S = 300;
/** A restarted kind node takes ~20-40 s until its kubelet posts Ready; 5 minutes means it is not coming back. */
const NODE_READY_TIMEOUT_MS = 300_000;

export interface NodeFaultRun {
  readonly fault: NodeFault;
  readonly forMs: number;
  /** The workers hosting the app's pods, sorted: the first is taken away. */
  readonly appNodes: readonly string[];
  readonly signal?: AbortSignal;
  readonly onProgress?: (message: string) => void;
  readonly onNodeFault?: (node: string, undo: string, present: boolean) => void;
}

/**
 * Takes `appNodes[0]` away for `forMs`, always gives it back (even when aborted), then waits
 * until the API reports it Ready. Records 'node-fault' and 'node-restored' on the timeline;
 * the watcher records NotReady and Ready. Throws ZDT_KIND when Docker refuses, ZDT_TIMEOUT
 * when the node is not Ready again within 5 minutes.
 */
export async function runNodeFault(cluster: Cluster, run: NodeFaultRun, timeline: TimelineSink): Promise<void> {
  if (!cluster.isKind) {
    throw new ZdtError(ErrorCode.NotKindCluster, `node faults act on kind's node containers through Docker; ${cluster.name} is not a kind cluster: use a drain or rollout scenario there`);
  }
  const node = run.appNodes[0];
  if (!node) throw new ZdtError(ErrorCode.AppNotReady, 'no app pod runs on a worker, so there is no node to take away');
  run.onProgress?.(`${run.fault} ${node} for ${run.forMs / 1000} s (hosts the app's pods; the control plane is not told)`);
  timeline.record('node-fault', `node/${node}`, run.fault);
  const disruption = await disruptNode(node, run.fault, run.signal);
  run.onNodeFault?.(node, disruption.undo, true);
  try {
    await sleep(run.forMs, run.signal);
  } finally {
    // No signal: a node must never be left away; if Docker will not give it back, say how to.
    await disruption.restore().catch((err: unknown) => {
      throw new ZdtError(ErrorCode.Kind, `could not give ${node} back (${(err as Error).message}): run \`${disruption.undo}\``, { cause: err });
    });
    timeline.record('node-restored', `node/${node}`, run.fault);
    run.onNodeFault?.(node, disruption.undo, false);
  }
  run.onProgress?.(`${node} given back; waiting until it is Ready`);
  await poll(
    async (why) => {
      const n = await cluster.api.get<Node>({ apiVersion: 'v1', kind: 'Node', name: node }, run.signal);
      const ready = n?.status?.conditions?.find((c) => c.type === 'Ready');
      if (ready?.status === 'True') return true;
      why(`${node} Ready=${ready?.status ?? 'unknown'}${ready?.reason ? ` (${ready.reason})` : ''}`);
      return undefined;
    },
    { timeoutMs: NODE_READY_TIMEOUT_MS, intervalMs: 1000, signal: run.signal, what: `${node} to be Ready again` },
  );
}

/**
 * What decides the times of a node fault, with the values this run had, one sentence each:
 * how soon the control plane gives up on the node (--node-monitor-grace-period), how soon the
 * pods are replaced elsewhere (tolerationSeconds), how soon a replacement serves (readiness
 * probe).
 */
export async function faultSettings(api: KubeApi, sources: readonly PodSource[], signal?: AbortSignal): Promise<string[]> {
  const grace = await nodeMonitorGracePeriod(api, signal);
  const lines = [`node-monitor-grace-period ${grace}: the node's pods stay in the endpoints, failing, until the control plane marks it NotReady (kube-controller-manager flag; kind: a kubeadm ClusterConfiguration patch)`];
  for (const s of sources) {
    const tolerations = s.spec?.tolerations ?? [];
    const seconds = (key: string) => {
      const t = tolerations.find((x) => x.key === key && (x.effect === undefined || x.effect === 'NoExecute'));
      return t ? (t.tolerationSeconds === undefined ? 'forever' : `${t.tolerationSeconds} s`) : `${DEFAULT_TOLERATION_S} s (the default)`;
    };
    lines.push(
      `${s.kind} ${s.name}: tolerationSeconds ${seconds('node.kubernetes.io/unreachable')} for node.kubernetes.io/unreachable, ${seconds('node.kubernetes.io/not-ready')} for not-ready: how long its pods stay bound to a lost node before they are replaced elsewhere`,
    );
    for (const c of s.spec?.containers ?? []) {
      const p = c.readinessProbe as { initialDelaySeconds?: number; periodSeconds?: number; failureThreshold?: number } | undefined;
      if (!p) continue;
      lines.push(
        `${s.kind} ${s.name} container ${c.name}: readiness probe initialDelaySeconds ${p.initialDelaySeconds ?? 0}, periodSeconds ${p.periodSeconds ?? 10} × failureThreshold ${p.failureThreshold ?? 3}: how soon a replacement takes traffic, and a frozen app is taken out`,
      );
    }
  }
  return lines;
}

/** "50s (the default)" or the value kube-controller-manager's static pod passes. */
async function nodeMonitorGracePeriod(api: KubeApi, signal?: AbortSignal): Promise<string> {
  const pods = await api.list<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace: 'kube-system' }, { labelSelector: 'component=kube-controller-manager' }, signal).catch(() => []);
  const flag = pods.flatMap((p) => p.spec?.containers ?? []).flatMap((c) => c.command ?? []).find((a) => a.startsWith('--node-monitor-grace-period='));
  return flag ? flag.split('=')[1]! : `${DEFAULT_NODE_MONITOR_GRACE_S}s (the default)`;
}
