import { clockOrigin, estimateClockOffset, type Clock, type ClockOffset, type ClockSample } from '../clock.ts';
import { ErrorCode, ZdtError, isZdtError } from '../errors.ts';
import type { KubeApi } from '../kube/api.ts';
import type { KubeObject, Pod, Service } from '../kube/types.ts';
import type { LoadedManifest } from '../manifests/load.ts';
import { placeOf } from '../manifests/render.ts';
import { loadPodBundle } from '../load/bundle.ts';
import { NO_COUNTS, reportedLoad, resolveLoadOptions, type LoadCounts, type LoadHandle, type LoadOptions } from '../load/loop.ts';
import { DEFINITIVE_FOR_MS } from '../load/probe.ts';
import type { RequestLog } from '../load/types.ts';
import { CONTROL_PORT, LogAssembler, parsePodLine, type PodLoadInput, type PodLoadStatus } from '../load/wire.ts';
import { abortError, poll, sleep } from '../wait.ts';
import { podPlacement, RESTRICTED, type LoadPlacement } from './placement.ts';

const PROGRAM = 'load.cjs';
/** Round trips for the clock offset; the shortest one counts. */
const CLOCK_SAMPLES = 7;
/** How often the counters are read from the pod while it runs, ms: progress only. */
const STATUS_MS = 1000;
/** After /stop: in-flight requests end within the load's timeouts, then the records are written. */
const EXIT_GRACE_MS = 60_000;
/** How long the scheduler may find no node before the start fails, rather than after the whole ready timeout. */
const UNSCHEDULABLE_FOR_MS = 10_000;
/** Waiting reasons after which the container will not start without a change. */
const STUCK = new Set(['ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError', 'CrashLoopBackOff']);

export interface InClusterLoadOptions {
  readonly api: KubeApi;
  /** A namespace of zdt's own for the pod and its ConfigMap (the app's watchers and drains never see it). */
  readonly namespace: string;
  /** The pod's name (and its ConfigMap's). */
  readonly name: string;
  readonly image: string;
  readonly placement: LoadPlacement;
  /** The load, as startLoad takes it; `url` is what the pod reaches, e.g. http://web.ns.svc:80/. */
  readonly load: Omit<LoadOptions, 'clock' | 'signal'>;
  /** The run clock: the records come back on it, the clock offset applied. */
  readonly clock: Clock;
  /** For the pod to run and the Service to answer its probes, ms. */
  readonly readyTimeoutMs: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (message: string) => void;
}

export interface InClusterLoad extends LoadHandle {
  /**
   * Resolves once the pod's load has begun; rejects when it could not start, the reason and what
   * to do in the message: ZDT_LOAD (image, scheduling, the API server's pod proxy, a timeout),
   * ZDT_APP_NOT_READY (the Service keeps answering a client error), ZDT_KUBE_API, ZDT_ABORTED.
   */
  readonly started: Promise<void>;
  readonly pod: string;
  /** Set once started. */
  readonly node: string | undefined;
  /** The pod's clock against this machine's, set once started. */
  readonly clockOffset: ClockOffset | undefined;
}

/**
 * A Service the load pod cannot judge by its name: a headless one resolves to single pods (the
 * pod would go on loading one it looked up, on the pod's own port), and one with
 * internalTrafficPolicy Local sends a client only to pods on the client's node, where the load
 * pod is placed not to be. Throws ZDT_SERVICE naming the way out.
 */
export function checkInClusterService(loaded: LoadedManifest & { object: Service }): void {
  const svc = loaded.object;
  const name = svc.metadata?.name ?? '';
  const refuse = (why: string) => new ZdtError(ErrorCode.Service, `${placeOf(loaded)}: Service ${name} ${why}: choose another Service with --service, or another --entry`, { details: { service: name } });
  if (svc.spec?.clusterIP === 'None') throw refuse('is headless (clusterIP: None): its name resolves to single pods, which the load pod would keep loading as they go');
  if (svc.spec?.internalTrafficPolicy === 'Local') throw refuse('has internalTrafficPolicy Local: a client reaches only pods on its own node, and the load pod runs where the app does not');
}

