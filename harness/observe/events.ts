import type { Clock } from '../clock.ts';

/** What can happen during a run; load records and these share one clock (harness/clock.ts). */
export type TimelineKind =
  | 'load-start'
  | 'load-stop'
  | 'cordon'
  | 'uncordon'
  | 'taint-removed'
  | 'drain-start'
  | 'drain-done'
  | 'drain-failed'
  | 'eviction-accepted'
  | 'eviction-refused'
  | 'eviction-error'
  | 'pod-terminating'
  | 'pod-deleted'
  /** A container of a terminating pod ended with exit code 137 (SIGKILL: the grace period ran out); detail names it. */
  | 'container-killed'
  | 'pod-scheduled'
  | 'pod-ready'
  | 'pod-not-ready'
  | 'endpoint-ready'
  | 'endpoint-not-ready'
  | 'endpoint-removed'
  | 'node-ready'
  | 'node-not-ready'
  /** A node taken away on purpose (detail: kill, pause or disconnect; see harness/cluster/docker.ts). */
  | 'node-fault'
  /** That node given back (started, unpaused, reconnected). */
  | 'node-restored'
  | 'rollout-start'
  | 'rollout-done'
  /** A health check of zdt's load balancer failed on a node still in rotation (subject lb/<service>/<node>; detail: haproxy's reason). */
  | 'lb-check-failed'
  /** zdt's load balancer took a node out of rotation: its health check failed as often as it allows. */
  | 'lb-backend-down'
  /** A node healthy again for zdt's load balancer: put back in rotation, or passing its checks again before it was taken out. */
  | 'lb-backend-up'
  /** A drain's API call got no answer, or the 5xx (or, just after an outage, the 403) of a server not ready to give one; it retries. */
  | 'api-unreachable'
  /** The drain's calls are answered again after an 'api-unreachable'. */
  | 'api-reachable'
  /** The watcher lost a stream ("watch/pods"): from here on it does not see that part of the cluster. */
  | 'observer-gap-start'
  /** A fresh list of that stream succeeded: it sees again; what changed meanwhile follows, flagged as observed after the gap. */
  | 'observer-gap-end'
  | 'note';

export interface TimelineEvent {
  /** Milliseconds since the run's t0 (Clock.now()). */
  readonly t: number;
  readonly kind: TimelineKind;
  /** What it happened to: "node/zdt-worker", "pod/web-5d9c-abcde", "endpoint/web/10.244.1.5", "lb/web/zdt-worker" (a load balancer's backend). */
  readonly subject: string;
  readonly detail?: string;
}

/** The subject of an endpoint event: `endpoint/<service>/<address>`, the service by the name the run loads it as. */
export const endpointSubject = (service: string, address: string): string => `endpoint/${service}/${address}`;

/** The subject of a load balancer's event about a backend: `lb/<service>/<node>`, the service by the name the run loads it as. */
export const backendSubject = (service: string, node: string): string => `lb/${service}/${node}`;

/** The service and node a load balancer event's subject names (see backendSubject); undefined for any other subject. */
export function parseBackendSubject(subject: string): { readonly service: string; readonly node: string } | undefined {
  const [kind, service, node] = subject.split('/');
  return kind === 'lb' && service && node ? { service, node } : undefined;
}

/** The Service an event belongs to (endpoint and load balancer events); undefined for the rest, which concern every Service. */
export const serviceOfEvent = (e: TimelineEvent): string | undefined => parseEndpointSubject(e.subject)?.service ?? parseBackendSubject(e.subject)?.service;

/** The service and address an endpoint event's subject names (see endpointSubject); undefined for any other subject. */
export function parseEndpointSubject(subject: string): { readonly service: string; readonly address: string } | undefined {
  const [kind, service, address] = subject.split('/');
  return kind === 'endpoint' && service && address ? { service, address } : undefined;
}

/** How long zdt went without seeing (part of) the cluster, as events and the report say it: "12.4 s". */
export const gapDuration = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** Where drains, watchers and rollouts report what they did; stamps events on the run clock. */
export interface TimelineSink {
  record(kind: TimelineKind, subject: string, detail?: string): void;
}

export class Timeline implements TimelineSink {
  readonly #events: TimelineEvent[] = [];
  readonly #listeners = new Set<(e: TimelineEvent) => void>();

  constructor(readonly clock: Clock) {}

  record(kind: TimelineKind, subject: string, detail?: string): void {
    const event: TimelineEvent = detail === undefined ? { t: this.clock.now(), kind, subject } : { t: this.clock.now(), kind, subject, detail };
    this.#events.push(event);
    for (const l of this.#listeners) l(event);
  }

  /** Subscribe (for progress output); returns the unsubscribe function. */
  on(listener: (e: TimelineEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get events(): readonly TimelineEvent[] {
    return this.#events;
  }
}
