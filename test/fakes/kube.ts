/**
 * In-memory KubeApi for unit tests. Objects live in a map; every call is logged with its time;
 * evictions and other calls can be scripted to fail like the API server does (status, reason,
 * message, Status causes), with the same ZDT_KUBE_API error shape as harness/kube/client.ts.
 */
import { ErrorCode, ZdtError } from '../../harness/errors.ts';
import type { ClusterIdentity, EvictOptions, KubeApi, ListOptions } from '../../harness/kube/api.ts';
import type { KubeObject, Node, ObjectRef, Pod, PodDisruptionBudget, WatchEventType } from '../../harness/kube/types.ts';
import { abortError } from '../../harness/wait.ts';

export type Verb = 'get' | 'list' | 'create' | 'patch' | 'apply' | 'delete' | 'evict' | 'watch' | 'log' | 'proxy';

export interface ScriptedError {
  status: number;
  reason?: string;
  message?: string;
  causes?: { reason?: string; message?: string; field?: string }[];
}

/** One answer to an eviction: accept it, or fail with a Status. */
export type EvictionStep = 'accept' | ScriptedError;

export interface Call {
  readonly verb: Verb;
  /** "pods ns/name", "nodes n1", "pods" (collection). */
  readonly target: string;
  /** performance.now() when the call was made. */
  readonly t: number;
  readonly body?: unknown;
}

/** An open watch; `end` closes it like the server would: cleanly, or with the error of a broken connection. */
type Listener = { ref: ObjectRef; onEvent: (type: WatchEventType, obj: KubeObject) => void; end: (err?: ZdtError) => void };

const clone = <T>(v: T): T => structuredClone(v);

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return clone(patch);
  const out: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export function apiError(verb: string, what: string, e: ScriptedError): ZdtError {
  const message = e.message ?? `scripted ${e.status}`;
  return new ZdtError(ErrorCode.KubeApi, `${verb} ${what} failed: ${e.status}${e.reason ? ` ${e.reason}` : ''}: ${message}`, {
    details: { status: e.status, reason: e.reason, message, causes: e.causes ?? [] },
  });
}

/**
 * What harness/kube/client.ts raises when a request reaches no API server (stopped, restarting):
 * no HTTP status, the system error's code instead.
 */
function unreachableError(verb: string, what: string, code = 'ECONNREFUSED'): ZdtError {
  const message = `request to https://127.0.0.1:6443 failed, reason: connect ${code} 127.0.0.1:6443`;
  return new ZdtError(ErrorCode.KubeApi, `${verb} ${what} failed: ${message}`, { details: { message, code, causes: [], verb, object: what } });
}

/** The API server's answers, as the eviction subresource really sends them. */
export const statuses = {
  pdbRefused: (pdb: string): ScriptedError => ({
    status: 429,
    reason: 'TooManyRequests',
    message: "Cannot evict pod as it would violate the pod's disruption budget.",
    causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdb} needs 2 healthy pods and has 2 currently` }],
  }),
  multiplePdbs: (): ScriptedError => ({
    status: 500,
    reason: 'InternalError',
    message: 'Internal error occurred: This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
  }),
  namespaceTerminating: (ns: string): ScriptedError => ({
    status: 403,
    reason: 'Forbidden',
    message: `pods "x" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
    causes: [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }],
  }),
  notFound: (): ScriptedError => ({ status: 404, reason: 'NotFound', message: 'pods "x" not found' }),
} as const;

export class FakeKubeApi implements KubeApi {
  readonly identity: ClusterIdentity = { server: 'https://127.0.0.1:6443', context: 'kind-fake', cluster: 'kind-fake' };
  readonly calls: Call[] = [];
  /** Per pod "namespace/name": answers to its successive evictions; once exhausted, evictions are accepted. */
  readonly evictions = new Map<string, EvictionStep[]>();
  /** What a pod answers through the API server's proxy, per pod "namespace/name"; a pod without an entry answers 503 as an unready pod does. */
  readonly podServers = new Map<string, (port: number, path: string) => string>();
  /** Each pod's log, per "namespace/name"; a pod without an entry has an empty log. */
  readonly podLogs = new Map<string, string>();
  /** What an accepted eviction does; default: the pod is deleted at once. */
  onEvicted: (pod: Pod, api: FakeKubeApi) => void = (pod, api) => api.remove(podRef(pod));

