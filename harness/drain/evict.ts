/**
 * One pod's eviction, with every answer of the policy/v1 Eviction subresource handled the way
 * kubectl's drain does (pkg/drain/drain.go evictPods), and the wait for the pod to be gone.
 */
import { ErrorCode, ZdtError, isZdtError } from '../errors.ts';
import type { KubeApi } from '../kube/api.ts';
import type { Pod } from '../kube/types.ts';
import type { TimelineSink } from '../observe/events.ts';
import { poll, sleep } from '../wait.ts';
import { podKey } from './filters.ts';
import type { ResolvedDrainOptions } from './options.ts';
import type { ApiOutage } from './outage.ts';
import { pdbNameFromCauses, pdbsForPod } from './pdb.ts';

/** An eviction the server refused for now; it is retried after retryDelayMs. */
export interface Refusal {
  /** 429: a PodDisruptionBudget allows no disruption; 403: the namespace is terminating. */
  readonly status: 429 | 403;
  readonly message: string;
  /** The PDB named by the refusal's Status causes, when it names one. */
  readonly pdb?: string;
}

export interface EvictPodOptions extends Pick<ResolvedDrainOptions, 'retryDelayMs' | 'gracePeriodSeconds' | 'signal'> {
  readonly onRefused?: (refusal: Refusal) => void;
  /** Given, an eviction that reached no API server is retried like a refusal, and reported here. */
  readonly outage?: ApiOutage;
}

export type EvictionOutcome =
  /** Accepted (200/201): the pod is terminating now. */
  | 'evicted'
  /** Refused because its namespace is terminating, but the pod is already being deleted: wait for it. */
  | 'deleting'
  /** The pod no longer exists (404), or a new pod has taken its name: nothing to wait for. */
  | 'gone';

const MULTIPLE_PDBS = /more than one PodDisruptionBudget/i;

type StatusCause = { reason?: string; message?: string };

function causesOf(err: ZdtError): StatusCause[] {
  const causes = err.details.causes;
  return Array.isArray(causes) ? (causes as StatusCause[]) : [];
}

/** Server message plus its causes: the 429's message is generic, the cause names the PDB. */
function serverText(err: ZdtError): string {
  const message = typeof err.details.message === 'string' ? err.details.message : err.message;
  const causes = causesOf(err)
    .map((c) => c.message)
    .filter((m): m is string => typeof m === 'string' && m.length > 0);
  return causes.length > 0 ? `${message} (${causes.join('; ')})` : message;
}

async function multiplePdbsError(api: KubeApi, pod: Pod, err: ZdtError, signal?: AbortSignal): Promise<ZdtError> {
  // Naming the overlapping budgets is what the user needs to fix it; best effort only.
  const pdbs = await pdbsForPod(api, pod, signal).catch(() => []);
  const which = pdbs.length > 0 ? `: ${pdbs.join(', ')}` : '';
  return new ZdtError(
    ErrorCode.EvictionMultiplePdbs,
    `eviction of pod ${podKey(pod)} is impossible: it is selected by more than one PodDisruptionBudget${which} (${serverText(err)})`,
    { cause: err, details: { pod: podKey(pod), pdbs, status: err.details.status, message: err.details.message } },
  );
}

/**
 * Evicts `pod` until the server accepts, retrying refusals (429 PDB, 403 namespace terminating)
 * and, with `outage`, transient failures after `retryDelayMs` until `signal` aborts (the drain's
 * deadline). Every answer is recorded on the sink. Rejects with ZDT_EVICTION_MULTIPLE_PDBS (500,
 * never retried), the ZDT_KUBE_API error of any other failure, or ZDT_ABORTED.
 */