/** The pod and its ConfigMap (the bundled program), as zdt applies them. */
export function loadPodObjects(o: Pick<InClusterLoadOptions, 'namespace' | 'name' | 'image' | 'placement' | 'load'>, program: string): [KubeObject, Pod] {
  const metadata = { name: o.name, namespace: o.namespace, labels: { 'app.kubernetes.io/name': 'zdt-load', 'app.kubernetes.io/managed-by': 'zdt' } };
  const input: PodLoadInput = { options: o.load };
  const configMap: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { [PROGRAM]: program } };
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec: {
      restartPolicy: 'Never',
      enableServiceLinks: false,
      automountServiceAccountToken: false,
      ...podPlacement(o.placement),
      securityContext: RESTRICTED.pod,
      containers: [
        {
          name: 'load',
          image: o.image,
          imagePullPolicy: 'IfNotPresent',
          command: ['node', `/zdt/${PROGRAM}`],
          env: [{ name: 'ZDT_LOAD', value: JSON.stringify(input) }],
          ports: [{ containerPort: CONTROL_PORT, name: 'control' }],
          volumeMounts: [{ name: 'program', mountPath: '/zdt', readOnly: true }],
          securityContext: RESTRICTED.container,
          // Burstable, not BestEffort: the generator is not the first to lose CPU or be evicted.
          resources: { requests: { cpu: '100m', memory: '128Mi' } },
        },
      ],
      volumes: [{ name: 'program', configMap: { name: o.name } }],
    },
  };
  return [configMap, pod];
}

/**
 * Runs the load in a pod (`--entry in-cluster`): the east-west path, a client pod reaching the
 * Service by its name through its own node's kube-proxy. The pod (pod-main.ts, bundled, in a
 * ConfigMap) probes the Service until it answers, then loads it; zdt reads its counters and
 * clock through the API server's pod proxy, stops it there, and reads the records back from the
 * pod's log, moved onto the run clock by the measured clock offset (NTP's estimate over
 * CLOCK_SAMPLES round trips). The handle is a LoadHandle like startLoadThread's.
 * `done` rejects with ZDT_LOAD when the pod failed or its records did not all come back.
 */
