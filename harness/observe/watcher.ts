import { isZdtError } from '../errors.ts';
import type { KubeApi } from '../kube/api.ts';
import type { EndpointSlice, KubeObject, Node, ObjectRef, Pod, WatchEventType } from '../kube/types.ts';
import { sleep } from '../wait.ts';
import type { TimelineSink } from './events.ts';

export interface WatcherOptions {
  readonly namespace: string;
  /** The Service whose EndpointSlices are followed (label kubernetes.io/service-name). */
  readonly service: string;
  readonly sink: TimelineSink;
  /** A failed watch is reported here and retried (the run goes on). */
  readonly onError?: (err: unknown) => void;
}

export interface Watcher extends AsyncDisposable {
  /** Resolves once the first listing of pods, endpoints and nodes is recorded. */
  readonly synced: Promise<void>;
  stop(): Promise<void>;
}

const isReady = (conds: { type: string; status: string }[] | undefined) => conds?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/**
 * Follows Pods, EndpointSlices and Nodes during a run and turns state changes into timeline
 * events on the run clock: pod scheduled / ready / not ready / terminating / deleted, endpoint
 * ready / not ready / removed (one subject per address, so the report can count ready
 * endpoints), node ready / not ready. Each watch is re-established when the server ends it.
 */
export function startWatcher(api: KubeApi, options: WatcherOptions): Watcher {
  const { namespace, service, sink } = options;
  const controller = new AbortController();
  const signal = controller.signal;

  // Pods: remember what was last recorded per UID, so repeated ADDED (a re-watch) adds nothing.
  const pods = new Map<string, { node?: string; ready: boolean; terminating: boolean }>();
  const onPod = (type: WatchEventType, pod: Pod) => {
    const uid = pod.metadata?.uid;
    if (!uid) return;
    const subject = `pod/${pod.metadata?.name}`;
    if (type === 'DELETED') {
      if (pods.delete(uid)) sink.record('pod-deleted', subject, pod.spec?.nodeName);
      return;
    }
    const prev = pods.get(uid);
    const now = { node: pod.spec?.nodeName, ready: isReady(pod.status?.conditions), terminating: pod.metadata?.deletionTimestamp !== undefined };
    pods.set(uid, now);
    if (now.node && now.node !== prev?.node) sink.record('pod-scheduled', subject, now.node);
    if (now.terminating && !prev?.terminating) sink.record('pod-terminating', subject, now.node);
    if (now.ready !== (prev?.ready ?? false)) sink.record(now.ready ? 'pod-ready' : 'pod-not-ready', subject, now.node);
  };

  // Endpoints: per address across all slices of the Service; ready as kube-proxy routes it.
  const slices = new Map<string, Map<string, { ready: boolean; pod?: string }>>();
  const endpointState = new Map<string, boolean>();
  const recomputeEndpoints = () => {
    const merged = new Map<string, { ready: boolean; pod?: string }>();
    for (const eps of slices.values()) for (const [addr, st] of eps) if (!merged.get(addr)?.ready) merged.set(addr, st);
    for (const [addr, st] of merged) {
      if (endpointState.get(addr) === st.ready) continue;
      endpointState.set(addr, st.ready);
      sink.record(st.ready ? 'endpoint-ready' : 'endpoint-not-ready', `endpoint/${addr}`, st.pod);
    }
    for (const addr of [...endpointState.keys()]) {
      if (merged.has(addr)) continue;
      endpointState.delete(addr);
      sink.record('endpoint-removed', `endpoint/${addr}`);
    }
  };
  const onSlice = (type: WatchEventType, slice: EndpointSlice) => {
    const name = slice.metadata?.name ?? '';
    if (type === 'DELETED') slices.delete(name);
    else {
      const eps = new Map<string, { ready: boolean; pod?: string }>();
      for (const ep of slice.endpoints ?? []) {
        // An absent `ready` means ready (discovery/v1); terminating endpoints are not ready.
        const ready = ep.conditions?.ready !== false;
        for (const addr of ep.addresses) eps.set(addr, ep.targetRef?.name ? { ready, pod: ep.targetRef.name } : { ready });
      }
      slices.set(name, eps);
    }
    recomputeEndpoints();
  };

  const nodes = new Map<string, boolean>();
  const onNode = (_type: WatchEventType, node: Node) => {
    const name = node.metadata?.name ?? '';
    const ready = isReady(node.status?.conditions);
    const prev = nodes.get(name);
    nodes.set(name, ready);
    if (prev !== undefined && prev !== ready) sink.record(ready ? 'node-ready' : 'node-not-ready', `node/${name}`);
  };

  const follow = async <T extends KubeObject>(ref: ObjectRef, labelSelector: string | undefined, handle: (t: WatchEventType, o: T) => void, first: (items: T[]) => void) => {
    const opts = labelSelector ? { labelSelector } : {};
    first(await api.list<T>(ref, opts, signal));
    while (!signal.aborted) {
      try {
        // Without a resourceVersion the server starts with ADDED for every current object;
        // the handlers above ignore what they have already recorded.
        await api.watch(ref, opts, (t, o) => t !== 'BOOKMARK' && t !== 'ERROR' && handle(t, o as T), signal);
      } catch (err) {
        if (signal.aborted) return;
        options.onError?.(err);
        await sleep(500, signal).catch(() => {});
      }
    }
  };

  const podRef: ObjectRef = { apiVersion: 'v1', kind: 'Pod', namespace };
  const sliceRef: ObjectRef = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', namespace };
  const nodeRef: ObjectRef = { apiVersion: 'v1', kind: 'Node' };
  let markSynced: () => void = () => {};
  let failSync: (e: unknown) => void = () => {};
  const synced = new Promise<void>((resolve, reject) => {
    markSynced = resolve;
    failSync = reject;
  });
  // Awaited by the runner; marked handled so a run stopped before that leaks no rejection.
  synced.catch(() => {});
  let pending = 3;
  const primed = () => {
    if (--pending === 0) markSynced();
  };
  const loops = Promise.all([
    follow<Pod>(podRef, undefined, onPod, (items) => {
      // Pods that exist before the run are its starting state, not events.
      for (const p of items) if (p.metadata?.uid) pods.set(p.metadata.uid, { node: p.spec?.nodeName, ready: isReady(p.status?.conditions), terminating: p.metadata.deletionTimestamp !== undefined });
      primed();
    }),
    follow<EndpointSlice>(sliceRef, `kubernetes.io/service-name=${service}`, onSlice, (items) => {
      for (const s of items) onSlice('ADDED', s);
      primed();
    }),
    follow<Node>(nodeRef, undefined, onNode, (items) => {
      for (const n of items) onNode('ADDED', n);
      primed();
    }),
  ]).catch((err: unknown) => {
    if (!(signal.aborted && isZdtError(err))) failSync(err);
  });

  const stop = async () => {
    controller.abort();
    await loops;
  };
  return { synced, stop, [Symbol.asyncDispose]: stop };
}
