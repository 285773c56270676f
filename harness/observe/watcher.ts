import { isZdtError } from '../errors.ts';
import type { KubeApi } from '../kube/api.ts';
import type { EndpointSlice, KubeObject, Node, ObjectRef, Pod, WatchEventType } from '../kube/types.ts';
import { sleep } from '../wait.ts';
import { endpointSubject, gapDuration, type TimelineSink } from './events.ts';

export interface WatcherOptions {
  readonly namespace: string;
  /**
   * The Services whose EndpointSlices are followed (label kubernetes.io/service-name), each with
   * the name its endpoint events carry: `endpoint/<as>/<address>`. A run loads a user's Service
   * through a NodePort sibling; `as` is then the user's name for it.
   */
  readonly services: readonly { readonly service: string; readonly as: string }[];
  readonly sink: TimelineSink;
  /** A failed watch or re-list is reported here and retried (the run goes on). */
  readonly onError?: (err: unknown) => void;
}

export interface Watcher extends AsyncDisposable {
  /** Resolves once the first listing of pods, endpoints and nodes is recorded. */
  readonly synced: Promise<void>;
  stop(): Promise<void>;
}

const isReady = (conds: { type: string; status: string }[] | undefined) => conds?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Pause before a re-list that follows a failed one, doubling from the first to the most. */
const RELIST_FIRST_MS = 200;
const RELIST_MAX_MS = 2000;
/** A watch that lasted this long was healthy: when it ends, the re-list goes out at once. */
const HEALTHY_WATCH_MS = 10_000;

/** One followed collection and how its listings and watch events become timeline events. */
interface Stream<T extends KubeObject> {
  readonly ref: ObjectRef;
  readonly labelSelector?: string;
  /** Subject of its observer-gap events: "watch/pods". */
  readonly subject: string;
  /** The first listing: the run's starting state. */
  prime(items: T[]): void;
  /** A listing after a gap: every difference from what was known is recorded, its detail ending with `note`. */
  relist(items: T[], note: string): void;
  handle(type: WatchEventType, obj: T): void;
}

/** The detail of a change a re-list found, flagged as seen late. */
const withNote = (detail: string | undefined, note: string | undefined) => (note === undefined ? detail : detail === undefined ? note : `${detail} ${note}`);
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Follows Pods, EndpointSlices and Nodes during a run and turns state changes into timeline
 * events on the run clock: pod scheduled / ready / not ready / terminating / deleted, endpoint
 * ready / not ready / removed (one subject per Service and address, so the report can count
 * ready endpoints), node ready / not ready. When a stream is lost (the server ends it, or the API
 * server goes away) the watcher re-lists with backoff and watches again; from the loss to the
 * successful list is an observer gap (observer-gap-start / -end events), and whatever changed
 * meanwhile is recorded when the list shows it, flagged as observed after the gap, never with a
 * guessed time.
 */
