import { podProblem } from '../cluster/readiness.ts';
import { ErrorCode, ZdtError, isZdtError } from '../errors.ts';
import type { KubeApi } from '../kube/api.ts';
import type { Deployment, EndpointSlice, KubeEvent, Pod } from '../kube/types.ts';
import { poll } from '../wait.ts';

export interface WaitForAppOptions {
  readonly namespace: string;
  readonly deployments: readonly string[];
  /** Also require ready endpoints behind this Service (omitted: Deployments only, e.g. a rollout). */
  readonly service?: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (status: string) => void;
}

/** Why a Deployment is not available yet, or undefined when it is (rollout finished). */
export function deploymentProblem(d: Deployment): string | undefined {
  const want = d.spec?.replicas ?? 1;
  const st = d.status ?? {};
  if ((st.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) return 'rollout not observed yet';
  if ((st.updatedReplicas ?? 0) < want) return `${st.updatedReplicas ?? 0}/${want} replicas updated`;
  if ((st.replicas ?? 0) > want) return `${(st.replicas ?? 0) - want} old replica(s) still terminating`;
  if ((st.availableReplicas ?? 0) < want) return `${st.availableReplicas ?? 0}/${want} replicas available`;
  return undefined;
}

export const readyAddresses = (slices: readonly EndpointSlice[]): number =>
  new Set(slices.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).flatMap((e) => e.addresses))).size;

/**
 * Waits until every Deployment has finished rolling out and the Service has ready endpoints.
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
        for (const name of options.deployments) {
          const d = await api.get<Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name }, signal);
          const p = d ? deploymentProblem(d) : 'not found';
          if (p) problems.push(`Deployment ${name}: ${p}`);
        }
        let ready = 0;
        if (options.service !== undefined) {
          const slices = await api.list<EndpointSlice>({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', namespace }, { labelSelector: `kubernetes.io/service-name=${options.service}` }, signal);
          ready = readyAddresses(slices);
          if (ready === 0) problems.push(`Service ${options.service}: no ready endpoints`);
        }
        const status = problems.join('; ') || (options.service !== undefined ? `ready (${ready} endpoints)` : 'rolled out');
        if (status !== last) options.onProgress?.(status);
        last = status;
        if (problems.length === 0) return true;
        why(problems.join('; '));
        return undefined;
      },
      { timeoutMs: options.timeoutMs, intervalMs: 1000, signal, what: `the app in namespace ${namespace} to become ready` },
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
