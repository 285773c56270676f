import type { KubeObject, ObjectRef, WatchEventType } from './types.ts';

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface EvictOptions {
  gracePeriodSeconds?: number;
  dryRun?: boolean;
}

/** Where the API server is and which kubeconfig context reached it (for safety checks and reports). */
export interface ClusterIdentity {
  readonly server: string;
  readonly context: string;
  readonly cluster: string;
}

/**
 * The small Kubernetes API surface zdt uses. harness/kube/client.ts is its only real
 * implementation (and the only importer of @kubernetes/client-node); unit tests pass fakes.
 *
 * Failed calls reject with a ZdtError of code ZDT_KUBE_API whose details carry
 * `status` (HTTP status), `reason` (the Status reason) and `message`; `get` resolves
 * undefined on 404 instead. Every call takes an AbortSignal.
 */
export interface KubeApi {
  readonly identity: ClusterIdentity;
  get<T extends KubeObject>(ref: ObjectRef & { name: string }, signal?: AbortSignal): Promise<T | undefined>;
  list<T extends KubeObject>(ref: ObjectRef, options?: ListOptions, signal?: AbortSignal): Promise<T[]>;
  create<T extends KubeObject>(obj: T, signal?: AbortSignal): Promise<T>;
  /** JSON merge patch (RFC 7386). */
  patch<T extends KubeObject>(ref: ObjectRef & { name: string }, patch: Record<string, unknown>, signal?: AbortSignal): Promise<T>;
  /** Server-side apply with the given field manager, forcing conflicts. */
  apply<T extends KubeObject>(obj: T, fieldManager: string, signal?: AbortSignal): Promise<T>;
  /** Resolves true when deleted, false when it was already gone (404). */
  delete(ref: ObjectRef & { name: string }, options?: { gracePeriodSeconds?: number }, signal?: AbortSignal): Promise<boolean>;
  /** POST pods/<name>/eviction (policy/v1). Rejects with ZDT_KUBE_API carrying the status (429, 500, 404, ...). */
  evict(namespace: string, name: string, options?: EvictOptions, signal?: AbortSignal): Promise<void>;
  /** The pod's log (all of it, as text; GET pods/<name>/log), of its only container or of `container`. */
  podLog(namespace: string, name: string, options?: { container?: string }, signal?: AbortSignal): Promise<string>;
  /**
   * GET `path` on the pod's `port` through the API server's pod proxy (pods/<name>:<port>/proxy):
   * the answer's body, for a 2xx. Reaches a pod wherever it runs, with the kubeconfig's credentials.
   */
  podProxyGet(namespace: string, name: string, port: number, path: string, signal?: AbortSignal): Promise<string>;
  /**
   * Watches a collection until `signal` aborts or the server closes the stream; resolves then.
   * Callers that need a continuous watch re-list and re-watch (see harness/observe).
   */
  watch(
    ref: ObjectRef,
    options: ListOptions & { resourceVersion?: string },
    onEvent: (type: WatchEventType, obj: KubeObject) => void,
    signal: AbortSignal,
  ): Promise<void>;
}