export function startWatcher(api: KubeApi, options: WatcherOptions): Watcher {
  const { namespace, services, sink } = options;
  const controller = new AbortController();
  const signal = controller.signal;

  // Pods: what was last recorded per UID, so repeated ADDED (a re-watch) adds nothing.
  type PodState = { name: string; node?: string; ready: boolean; terminating: boolean; killed: readonly string[] };
  const pods = new Map<string, PodState>();
  const podState = (pod: Pod): PodState => ({
    name: pod.metadata?.name ?? '',
    node: pod.spec?.nodeName,
    ready: isReady(pod.status?.conditions),
    terminating: pod.metadata?.deletionTimestamp !== undefined,
    // 137 = 128 + SIGKILL: what the kubelet sends when the grace period runs out.
    killed: (pod.status?.containerStatuses ?? []).filter((c) => c.state?.terminated?.exitCode === 137).map((c) => c.name),
  });
  const podChanged = (pod: Pod, note?: string) => {
    const uid = pod.metadata?.uid;
    if (!uid) return;
    const subject = `pod/${pod.metadata?.name}`;
    const prev = pods.get(uid);
    const now = podState(pod);
    pods.set(uid, now);
    if (now.node && now.node !== prev?.node) sink.record('pod-scheduled', subject, withNote(now.node, note));
    if (now.terminating && !prev?.terminating) sink.record('pod-terminating', subject, withNote(now.node, note));
    if (now.ready !== (prev?.ready ?? false)) sink.record(now.ready ? 'pod-ready' : 'pod-not-ready', subject, withNote(now.node, note));
    for (const container of now.killed) {
      if (now.terminating && !prev?.killed.includes(container)) sink.record('container-killed', subject, withNote(`${container} exit 137 on ${now.node ?? '?'}`, note));
    }
  };
  const podGone = (uid: string, note?: string) => {
    const last = pods.get(uid);
    if (!last) return;
    pods.delete(uid);
    sink.record('pod-deleted', `pod/${last.name}`, withNote(last.node, note));
  };
  const podStream: Stream<Pod> = {
    ref: { apiVersion: 'v1', kind: 'Pod', namespace },
    subject: 'watch/pods',
    // Pods that exist before the run are its starting state, not events.
    prime: (items) => {
      for (const p of items) if (p.metadata?.uid) pods.set(p.metadata.uid, podState(p));
    },
    relist: (items, note) => {
      const listed = new Set(items.map((p) => p.metadata?.uid));
      for (const uid of [...pods.keys()]) if (!listed.has(uid)) podGone(uid, note);
      for (const p of items) podChanged(p, note);
    },
    handle: (type, pod) => (type === 'DELETED' ? podGone(pod.metadata?.uid ?? '') : podChanged(pod)),
  };

  // Endpoints: per address across all slices of a Service; ready as kube-proxy routes it.
  type Endpoint = { ready: boolean; pod?: string };
  const sliceStream = (service: string, as: string): Stream<EndpointSlice> => {
    const slices = new Map<string, Map<string, Endpoint>>();
    const endpointState = new Map<string, boolean>();
    const recomputeEndpoints = (note?: string) => {
      const merged = new Map<string, Endpoint>();
      for (const eps of slices.values()) for (const [addr, st] of eps) if (!merged.get(addr)?.ready) merged.set(addr, st);
      for (const [addr, st] of merged) {
        if (endpointState.get(addr) === st.ready) continue;
        endpointState.set(addr, st.ready);
        sink.record(st.ready ? 'endpoint-ready' : 'endpoint-not-ready', endpointSubject(as, addr), withNote(st.pod, note));
      }
      for (const addr of [...endpointState.keys()]) {
        if (merged.has(addr)) continue;
        endpointState.delete(addr);
        sink.record('endpoint-removed', endpointSubject(as, addr), note);
      }
    };
    const setSlice = (slice: EndpointSlice) => {
      const eps = new Map<string, Endpoint>();
      for (const ep of slice.endpoints ?? []) {
        // An absent `ready` means ready (discovery/v1); terminating endpoints are not ready.
        const ready = ep.conditions?.ready !== false;
        for (const addr of ep.addresses) eps.set(addr, ep.targetRef?.name ? { ready, pod: ep.targetRef.name } : { ready });
      }
      slices.set(slice.metadata?.name ?? '', eps);
    };
    const listSlices = (items: EndpointSlice[], note?: string) => {
      slices.clear();
      for (const s of items) setSlice(s);
      recomputeEndpoints(note);
    };
    return {
      ref: { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', namespace },
      labelSelector: `kubernetes.io/service-name=${service}`,
      subject: `watch/endpointslices/${as}`,
      prime: (items) => listSlices(items),
      relist: listSlices,
      handle: (type, slice) => {
        if (type === 'DELETED') slices.delete(slice.metadata?.name ?? '');
        else setSlice(slice);
        recomputeEndpoints();
      },
    };
  };

  const nodes = new Map<string, boolean>();
  const nodeChanged = (node: Node, note?: string) => {
    const name = node.metadata?.name ?? '';
    const ready = isReady(node.status?.conditions);
    const prev = nodes.get(name);
    nodes.set(name, ready);
    if (prev !== undefined && prev !== ready) sink.record(ready ? 'node-ready' : 'node-not-ready', `node/${name}`, note);
  };
  const listNodes = (items: Node[], note?: string) => {
    for (const n of items) nodeChanged(n, note);
  };
  const nodeStream: Stream<Node> = {
    ref: { apiVersion: 'v1', kind: 'Node' },
    subject: 'watch/nodes',
    prime: (items) => listNodes(items),
    relist: listNodes,
    handle: (_type, node) => nodeChanged(node),
  };

  const follow = async <T extends KubeObject>(stream: Stream<T>) => {
    const opts = stream.labelSelector ? { labelSelector: stream.labelSelector } : {};
    stream.prime(await api.list<T>(stream.ref, opts, signal));
    primed();
    let backoff = 0;
    while (!signal.aborted) {
      const watchedAt = performance.now();
      let lost = 'the server ended the watch';
      try {
        // Without a resourceVersion the server starts with ADDED for every current object;
        // the handlers ignore what they have already recorded.
        await api.watch(stream.ref, opts, (t, o) => t !== 'BOOKMARK' && t !== 'ERROR' && stream.handle(t, o as T), signal);
      } catch (err) {
        if (signal.aborted) return;
        options.onError?.(err);
        lost = messageOf(err);
      }
      if (signal.aborted) return;
      // Nothing of this stream is seen until a list succeeds again.
      const lostAt = performance.now();
      sink.record('observer-gap-start', stream.subject, lost);
      if (lostAt - watchedAt >= HEALTHY_WATCH_MS) backoff = 0;
      let items: T[] | undefined;
      while (items === undefined) {
        if (backoff > 0) await sleep(backoff, signal).catch(() => {});
        if (signal.aborted) return;
        backoff = Math.min(Math.max(2 * backoff, RELIST_FIRST_MS), RELIST_MAX_MS);
        try {
          items = await api.list<T>(stream.ref, opts, signal);
        } catch (err) {
          if (signal.aborted) return;
          options.onError?.(err);
        }
      }
      const gap = gapDuration(performance.now() - lostAt);
      sink.record('observer-gap-end', stream.subject, `listed again after ${gap}`);
      stream.relist(items, `(observed after a ${gap} observer gap)`);
    }
  };

  let markSynced: () => void = () => {};
  let failSync: (e: unknown) => void = () => {};
  const synced = new Promise<void>((resolve, reject) => {
    markSynced = resolve;
    failSync = reject;
  });
  // Awaited by the runner; marked handled so a run stopped before that leaks no rejection.
  synced.catch(() => {});
  const sliceStreams = services.map(({ service, as }) => sliceStream(service, as));
  let pending = 2 + sliceStreams.length;
  const primed = () => {
    if (--pending === 0) markSynced();
  };
  // Only a first listing that fails ends a loop (and fails `synced`): without a starting state there is nothing to diff against.
  const loops = Promise.all([follow(podStream), ...sliceStreams.map((st) => follow(st)), follow(nodeStream)]).catch((err: unknown) => {
    if (!(signal.aborted && isZdtError(err))) failSync(err);
  });

  const stop = async () => {
    controller.abort();
    await loops;
  };
  return { synced, stop, [Symbol.asyncDispose]: stop };
}
