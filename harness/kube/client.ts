/**
 * The one adapter over @kubernetes/client-node. KubeConfig does what it is good at (kubeconfig
 * loading, contexts, TLS, exec/token auth) and its fetch transport carries the requests, but the
 * REST calls are raw JSON rather than KubernetesObjectApi/CoreV1Api, because in client-node 1.4:
 *  - KubernetesObjectApi ignores per-call options when sending, so a per-call AbortSignal cannot
 *    reach the request;
 *  - its typed (de)serialisation renames fields (`from` -> `_from` on NetworkPolicy rules,
 *    `default` -> `_default`, ...), so objects would not pass through unchanged and an apply
 *    of such a manifest would silently drop fields.
 */
import { HttpMethod, KubeConfig, RequestContext, IsomorphicFetchHttpLibrary, Watch } from '@kubernetes/client-node';
import { ErrorCode, ZdtError } from '../errors.ts';
import { abortError } from '../wait.ts';
import type { ClusterIdentity, EvictOptions, KubeApi, ListOptions } from './api.ts';
import type { KubeObject, ObjectRef, WatchEventType } from './types.ts';

export interface KubeClientOptions {
  /** Path of a kubeconfig file; default: $KUBECONFIG or ~/.kube/config. */
  kubeconfigPath?: string;
  /** Kubeconfig YAML content (wins over kubeconfigPath). */
  kubeconfig?: string;
  /** Context to use; default: the kubeconfig's current-context. */
  context?: string;
}

/** One entry of Status.details.causes; note the cause type is serialised as `reason`. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

interface Status {
  kind?: string;
  reason?: string;
  message?: string;
  details?: { causes?: StatusCause[] };
}

interface ResourceInfo {
  plural: string;
  namespaced: boolean;
}

type Query = Record<string, string | number | boolean | undefined>;

const MERGE_PATCH = 'application/merge-patch+json';
const APPLY_PATCH = 'application/apply-patch+yaml';

function loadKubeConfig(options: KubeClientOptions): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (options.kubeconfig !== undefined) kc.loadFromString(options.kubeconfig);
    else if (options.kubeconfigPath !== undefined) kc.loadFromFile(options.kubeconfigPath);
    else kc.loadFromDefault();
  } catch (err) {
    throw new ZdtError(ErrorCode.InvalidOption, `cannot load kubeconfig ${options.kubeconfigPath ?? '(default)'}: ${(err as Error).message}`, {
      cause: err,
      details: { option: 'kubeconfig', value: options.kubeconfigPath },
    });
  }
  if (options.context !== undefined) {
    if (!kc.getContextObject(options.context)) {
      throw new ZdtError(ErrorCode.InvalidOption, `kubeconfig has no context ${options.context}`, {
        details: { option: 'context', value: options.context },
      });
    }
    kc.setCurrentContext(options.context);
  }
  return kc;
}

function identityOf(kc: KubeConfig): ClusterIdentity {
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new ZdtError(ErrorCode.InvalidOption, `kubeconfig context ${kc.getCurrentContext() || '(none)'} names no cluster`, {
      details: { option: 'context', value: kc.getCurrentContext() },
    });
  }
  return Object.freeze({ server: cluster.server.replace(/\/+$/, ''), context: kc.getCurrentContext(), cluster: cluster.name });
}

/** Which API server a kubeconfig (and context) points at, without talking to it. */
export function readClusterIdentity(options: KubeClientOptions = {}): ClusterIdentity {
  return identityOf(loadKubeConfig(options));
}

function parseStatus(text: string): Status | undefined {
  try {
    const body = JSON.parse(text) as unknown;
    return typeof body === 'object' && body !== null ? (body as Status) : undefined;
  } catch {
    return undefined;
  }
}