export function startInClusterLoad(o: InClusterLoadOptions): InClusterLoad {
  resolveLoadOptions({ ...o.load, clock: o.clock });
  if (o.signal?.aborted) throw abortError(o.signal);
  const { api, namespace, name, signal } = o;
  let counts: LoadCounts = NO_COUNTS;
  let node: string | undefined;
  let clockOffset: ClockOffset | undefined;
  let origin: number | undefined;
  let stopRequested = false;
  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  const requestStop = () => {
    stopRequested = true;
    wake();
  };
  const proxy = <T>(path: string) => api.podProxyGet(namespace, name, CONTROL_PORT, path).then((text) => JSON.parse(text) as T);

  const started = (async () => {
    const [configMap, pod] = loadPodObjects(o, await loadPodBundle());
    await api.create(configMap, signal);
    await api.create(pod, signal);
    o.onProgress?.(`load pod ${namespace}/${name} created (image ${o.image})`);
    node = await waitRunning(api, namespace, name, o.readyTimeoutMs, signal);
    o.onProgress?.(`load pod ${name} running on ${node}, probing ${o.load.url}`);
    let definitiveSince: number | undefined;
    let answered = false;
    const status = await poll<{ origin: number }>(
      async (why) => {
        const s = await proxy<PodLoadStatus>('/status').catch((err: unknown) => {
          const code = isZdtError(err, ErrorCode.KubeApi) ? err.details.status : undefined;
          if (code === 401 || code === 403) {
            throw new ZdtError(ErrorCode.Load, `the API server refused zdt the load pod's port (${(err as Error).message}): zdt needs get on pods/proxy in namespace ${namespace}`, { cause: err });
          }
          why(`the API server does not reach its port ${CONTROL_PORT} yet (${(err as Error).message})`);
          return undefined;
        });
        if (s?.state === 'running') return { origin: s.origin };
        if (s?.state === 'probing' && s.probe) {
          answered = true;
          why(`${s.probe.failed}/${s.probe.sent} probe requests failed (${s.probe.answered})`);
          definitiveSince = s.probe.definitive ? (definitiveSince ?? performance.now()) : undefined;
          if (definitiveSince !== undefined && performance.now() - definitiveSince >= DEFINITIVE_FOR_MS) {
            throw new ZdtError(ErrorCode.AppNotReady, `${o.load.url} answered ${s.probe.answered} to every probe from the load pod: check --path, --host, --port and --expect-status`, { details: { url: o.load.url, statuses: s.probe.answered } });
          }
        }
        await assertNotStuck(api, namespace, name, signal);
        return undefined;
      },
      { timeoutMs: o.readyTimeoutMs, intervalMs: 500, signal, what: `load pod ${name} to reach ${o.load.url}` },
    ).catch((err: unknown) => {
      if (!isZdtError(err, ErrorCode.Timeout)) throw err;
      const hint = answered
        ? `does the Service answer from inside the cluster (a NetworkPolicy of the manifests may keep the load pod's namespace out)?`
        : `can the API server reach port ${CONTROL_PORT} of pods on ${node} (a firewall between control plane and nodes blocks its pod proxy)?`;
      throw new ZdtError(ErrorCode.Load, `${err.message}: ${hint}`, { cause: err });
    });
    origin = status.origin;
    const samples: ClockSample[] = [];
    for (let i = 0; i < CLOCK_SAMPLES; i++) {
      const sentAt = performance.timeOrigin + performance.now();
      const { now } = await proxy<{ now: number }>('/clock');
      samples.push({ sentAt, remoteAt: now, receivedAt: performance.timeOrigin + performance.now() });
    }
    clockOffset = estimateClockOffset(samples);
  })();

  const done = (async (): Promise<RequestLog> => {
    // A stop before the load began ends the wait: there are no records to fetch.
    let begun = false;
    await Promise.race([started.then(() => (begun = true)), stopped]);
    if (!begun) throw new ZdtError(ErrorCode.Load, `load pod ${namespace}/${name} was stopped before its load began`);
    signal?.addEventListener('abort', requestStop, { once: true });
    if (signal?.aborted) requestStop();
    try {
      while (!stopRequested) {
        await Promise.race([sleep(STATUS_MS), stopped]);
        const s = await proxy<PodLoadStatus>('/status').catch(() => undefined);
        if (s && s.state !== 'probing') counts = s.counts;
      }
    } finally {
      signal?.removeEventListener('abort', requestStop);
    }
    await proxy('/stop').catch((err: unknown) => {
      throw new ZdtError(ErrorCode.Load, `could not stop load pod ${namespace}/${name} (${(err as Error).message}): its records are lost`, { cause: err });
    });
    const phase = await poll(
      async (why) => {
        const p = (await api.get<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace, name }))?.status?.phase;
        why(`phase ${p}`);
        return p === 'Succeeded' || p === 'Failed' ? p : undefined;
      },
      { timeoutMs: EXIT_GRACE_MS, intervalMs: 250, what: `load pod ${name} to write its records and exit` },
    );
    const text = await api.podLog(namespace, name);
    const assembler = new LogAssembler();
    for (const line of text.split('\n')) {
      const m = parsePodLine(line);
      if (m) assembler.accept(m);
    }
    if (phase === 'Failed') {
      const tail = text.split('\n').filter((l) => l && !parsePodLine(l)).slice(-5).join('\n');
      throw new ZdtError(ErrorCode.Load, `load pod ${namespace}/${name} failed while stopping${tail ? `:\n${tail}` : ''}`);
    }
    // Throws ZDT_LOAD, saying what is missing, when the log was cut off.
    return onRunClock(assembler.log(), origin! - clockOffset!.offsetMs - clockOrigin(o.clock));
  })();
  // Either may go unawaited (a stop before the start; a start that failed): the other carries the error.
  done.catch(() => undefined);
  started.catch(() => undefined);

  // Getters, not values: node and clockOffset are set once started.
  return Object.defineProperties(reportedLoad(() => counts, done, requestStop), {
    pod: { value: name, enumerable: true },
    node: { get: () => node, enumerable: true },
    clockOffset: { get: () => clockOffset, enumerable: true },
    started: { value: started, enumerable: true },
  }) as InClusterLoad;
}

