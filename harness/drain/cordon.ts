import { ErrorCode, ZdtError, isZdtError } from '../errors.ts';
import type { KubeApi } from '../kube/api.ts';
import type { Node } from '../kube/types.ts';
import type { TimelineSink } from '../observe/events.ts';
import { retryTransient, type ApiOutage } from './outage.ts';

const nodeRef = (name: string) => ({ apiVersion: 'v1', kind: 'Node', name });

async function getNode(api: KubeApi, name: string, signal?: AbortSignal): Promise<Node> {
  const node = await api.get<Node>(nodeRef(name), signal);
  if (!node) {
    throw new ZdtError(ErrorCode.KubeApi, `node ${name} not found`, { details: { status: 404, reason: 'NotFound', message: `node ${name} not found`, causes: [] } });
  }
  return node;
}

/**
 * Marks the node unschedulable. Resolves true when this call cordoned it, false when it already
 * was: a failed drain must only undo a cordon it made itself. With `outage`, transient failures
 * are retried until `signal` aborts.
 */
export async function cordon(api: KubeApi, name: string, sink?: TimelineSink, signal?: AbortSignal, outage?: ApiOutage): Promise<boolean> {
  // Each call is retried by itself: a patch whose answer was lost is sent again, never taken for a cordon made by someone else.
  const node = await retryTransient(() => getNode(api, name, signal), outage, signal);
  if (node.spec?.unschedulable === true) return false;
  await retryTransient(() => api.patch(nodeRef(name), { spec: { unschedulable: true } }, signal), outage, signal);
  sink?.record('cordon', `node/${name}`);
  return true;
}

export async function uncordon(api: KubeApi, name: string, sink?: TimelineSink, signal?: AbortSignal, outage?: ApiOutage): Promise<void> {
  // null removes the field, which is how the API server itself represents "schedulable".
  await retryTransient(() => api.patch(nodeRef(name), { spec: { unschedulable: null } }, signal), outage, signal);
  sink?.record('uncordon', `node/${name}`);
}

const CONFLICT_RETRIES = 5;

/**
 * Removes every taint with `key` from the node. Resolves false when the node had none.
 * A merge patch replaces the whole taint list, so it carries the resourceVersion it was computed
 * from and is recomputed on a 409 conflict (a kubelet or controller may change taints meanwhile).
 */
export async function removeTaint(api: KubeApi, name: string, key: string, sink?: TimelineSink, signal?: AbortSignal): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const node = await getNode(api, name, signal);
    const taints = node.spec?.taints ?? [];
    const kept = taints.filter((t) => t.key !== key);
    if (kept.length === taints.length) return false;
    try {
      await api.patch(nodeRef(name), { metadata: { resourceVersion: node.metadata?.resourceVersion }, spec: { taints: kept } }, signal);
    } catch (err) {
      if (isZdtError(err, ErrorCode.KubeApi) && err.details.status === 409 && attempt < CONFLICT_RETRIES) continue;
      throw err;
    }
    const removed = taints.filter((t) => t.key === key).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`);
    sink?.record('taint-removed', `node/${name}`, removed.join(', '));
    return true;
  }
}