/** ZDT_KUBE_API error for a non-2xx answer, naming verb, object, HTTP status and the server's message. */
function statusError(verb: string, what: string, status: number, text: string): ZdtError {
  const body = parseStatus(text);
  const reason = body?.reason;
  const message = body?.message ?? text.trim().slice(0, 500);
  const causes = body?.details?.causes ?? [];
  return new ZdtError(ErrorCode.KubeApi, `${verb} ${what} failed: ${status}${reason ? ` ${reason}` : ''}: ${message}`, {
    details: { status, reason, message, causes, verb, object: what },
  });
}

function describe(ref: ObjectRef): string {
  const kind = ref.kind.toLowerCase();
  if (ref.name === undefined) return ref.namespace ? `${kind} in namespace ${ref.namespace}` : kind;
  return `${kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

export function createKubeApi(options: KubeClientOptions = {}): KubeApi {
  const kc = loadKubeConfig(options);
  const identity = identityOf(kc);
  const defaultNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  const http = new IsomorphicFetchHttpLibrary();
  // apiVersion -> kind -> resource; refreshed on a miss so CRDs installed later are found.
  const discovered = new Map<string, Map<string, ResourceInfo>>();

  async function send(
    method: HttpMethod,
    path: string,
    query: Query,
    body: unknown,
    contentType: string | undefined,
    signal: AbortSignal | undefined,
    what: string,
    accept = 'application/json',
  ): Promise<{ status: number; text: string }> {
    if (signal?.aborted) throw abortError(signal);
    const ctx = new RequestContext(identity.server + path, method);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) ctx.setQueryParam(k, String(v));
    ctx.setHeaderParam('Accept', accept);
    if (body !== undefined) {
      ctx.setHeaderParam('Content-Type', contentType ?? 'application/json');
      ctx.setBody(JSON.stringify(body));
    }
    if (signal) ctx.setSignal(signal);
    try {
      await kc.applySecurityAuthentication(ctx);
      const res = await http.send(ctx).toPromise();
      return { status: res.httpStatusCode, text: await res.body.text() };
    } catch (err) {
      if (signal?.aborted) throw abortError(signal);
      // No HTTP answer: no status, but the system error's code (ECONNREFUSED, ECONNRESET, ...) tells an unreachable server apart.
      throw new ZdtError(ErrorCode.KubeApi, `${method} ${what} failed: ${(err as Error).message}`, {
        cause: err,
        details: { message: (err as Error).message, code: (err as { code?: unknown }).code, causes: [], verb: method, object: what },
      });
    }
  }

  async function discover(apiVersion: string, signal?: AbortSignal): Promise<Map<string, ResourceInfo>> {
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const res = await send(HttpMethod.GET, path, {}, undefined, undefined, signal, `discovery ${apiVersion}`);
    if (res.status !== 200) throw statusError('GET', `discovery ${apiVersion}`, res.status, res.text);
    const list = JSON.parse(res.text) as { resources?: { name: string; kind: string; namespaced: boolean }[] };
    const kinds = new Map<string, ResourceInfo>();
    // Subresources ("pods/eviction") share their parent's kind; only top-level names address objects.
    for (const r of list.resources ?? []) if (!r.name.includes('/')) kinds.set(r.kind, { plural: r.name, namespaced: r.namespaced });
    discovered.set(apiVersion, kinds);
    return kinds;
  }

  async function resource(ref: ObjectRef, signal?: AbortSignal): Promise<ResourceInfo> {
    const info = discovered.get(ref.apiVersion)?.get(ref.kind) ?? (await discover(ref.apiVersion, signal)).get(ref.kind);
    if (!info) {
      throw new ZdtError(ErrorCode.KubeApi, `the server has no resource of kind ${ref.kind} in ${ref.apiVersion}`, {
        details: { status: 404, reason: 'NotFound', message: `no kind ${ref.kind} in ${ref.apiVersion}`, causes: [] },
      });
    }
    return info;
  }

  /** Path of an object (ref.name set) or collection; a namespaced collection without namespace spans all namespaces. */
  async function pathOf(ref: ObjectRef, signal?: AbortSignal): Promise<string> {
    const info = await resource(ref, signal);
    const root = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
    const ns = info.namespaced ? (ref.namespace ?? (ref.name !== undefined ? defaultNamespace : undefined)) : undefined;
    const nsPart = ns !== undefined ? `/namespaces/${encodeURIComponent(ns)}` : '';
    const namePart = ref.name !== undefined ? `/${encodeURIComponent(ref.name)}` : '';
    return `${root}${nsPart}/${info.plural}${namePart}`;
  }

  function refOf(obj: KubeObject, withName: boolean): ObjectRef {
    if (!obj.apiVersion || !obj.kind) {
      throw new ZdtError(ErrorCode.InvalidOption, `object ${obj.metadata?.name ?? '(unnamed)'} has no apiVersion/kind`, {
        details: { option: 'obj', value: obj.metadata?.name },
      });
    }
    const ref: ObjectRef = { apiVersion: obj.apiVersion, kind: obj.kind };
    if (obj.metadata?.namespace !== undefined) ref.namespace = obj.metadata.namespace;
    if (withName && obj.metadata?.name !== undefined) ref.name = obj.metadata.name;
    return ref;
  }

  async function call<T>(
    verb: string,
    method: HttpMethod,
    ref: ObjectRef,
    query: Query,
    body: unknown,
    contentType: string | undefined,
    signal: AbortSignal | undefined,
    accept: (status: number, text: string) => T | undefined,
  ): Promise<T> {
    const what = describe(ref);
    const path = await pathOf(ref, signal);
    const res = await send(method, path, query, body, contentType, signal, what);
    const value = accept(res.status, res.text);
    if (value !== undefined) return value;
    throw statusError(verb, what, res.status, res.text);
  }

  const ok = (status: number) => status >= 200 && status < 300;
  // Logs and a pod's own answers are not Kubernetes objects; an error Status still comes as JSON.
  const TEXT = 'text/plain, application/json, */*';

  return {
    identity,

    get<T extends KubeObject>(ref: ObjectRef & { name: string }, signal?: AbortSignal): Promise<T | undefined> {
      type R = { found: T | undefined };
      return call<R>('get', HttpMethod.GET, ref, {}, undefined, undefined, signal, (status, text) => {
        if (status === 404) return { found: undefined };
        return ok(status) ? { found: JSON.parse(text) as T } : undefined;
      }).then((r) => r.found);
    },

    list<T extends KubeObject>(ref: ObjectRef, opts: ListOptions = {}, signal?: AbortSignal): Promise<T[]> {
      const collection: ObjectRef = ref.namespace !== undefined ? { apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace } : { apiVersion: ref.apiVersion, kind: ref.kind };
      const query = { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector };
      return call('list', HttpMethod.GET, collection, query, undefined, undefined, signal, (status, text) => {
        if (!ok(status)) return undefined;
        // List items carry no apiVersion/kind on the wire; restore them so items describe themselves.
        const items = (JSON.parse(text) as { items?: T[] }).items ?? [];
        return items.map((item) => ({ ...item, apiVersion: item.apiVersion ?? ref.apiVersion, kind: item.kind ?? ref.kind }));
      });
    },

    create<T extends KubeObject>(obj: T, signal?: AbortSignal): Promise<T> {
      return call('create', HttpMethod.POST, refOf(obj, false), {}, obj, 'application/json', signal, (status, text) =>
        ok(status) ? (JSON.parse(text) as T) : undefined,
      );
    },

    patch<T extends KubeObject>(ref: ObjectRef & { name: string }, patch: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
      return call('patch', HttpMethod.PATCH, ref, {}, patch, MERGE_PATCH, signal, (status, text) => (ok(status) ? (JSON.parse(text) as T) : undefined));
    },

    apply<T extends KubeObject>(obj: T, fieldManager: string, signal?: AbortSignal): Promise<T> {
      // JSON is YAML, so the apply-patch content type takes the object as JSON.
      return call('apply', HttpMethod.PATCH, refOf(obj, true), { fieldManager, force: true }, obj, APPLY_PATCH, signal, (status, text) =>
        ok(status) ? (JSON.parse(text) as T) : undefined,
      );
    },

    delete(ref: ObjectRef & { name: string }, opts: { gracePeriodSeconds?: number } = {}, signal?: AbortSignal): Promise<boolean> {
      return call('delete', HttpMethod.DELETE, ref, { gracePeriodSeconds: opts.gracePeriodSeconds }, undefined, undefined, signal, (status) =>
        status === 404 ? false : ok(status) ? true : undefined,
      );
    },

    async evict(namespace: string, name: string, opts: EvictOptions = {}, signal?: AbortSignal): Promise<void> {
      const ref = { apiVersion: 'v1', kind: 'Pod', namespace, name };
      const deleteOptions: Record<string, unknown> = {};
      if (opts.gracePeriodSeconds !== undefined) deleteOptions.gracePeriodSeconds = opts.gracePeriodSeconds;
      if (opts.dryRun) deleteOptions.dryRun = ['All'];
      const body = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace }, deleteOptions };
      const what = `eviction of pod ${namespace}/${name}`;
      const res = await send(HttpMethod.POST, `${await pathOf(ref, signal)}/eviction`, {}, body, 'application/json', signal, what);
      if (!ok(res.status)) throw statusError('create', what, res.status, res.text);
    },

    async podLog(namespace: string, name: string, opts: { container?: string } = {}, signal?: AbortSignal): Promise<string> {
      const what = `log of pod ${namespace}/${name}`;
      const res = await send(HttpMethod.GET, `${await pathOf({ apiVersion: 'v1', kind: 'Pod', namespace, name }, signal)}/log`, { container: opts.container }, undefined, undefined, signal, what, TEXT);
      if (!ok(res.status)) throw statusError('get', what, res.status, res.text);
      return res.text;
    },

    async podProxyGet(namespace: string, name: string, port: number, path: string, signal?: AbortSignal): Promise<string> {
      const what = `${path} on pod ${namespace}/${name}:${port}`;
      const pod = await pathOf({ apiVersion: 'v1', kind: 'Pod', namespace, name }, signal);
      const res = await send(HttpMethod.GET, `${pod.slice(0, -encodeURIComponent(name).length)}${encodeURIComponent(`${name}:${port}`)}/proxy${path}`, {}, undefined, undefined, signal, what, TEXT);
      if (!ok(res.status)) throw statusError('get', what, res.status, res.text);
      return res.text;
    },

    async watch(ref, opts, onEvent, signal): Promise<void> {
      if (signal.aborted) return;
      const path = await pathOf({ apiVersion: ref.apiVersion, kind: ref.kind, ...(ref.namespace !== undefined ? { namespace: ref.namespace } : {}) }, signal);
      const query = { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, resourceVersion: opts.resourceVersion, allowWatchBookmarks: true };
      await new Promise<void>((resolve, reject) => {
        let controller: AbortController | undefined;
        const onAbort = () => controller?.abort();
        signal.addEventListener('abort', onAbort, { once: true });
        const done = (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          if (err && !signal.aborted) {
            const status = (err as { statusCode?: number }).statusCode;
            const message = (err as Error).message;
            reject(
              new ZdtError(ErrorCode.KubeApi, `watch ${describe(ref)} failed: ${status ?? ''}${status ? ': ' : ''}${message}`, {
                cause: err,
                details: { status, message, code: (err as { code?: unknown }).code, causes: [], verb: 'watch', object: describe(ref) },
              }),
            );
          } else resolve();
        };
        new Watch(kc)
          .watch(path, query, (type, obj) => onEvent(type as WatchEventType, obj as KubeObject), done)
          // The controller only exists once the response headers arrived; abort then if asked meanwhile.
          .then((c) => {
            controller = c;
            if (signal.aborted) c.abort();
          }, done);
      });
    },
  };
}
