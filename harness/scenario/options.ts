import { ErrorCode, ZdtError } from '../errors.ts';
import { createClock } from '../clock.ts';
import { MAX_TIMER_MS } from '../drain/options.ts';
import { resolveLoadOptions, type LoadOptions } from '../load/loop.ts';
import { parseExpectStatus } from '../load/status.ts';
import { CONNECTION_MODES, DEFAULT_CONNECTION_MODE } from '../load/pool.ts';
import { MAX_SERVICES } from '../deploy/service.ts';
import { NODE_FAULTS } from '../cluster/docker.ts';
import { parseLoadNode } from '../entry/placement.ts';
import { checkBudget } from '../verdict/budget.ts';
import { judgesFailedRequests } from '../verdict/thresholds.ts';
import { ENTRIES, type ScenarioOptions } from './types.ts';

export type ResolvedScenarioOptions = ScenarioOptions &
  Required<Pick<ScenarioOptions, 'rate' | 'connection' | 'warmupMs' | 'settleMs' | 'readyTimeoutMs' | 'restoreNodes' | 'nodePort' | 'path' | 'scheme' | 'insecure' | 'expectStatus' | 'entry'>>;

const bad = (option: string, value: unknown, rule: string) =>
  new ZdtError(ErrorCode.InvalidOption, `${option} ${rule}, got ${JSON.stringify(value)}`, { details: { option, value } });

/** The first NodePort the kind configs publish on 127.0.0.1 (kind-config/*.yaml extraPortMappings); Service i is loaded through this + i. */
export const DEFAULT_NODE_PORT = 30080;

/**
 * Checks a `url` load target (ScenarioOptions.url, `--url`) against the Services loaded: an
 * absolute http(s) URL without credentials or fragment, and one Service, since one URL leads to
 * one. Throws ZDT_INVALID_OPTION naming `option`.
 */