  readonly #objects = new Map<string, KubeObject>();
  readonly #failures: { verb: Verb; match: (target: string) => boolean; error: ScriptedError }[] = [];
  readonly #listeners = new Set<Listener>();
  /** Set while the server is down: the code every call fails with. */
  #down: string | undefined;
  #uid = 0;
  #rv = 0;

  constructor(objects: KubeObject[] = []) {
    for (const o of objects) this.put(o);
  }

  /** Stores (or replaces) an object, assigning uid and resourceVersion when missing. */
  put<T extends KubeObject>(obj: T): T {
    const stored = clone(obj);
    const metadata = (stored.metadata ??= {});
    const key = keyOf(refOfObj(stored));
    const existed = this.#objects.has(key);
    metadata.uid ??= `uid-${++this.#uid}`;
    metadata.resourceVersion = String(++this.#rv);
    this.#objects.set(key, stored);
    this.#notify(existed ? 'MODIFIED' : 'ADDED', stored);
    return clone(stored);
  }

  /** Deletes an object directly (no call logged). */
  remove(ref: ObjectRef & { name: string }): boolean {
    const key = keyOf(ref);
    const obj = this.#objects.get(key);
    if (!obj) return false;
    this.#objects.delete(key);
    this.#notify('DELETED', obj);
    return true;
  }

  /** The stored object (a copy), or undefined. */
  peek<T extends KubeObject>(ref: ObjectRef & { name: string }): T | undefined {
    const obj = this.#objects.get(keyOf(ref));
    return obj ? (clone(obj) as T) : undefined;
  }

  /** Makes the next `verb` call whose target matches fail once with `error`. */
  failNext(verb: Verb, error: ScriptedError, match: (target: string) => boolean = () => true): void {
    this.#failures.push({ verb, match, error });
  }

  /**
   * Stops the API server: open watches break and every call fails like a refused connection
   * (it is still logged) until serverUp(). put/remove still work, standing for what changed
   * before a watcher could list again.
   */
  serverDown(code = 'ECONNREFUSED'): void {
    this.#down = code;
    for (const l of [...this.#listeners]) l.end(unreachableError('watch', describe(l.ref), code));
  }

  serverUp(): void {
    this.#down = undefined;
  }

  /** Ends every open watch cleanly, as the server does when a watch times out. */
  endWatches(): void {
    for (const l of [...this.#listeners]) l.end();
  }

  callsOf(verb: Verb, target?: string): Call[] {
    return this.calls.filter((c) => c.verb === verb && (target === undefined || c.target === target));
  }

  #enter(verb: Verb, target: string, signal: AbortSignal | undefined, body?: unknown): void {
    if (signal?.aborted) throw abortError(signal);
    this.calls.push(body === undefined ? { verb, target, t: performance.now() } : { verb, target, t: performance.now(), body: clone(body) });
    if (this.#down !== undefined) throw unreachableError(verb, target, this.#down);
    const i = this.#failures.findIndex((f) => f.verb === verb && f.match(target));
    if (i >= 0) {
      const [f] = this.#failures.splice(i, 1);
      throw apiError(verb, target, f!.error);
    }
  }

  #notify(type: WatchEventType, obj: KubeObject): void {
    const ref = refOfObj(obj);
    for (const l of this.#listeners) {
      if (l.ref.apiVersion === ref.apiVersion && l.ref.kind === ref.kind && (l.ref.namespace === undefined || l.ref.namespace === ref.namespace)) {
        l.onEvent(type, clone(obj));
      }
    }
  }

  async get<T extends KubeObject>(ref: ObjectRef & { name: string }, signal?: AbortSignal): Promise<T | undefined> {
    this.#enter('get', describe(ref), signal);
    return this.peek<T>(ref);
  }

  async list<T extends KubeObject>(ref: ObjectRef, options: ListOptions = {}, signal?: AbortSignal): Promise<T[]> {
    this.#enter('list', describe({ apiVersion: ref.apiVersion, kind: ref.kind, ...(ref.namespace !== undefined ? { namespace: ref.namespace } : {}) }), signal);
    const fields = parseSelector(options.fieldSelector);
    const labels = parseSelector(options.labelSelector);
    return [...this.#objects.values()]
      .filter((o) => o.apiVersion === ref.apiVersion && o.kind === ref.kind)
      .filter((o) => ref.namespace === undefined || o.metadata?.namespace === ref.namespace)
      .filter((o) => fields.every(([path, v]) => String(pathValue(o, path)) === v))
      .filter((o) => labels.every(([k, v]) => o.metadata?.labels?.[k] === v))
      .map((o) => clone(o) as T);
  }

  async create<T extends KubeObject>(obj: T, signal?: AbortSignal): Promise<T> {
    const ref = refOfObj(obj);
    this.#enter('create', describe(ref), signal, obj);
    if (this.#objects.has(keyOf(ref))) throw apiError('create', describe(ref), { status: 409, reason: 'AlreadyExists', message: `${describe(ref)} already exists` });
    return this.put(obj);
  }

  async patch<T extends KubeObject>(ref: ObjectRef & { name: string }, patch: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
    this.#enter('patch', describe(ref), signal, patch);
    const current = this.#objects.get(keyOf(ref));
    if (!current) throw apiError('patch', describe(ref), { status: 404, reason: 'NotFound', message: `${describe(ref)} not found` });
    const wantRv = (patch.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
    if (wantRv !== undefined && wantRv !== current.metadata?.resourceVersion) {
      throw apiError('patch', describe(ref), { status: 409, reason: 'Conflict', message: 'the object has been modified; please apply your changes to the latest version and try again' });
    }
    return this.put(mergePatch(current, patch) as T);
  }

  async apply<T extends KubeObject>(obj: T, _fieldManager: string, signal?: AbortSignal): Promise<T> {
    const ref = refOfObj(obj);
    this.#enter('apply', describe(ref), signal, obj);
    const current = this.#objects.get(keyOf(ref));
    return this.put(allocatePorts(current ? ({ ...obj, metadata: { ...obj.metadata, uid: current.metadata?.uid } } as T) : obj));
  }

  async delete(ref: ObjectRef & { name: string }, _options?: { gracePeriodSeconds?: number }, signal?: AbortSignal): Promise<boolean> {
    this.#enter('delete', describe(ref), signal);
    return this.remove(ref);
  }

  async podLog(namespace: string, name: string, _options: { container?: string } = {}, signal?: AbortSignal): Promise<string> {
    const ref = { apiVersion: 'v1', kind: 'Pod', namespace, name };
    this.#enter('log', describe(ref), signal);
    if (!this.#objects.has(keyOf(ref))) throw apiError('log', describe(ref), { status: 404, reason: 'NotFound' });
    return this.podLogs.get(`${namespace}/${name}`) ?? '';
  }

  async podProxyGet(namespace: string, name: string, port: number, path: string, signal?: AbortSignal): Promise<string> {
    const ref = { apiVersion: 'v1', kind: 'Pod', namespace, name };
    this.#enter('proxy', `${describe(ref)}:${port}${path}`, signal);
    const server = this.podServers.get(`${namespace}/${name}`);
    if (!this.#objects.has(keyOf(ref)) || !server) throw apiError('proxy', describe(ref), { status: 503, reason: 'ServiceUnavailable' });
    return server(port, path);
  }

  async evict(namespace: string, name: string, options: EvictOptions = {}, signal?: AbortSignal): Promise<void> {
    const ref = { apiVersion: 'v1', kind: 'Pod', namespace, name };
    this.#enter('evict', describe(ref), signal, options);
    const step = this.evictions.get(`${namespace}/${name}`)?.shift() ?? 'accept';
    if (step !== 'accept') throw apiError('create', `eviction of pod ${namespace}/${name}`, step);
    const pod = this.peek<Pod>(ref);
    if (!pod) throw apiError('create', `eviction of pod ${namespace}/${name}`, statuses.notFound());
    this.onEvicted(pod, this);
  }

  async watch(ref: ObjectRef, _options: ListOptions, onEvent: (type: WatchEventType, obj: KubeObject) => void, signal: AbortSignal): Promise<void> {
    this.#enter('watch', describe(ref), undefined);
    if (signal.aborted) return;
    await new Promise<void>((resolve, reject) => {
      const end = (err?: ZdtError) => {
        this.#listeners.delete(listener);
        signal.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
      };
      const onAbort = () => end();
      const listener: Listener = { ref, onEvent, end };
      this.#listeners.add(listener);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function refOfObj(obj: KubeObject): ObjectRef & { name: string } {
  const ref: ObjectRef & { name: string } = { apiVersion: obj.apiVersion ?? 'v1', kind: obj.kind ?? '', name: obj.metadata?.name ?? '' };
  if (obj.metadata?.namespace !== undefined) ref.namespace = obj.metadata.namespace;
  return ref;
}

const keyOf = (ref: ObjectRef) => `${ref.apiVersion}|${ref.kind}|${ref.namespace ?? ''}|${ref.name ?? ''}`;
const podRef = (pod: Pod) => ({ apiVersion: 'v1', kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '' });

function describe(ref: ObjectRef): string {
  const kind = `${ref.kind.toLowerCase()}s`;
  if (ref.name === undefined) return ref.namespace ? `${kind} in ${ref.namespace}` : kind;
  return `${kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

function parseSelector(selector: string | undefined): [string, string][] {
  if (!selector) return [];
  return selector.split(',').map((term) => {
    const [k, v] = term.split('=');
    return [k!.trim(), (v ?? '').trim()];
  });
}

function pathValue(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[k] : undefined), obj);
}

// Builders for the objects drain tests need.

export function makeNode(name: string, spec: Node['spec'] = {}): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec };
}

export interface PodSpecOptions {
  node: string;
  namespace?: string;
  labels?: Record<string, string>;
  /** Controller kind ("ReplicaSet", "DaemonSet", ...); null for a bare pod. Default ReplicaSet. */
  owner?: string | null;
  phase?: NonNullable<Pod['status']>['phase'];
  emptyDir?: boolean;
  mirror?: boolean;
  deleting?: boolean;
}

export function makePod(name: string, o: PodSpecOptions): Pod {
  const owner = o.owner === undefined ? 'ReplicaSet' : o.owner;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      labels: o.labels ?? { app: 'web' },
      ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: owner, name: `${name}-owner`, uid: `owner-${name}`, controller: true }] } : {}),
      ...(o.mirror ? { annotations: { 'kubernetes.io/config.mirror': 'abc' } } : {}),
      ...(o.deleting ? { deletionTimestamp: new Date(0).toISOString() } : {}),
    },
    spec: {
      nodeName: o.node,
      containers: [{ name: 'c', image: 'nginx' }],
      ...(o.emptyDir ? { volumes: [{ name: 'scratch', emptyDir: {} }] } : {}),
    },
    status: { phase: o.phase ?? 'Running' },
  };
}

export function makePdb(name: string, namespace: string, matchLabels: Record<string, string>): PodDisruptionBudget {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace }, spec: { minAvailable: 1, selector: { matchLabels } } };
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejection(p: Promise<unknown>): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

let nextPort = 32000;
/**
 * What the API server adds to a Service on create: a NodePort for each port of a NodePort or
 * LoadBalancer Service that names none (unless allocateLoadBalancerNodePorts is false), and a
 * healthCheckNodePort for a LoadBalancer with externalTrafficPolicy Local.
 */
function allocatePorts<T extends KubeObject>(obj: T): T {
  const spec = (obj as { spec?: Record<string, unknown> }).spec;
  if (obj.kind !== 'Service' || !spec || (spec.type !== 'NodePort' && spec.type !== 'LoadBalancer')) return obj;
  const lb = spec.type === 'LoadBalancer';
  const ports = (spec.ports as { nodePort?: number }[] | undefined) ?? [];
  return {
    ...obj,
    spec: {
      ...spec,
      ports: ports.map((p) => (p.nodePort !== undefined || spec.allocateLoadBalancerNodePorts === false ? p : { ...p, nodePort: nextPort++ })),
      ...(lb && spec.externalTrafficPolicy === 'Local' && spec.healthCheckNodePort === undefined ? { healthCheckNodePort: nextPort++ } : {}),
    },
  } as T;
}