/** The log with its times moved by `shiftMs` (the pod's t0 on this machine's run clock). */
function onRunClock(log: RequestLog, shiftMs: number): RequestLog {
  const scheduledAt = log.scheduledAt.map((t) => t + shiftMs);
  const startedAt = log.startedAt.map((t) => t + shiftMs);
  return { ...log, scheduledAt, startedAt };
}

/** Waits for the pod's container to run; its node. Fails early, saying what to do, when it will not. */
async function waitRunning(api: KubeApi, namespace: string, name: string, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  let unschedulableSince: number | undefined;
  return poll(
    async (why) => {
      const pod = await assertNotStuck(api, namespace, name, signal);
      const phase = pod?.status?.phase;
      if (phase === 'Running') return pod!.spec?.nodeName ?? '';
      const unschedulable = pod?.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');
      unschedulableSince = unschedulable ? (unschedulableSince ?? performance.now()) : undefined;
      // The scheduler retries as nodes change; none change during a run's start.
      if (unschedulableSince !== undefined && performance.now() - unschedulableSince >= UNSCHEDULABLE_FOR_MS) {
        throw new ZdtError(ErrorCode.Load, `load pod ${namespace}/${name} is not scheduled: ${unschedulable!.message}: choose a node the scenario does not take away with --load-node (a name, or a label selector such as zdt.dev/load=true)`, {
          details: { reason: 'Unschedulable' },
        });
      }
      why(unschedulable ? `not scheduled: ${unschedulable.message}` : `phase ${phase ?? 'unknown'}`);
      return undefined;
    },
    { timeoutMs, intervalMs: 500, signal, what: `load pod ${namespace}/${name} to run` },
  );
}

/** The pod; throws ZDT_LOAD when its container cannot start or already ended. */
async function assertNotStuck(api: KubeApi, namespace: string, name: string, signal?: AbortSignal): Promise<Pod | undefined> {
  const pod = await api.get<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace, name }, signal);
  const state = pod?.status?.containerStatuses?.[0]?.state;
  const waiting = state?.waiting;
  if (waiting?.reason && STUCK.has(waiting.reason)) {
    const image = pod?.spec?.containers[0]?.image;
    throw new ZdtError(ErrorCode.Load, `load pod ${namespace}/${name} cannot start: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}: give --load-image, an image with Node.js ${'>='} 20 that the cluster's nodes can pull (now ${image})`, {
      details: { reason: waiting.reason, image },
    });
  }
  if (pod?.status?.phase === 'Failed' || pod?.status?.phase === 'Succeeded') {
    const log = await api.podLog(namespace, name, {}, signal).catch(() => '');
    throw new ZdtError(ErrorCode.Load, `load pod ${namespace}/${name} exited before its load began${state?.terminated ? ` (${state.terminated.reason}, exit code ${state.terminated.exitCode})` : ''}:\n${log.trim().split('\n').slice(-5).join('\n')}`);
  }
  return pod;
}