export function checkUrl(url: string, services: readonly string[] | undefined, option = 'url'): void {
  const refuse = (why: string) => new ZdtError(ErrorCode.InvalidOption, `${option} ${url}: ${why}`, { details: { option, value: url } });
  if (services !== undefined && services.length > 1) throw refuse(`one Service's load goes to one URL, and ${services.length} are loaded (${services.join(', ')}): choose one with --service`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refuse('not a valid absolute URL (scheme://host[:port]/path, port 1-65535)');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw refuse('must be http:// or https://');
  if (parsed.username !== '' || parsed.password !== '') throw refuse('holds credentials, which the reports would show: send them another way (a Host-routed test endpoint, or a URL without them)');
  if (url.includes('#')) throw refuse('has a fragment, which is never sent to the server: drop it');
}

/** Whether the load is https: an https `url`, else `scheme`. */
export const isHttps = (o: Pick<ScenarioOptions, 'url' | 'scheme'>): boolean => (o.url !== undefined ? URL.canParse(o.url) && new URL(o.url).protocol === 'https:' : o.scheme === 'https');

/**
 * Where the load enters: a NodePort zdt publishes, a load balancer zdt starts on the kind
 * network, and zdt's Ingress controller on such a NodePort work only on a kind cluster, so on
 * any other cluster `url` must say where the app's traffic enters, unless the load runs in the
 * cluster (entry 'in-cluster'). Throws ZDT_INVALID_OPTION.
 */
export function checkLoadEntry(o: Pick<ScenarioOptions, 'url' | 'entry'>, cluster: { readonly name: string; readonly isKind: boolean }): void {
  if (o.url !== undefined || o.entry === 'in-cluster' || cluster.isKind) return;
  if (o.entry === 'load-balancer' || o.entry === 'ingress') {
    const [what, yours] = o.entry === 'ingress' ? ['reaches its Ingress controller on a NodePort kind publishes', 'your Ingress host'] : ["starts its load balancer on kind's Docker network", "your own load balancer's address"];
    throw new ZdtError(ErrorCode.InvalidOption, `cluster ${cluster.name} is not a kind cluster, and --entry ${o.entry} ${what}: give --url, ${yours}, instead`, { details: { option: '--entry', value: o.entry } });
  }
  throw new ZdtError(
    ErrorCode.InvalidOption,
    `cluster ${cluster.name} is not a kind cluster, so none of its NodePorts is published on 127.0.0.1: give --url, where the app's traffic enters it (a load balancer, an Ingress host, or http://<node address>:<nodePort>), or --entry in-cluster to load it from a pod`,
    { details: { option: '--url', value: null } },
  );
}

/** The arrival rate of each Service's load: the load profile's, else `rate`. */
export function loadRateOf(o: ResolvedScenarioOptions): Pick<LoadOptions, 'ratePerSecond' | 'schedule'> {
  return o.loadProfile?.load ?? { ratePerSecond: o.rate };
}

/** Every scenario default lives here; values are checked before anything touches the cluster. */
export function resolveScenarioOptions(options: ScenarioOptions): ResolvedScenarioOptions {
  if (options.loadProfile && options.rate !== undefined) throw bad('rate', options.rate, `cannot be given with loadProfile (${options.loadProfile.source}), whose scenario replaces it: give one of them`);
  if (judgesFailedRequests(options.loadProfile?.thresholds) && options.budget?.maxFailed !== undefined) {
    throw bad('budget.maxFailed', options.budget.maxFailed, `cannot be given with loadProfile (${options.loadProfile!.source}), whose http_req_failed threshold judges failed requests: give one of them`);
  }
  const o: ResolvedScenarioOptions = {
    ...options,
    rate: options.rate ?? 200,
    connection: options.connection ?? DEFAULT_CONNECTION_MODE,
    warmupMs: options.warmupMs ?? 3000,
    settleMs: options.settleMs ?? 5000,
    readyTimeoutMs: options.readyTimeoutMs ?? 120_000,
    restoreNodes: options.restoreNodes ?? true,
    nodePort: options.nodePort ?? DEFAULT_NODE_PORT,
    path: options.path ?? '/',
    scheme: options.scheme ?? 'http',
    insecure: options.insecure ?? false,
    expectStatus: options.expectStatus ?? '200-399',
    entry: options.entry ?? 'nodeport',
  };
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(o.name)) throw bad('name', o.name, 'must be lower-case letters, digits and dashes');
  if (!(o.rate > 0)) throw bad('rate', o.rate, 'must be > 0 requests per second');
  for (const k of ['warmupMs', 'settleMs'] as const) if (!(o[k] >= 0)) throw bad(k, o[k], 'must be >= 0');
  if (!(o.readyTimeoutMs > 0)) throw bad('readyTimeoutMs', o.readyTimeoutMs, 'must be > 0');
  for (const k of ['warmupMs', 'settleMs', 'readyTimeoutMs'] as const) {
    if (o[k] > MAX_TIMER_MS) throw bad(k, o[k], `must be at most ${MAX_TIMER_MS} (ms, the longest timer Node.js keeps)`);
  }
  if (!(Number.isInteger(o.nodePort) && o.nodePort >= 30000 && o.nodePort <= 32767)) throw bad('nodePort', o.nodePort, 'must be a NodePort in 30000-32767');
  if (o.services !== undefined && o.services.length > MAX_SERVICES) {
    throw bad('services', o.services, `must name at most ${MAX_SERVICES} (the kind config publishes NodePorts ${o.nodePort}-${o.nodePort + MAX_SERVICES - 1})`);
  }
  if (!CONNECTION_MODES.includes(o.connection)) throw bad('connection', o.connection, `must be one of ${CONNECTION_MODES.join(', ')}`);
  if (typeof o.path !== 'string' || !o.path.startsWith('/') || /[\s#]/.test(o.path)) throw bad('path', o.path, 'must start with "/" and hold no spaces or fragment');
  if (o.scheme !== 'http' && o.scheme !== 'https') throw bad('scheme', o.scheme, "must be 'http' or 'https'");
  if (!ENTRIES.includes(o.entry)) throw bad('entry', o.entry, `must be one of ${ENTRIES.join(', ')}`);
  if (o.url !== undefined && o.entry !== 'nodeport') throw bad('entry', o.entry, 'cannot be given with url, which is where the load enters already: give one of them');
  if (o.url !== undefined) checkUrl(o.url, o.services);
  if (o.entry === 'ingress' && o.port !== undefined) throw bad('port', o.port, "does not apply with entry 'ingress', whose Ingress rule names the Service's port: drop it");
  if (o.entry === 'ingress' && o.scheme !== 'http') throw bad('scheme', o.scheme, "must be 'http' with entry 'ingress': zdt's Ingress controller serves the rules on http only");
  for (const k of ['loadNode', 'loadImage'] as const) {
    if (o[k] !== undefined && o.entry !== 'in-cluster') throw bad(k, o[k], "applies only to entry 'in-cluster', whose load runs in a pod");
  }
  if (o.loadNode !== undefined) parseLoadNode(o.loadNode);
  if (o.loadImage !== undefined && !/^[^\s]+$/.test(o.loadImage)) throw bad('loadImage', o.loadImage, 'must be an image reference such as node:24-slim');
  const target = o.url ?? `${o.scheme}://127.0.0.1:${o.nodePort}${o.path}`;
  if (o.insecure && !isHttps(o)) throw bad('insecure', o.insecure, "applies only to https (scheme 'https' or an https url)");
  parseExpectStatus(o.expectStatus, 'expectStatus');
  // The rest of the request (Host header) and a profile's schedule are checked by the load generator's own options.
  resolveLoadOptions({ url: target, allowNonLoopback: true, clock: createClock(), host: o.host, insecure: o.insecure, expectStatus: o.expectStatus, ...loadRateOf(o) });
  const m = o.maintenance;
  if (!m || !['drain', 'replace', 'rollout', 'node-fault'].includes(m.kind)) throw bad('maintenance.kind', m?.kind, "must be 'drain', 'replace', 'rollout' or 'node-fault'");
  if (m.kind === 'drain' && m.nodes !== undefined && !(Number.isInteger(m.nodes) && m.nodes > 0)) throw bad('maintenance.nodes', m.nodes, 'must be a whole number > 0');
  if (m.kind === 'node-fault') {
    if (!NODE_FAULTS.includes(m.fault)) throw bad('maintenance.fault', m.fault, `must be one of ${NODE_FAULTS.join(', ')}`);
    if (m.forMs !== undefined && !(m.forMs >= 0 && m.forMs <= MAX_TIMER_MS)) throw bad('maintenance.forMs', m.forMs, `must be 0-${MAX_TIMER_MS} ms`);
  }
  checkBudget(o.budget);
  return o;
}

/** How long a node-fault scenario keeps the node away: past the 50 s node-monitor-grace-period (Kubernetes >= 1.32), so the control plane notices. */
export const DEFAULT_FAULT_MS = 60_000;