export async function evictPod(api: KubeApi, pod: Pod, options: EvictPodOptions, sink?: TimelineSink): Promise<EvictionOutcome> {
  const namespace = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  const subject = `pod/${name}`;
  const evictOptions = options.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: options.gracePeriodSeconds } : {};
  let active = pod;
  for (;;) {
    try {
      await api.evict(namespace, name, evictOptions, options.signal);
      options.outage?.answered();
      sink?.record('eviction-accepted', subject, `namespace ${namespace}`);
      return 'evicted';
    } catch (err) {
      if (!isZdtError(err, ErrorCode.KubeApi)) throw err;
      const status = err.details.status;
      const namespaceTerminating = causesOf(err).some((c) => c.reason === 'NamespaceTerminating');
      const multiplePdbs = status === 500 && MULTIPLE_PDBS.test(serverText(err));
      // The eviction subresource's own answers first; only what is left can be an unreachable server.
      const answer = status === 404 || status === 429 || namespaceTerminating || multiplePdbs;
      const unreachable = !answer && options.outage?.transient(err) === true;
      if (!unreachable && typeof status === 'number') options.outage?.answered();
      if (status === 404) {
        sink?.record('note', subject, 'eviction: pod already gone (404)');
        return 'gone';
      }
      if (status === 429) {
        const pdb = pdbNameFromCauses(err.details.causes);
        sink?.record('eviction-refused', subject, serverText(err));
        options.onRefused?.({ status, message: serverText(err), ...(pdb !== undefined ? { pdb } : {}) });
      } else if (status === 403 && namespaceTerminating && active.metadata?.deletionTimestamp) {
        // Evictions in a terminating namespace never succeed, but this pod is already on its way out.
        sink?.record('note', subject, `eviction refused, namespace terminating; pod already deleting: ${serverText(err)}`);
        return 'deleting';
      } else if (status === 403 && namespaceTerminating) {
        // The namespace controller will delete the pod soon; retry until it has started to.
        sink?.record('eviction-refused', subject, serverText(err));
        options.onRefused?.({ status, message: serverText(err) });
      } else if (multiplePdbs) {
        sink?.record('eviction-error', subject, serverText(err));
        throw await multiplePdbsError(api, pod, err, options.signal);
      } else if (unreachable) {
        options.outage?.failed(err);
      } else {
        sink?.record('eviction-error', subject, err.message);
        throw err;
      }
    }
    await sleep(options.retryDelayMs, options.signal);
    const fresh = await refresh(api, active, options.signal);
    // Unlike kubectl, never evict a new pod that took the name: the one we were asked about is gone.
    if (!fresh || fresh.metadata?.uid !== pod.metadata?.uid) return 'gone';
    active = fresh;
  }
}

/** The pod's current state; on an API error (not an abort) the last known state, as kubectl does. */
async function refresh(api: KubeApi, pod: Pod, signal?: AbortSignal): Promise<Pod | undefined> {
  try {
    return await api.get<Pod>(podRef(pod), signal);
  } catch (err) {
    if (isZdtError(err, ErrorCode.KubeApi)) return pod;
    throw err;
  }
}

const podRef = (pod: Pod) => ({ apiVersion: 'v1', kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '' });

export interface WaitGoneOptions {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly signal?: AbortSignal;
  /** Given, a poll that reached no API server is polled again at the next interval, and reported here. */
  readonly outage?: ApiOutage;
}

/**
 * Resolves once the pod is deleted or its name belongs to a pod with another UID (a StatefulSet
 * recreated it). Rejects with ZDT_TIMEOUT naming the pod's last state, or ZDT_ABORTED.
 */
export async function waitForPodGone(api: KubeApi, pod: Pod, { timeoutMs, intervalMs, signal, outage }: WaitGoneOptions): Promise<void> {
  const key = podKey(pod);
  let last = '';
  try {
    await poll(
      async (why) => {
        let current: Pod | undefined;
        try {
          current = await api.get<Pod>(podRef(pod), signal);
        } catch (err) {
          if (!outage?.transient(err)) throw err;
          outage.failed(err);
          last = `pod ${key} not seen: API server unreachable (${err.message})`;
          why(last);
          return undefined;
        }
        outage?.answered();
        if (!current || current.metadata?.uid !== pod.metadata?.uid) return true;
        last = `pod ${key} still present (${current.metadata?.deletionTimestamp ? 'terminating' : `phase ${current.status?.phase ?? 'unknown'}`})`;
        why(last);
        return undefined;
      },
      { timeoutMs, intervalMs, signal, what: `pod ${key} to be gone` },
    );
  } catch (err) {
    // A caller's deadline often arrives as an abort; keep what was last seen of the pod.
    if (!isZdtError(err, ErrorCode.Aborted) || !last) throw err;
    throw new ZdtError(ErrorCode.Aborted, `aborted waiting for pod ${key} to be gone: ${last}`, { cause: err, details: { pod: key, lastReason: last } });
  }
}
