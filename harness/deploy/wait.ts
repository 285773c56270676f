import { podProblem } from '../cluster/readiness.ts';
import { ErrorCode, ZdtError, isZdtError } from '../errors.ts';
import type { KubeApi } from '../kube/api.ts';
import type { EndpointSlice, KubeEvent, KubeObject, Pod } from '../kube/types.ts';
import { API_VERSION, workloadProblem, type ServingKind } from '../manifests/workloads.ts';
import { poll } from '../wait.ts';

/** A workload to wait for, by its kind's own status (harness/manifests/workloads.ts). */
export interface WorkloadRef {
  readonly kind: ServingKind;
  readonly name: string;
}

export interface WaitForAppOptions {
  readonly namespace: string;
  readonly workloads: readonly WorkloadRef[];
  /** Also require ready endpoints behind each of these Services (omitted: workloads only, e.g. a rollout). */
  readonly services?: readonly string[];
  /**
   * Also require that no pod in the namespace is terminating: maintenance is over only when
   * every pod it displaced is gone (its preStop and shutdown have run while load was on).
   */
  readonly noTerminatingPods?: boolean;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (status: string) => void;
}

export const readyAddresses = (slices: readonly EndpointSlice[]): number =>
  new Set(slices.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).flatMap((e) => e.addresses))).size;

/**
 * Waits until every workload is ready by its own status (Deployment rolled out, StatefulSet
 * ready at its update revision, DaemonSet ready on every node, ReplicaSet ready, Pod Ready),
 * the Service has ready endpoints, and (noTerminatingPods) no displaced pod is left.
 * On timeout the error says, per pod, why it is not ready: image pull, scheduling, failing
 * probe (from the pod's status and its Warning events).
 */
export async function waitForApp(api: KubeApi, options: WaitForAppOptions): Promise<void> {
  const { namespace, signal } = options;
  let last = '';
  try {
    await poll(
      async (why) => {
        const problems: string[] = [];
        for (const { kind, name } of options.workloads) {
          const live = await api.get<KubeObject>({ apiVersion: API_VERSION[kind], kind, namespace, name }, signal);
          const p = live ? workloadProblem(live) : 'not found';
          if (p) problems.push(`${kind} ${name}: ${p}`);
        }
        if (options.noTerminatingPods) {
          const pods = await api.list<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace }, {}, signal);
          const leaving = pods.filter((p) => p.metadata?.deletionTimestamp).map((p) => p.metadata?.name ?? '?');
          if (leaving.length > 0) problems.push(`displaced pod(s) still terminating: ${leaving.join(', ')}`);
        }
        const endpoints: string[] = [];
        for (const service of options.services ?? []) {
          const slices = await api.list<EndpointSlice>({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', namespace }, { labelSelector: `kubernetes.io/service-name=${service}` }, signal);
          const ready = readyAddresses(slices);
          if (ready === 0) problems.push(`Service ${service}: no ready endpoints`);
          endpoints.push(options.services!.length > 1 ? `${service} ${ready}` : String(ready));
        }
        const status = problems.join('; ') || (endpoints.length > 0 ? `ready (${endpoints.join(', ')} endpoints)` : 'ready');
        if (status !== last) options.onProgress?.(status);
        last = status;
        if (problems.length === 0) return true;
        why(problems.join('; '));
        return undefined;
      },
      // Twice a second: a scenario waits here twice (deployed, then after maintenance), each time up to one interval late.
      { timeoutMs: options.timeoutMs, intervalMs: 500, signal, what: `the app in namespace ${namespace} to become ready` },
    );
  } catch (err) {
    if (!isZdtError(err, ErrorCode.Timeout)) throw err;
    const pods = await diagnosePods(api, namespace, signal).catch(() => []);
    throw new ZdtError(ErrorCode.AppNotReady, `${err.message}${pods.length ? `\n${pods.map((p) => `  - ${p}`).join('\n')}` : ''}`, { cause: err, details: { pods } });
  }
}

/** One line per pod that is not ready: its state and its latest Warning event. */
export async function diagnosePods(api: KubeApi, namespace: string, signal?: AbortSignal): Promise<string[]> {
  const pods = await api.list<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace }, {}, signal);
  const events = await api.list<KubeEvent>({ apiVersion: 'v1', kind: 'Event', namespace }, { fieldSelector: 'type=Warning' }, signal);
  return pods.flatMap((pod) => {
    const problem = podProblem(pod);
    if (!problem) return [];
    const name = pod.metadata?.name ?? '?';
    const warning = events.filter((e) => e.involvedObject?.name === name).at(-1);
    return [`pod ${name}: ${problem}${warning ? ` (${warning.reason}: ${warning.message?.trim()})` : ''}`];
  });
}
