import { createClock, type ClockOffset } from '../clock.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { POOL_LABEL } from '../cluster/cluster.ts';
import { dockerImageExists, removeCommand } from '../cluster/docker.ts';
import { OFFLINE_INGRESS_IMAGE, OFFLINE_LOAD_IMAGE, STOCK_LOAD_IMAGE } from '../cluster/images.ts';
import type { Namespace } from '../cluster/namespace.ts';
import { checkInClusterService, startInClusterLoad } from '../entry/in-cluster.ts';
import { controllerLogsCommand, freeNodePort, ingressEntryOf, startIngressController } from '../entry/ingress.ts';
import { parseLoadNode, type LoadPlacement } from '../entry/placement.ts';
import { applyManifests, FIELD_MANAGER } from '../deploy/apply.ts';
import { describePort, exposeService, selectPort } from '../deploy/expose.ts';
import { findServices } from '../deploy/service.ts';
import { waitForApp, type WorkloadRef } from '../deploy/wait.ts';
import { podKey, replaceNodes, waitForPodGone, type NodeDrainOutcome } from '../drain/index.ts';
import { ErrorCode, ZdtError, isZdtError } from '../errors.ts';
import type { KubeApi } from '../kube/api.ts';
import type { KubeObject, Node, Pod } from '../kube/types.ts';
import { HEALTH_CHECK, KUBE_PROXY_HEALTH_PORT, loadBalancerBackends, loadBalancerName, startLoadBalancer, type BackendChange, type LoadBalancer } from '../entry/load-balancer.ts';
import { DEFINITIVE_FOR_MS, probeOnce } from '../load/probe.ts';
import type { LoadHandle } from '../load/loop.ts';
import { startLoadThread } from '../load/thread.ts';
import { describeLoadProfile } from '../load/profile.ts';
import { mergeLogs } from '../load/merge.ts';
import { loadManifests } from '../manifests/load.ts';
import { API_VERSION, atAutoscalerFloor, isServingKind, podSources, rolloutEffect, type PodSource } from '../manifests/workloads.ts';
import { backendSubject, Timeline, type TimelineKind } from '../observe/events.ts';
import { watchConntrack, type ConntrackWatch } from '../observe/conntrack.ts';
import { startWatcher } from '../observe/watcher.ts';
import { podsByAddress, propagationLag, routeRequests } from '../verdict/routing.ts';
import { preStopDelaySeconds, servingContainers } from '../lint/pod.ts';
import { buildReport, type MaintenanceOutcome } from '../verdict/report.ts';
import { abortError, poll, sleep } from '../wait.ts';
import { faultSettings, runNodeFault } from './fault.ts';
import { checkLoadEntry, DEFAULT_FAULT_MS, loadRateOf, resolveScenarioOptions, type ResolvedScenarioOptions } from './options.ts';
import type { Exposure, ScenarioOptions, ScenarioResult } from './types.ts';

/**
 * One verification: deploy the manifests into a fresh namespace, put open-model load on each
 * Service through its own NodePort (at the kind control-plane node's address), through zdt's
 * load balancer, from a pod in the cluster by the Service's name (entry 'in-cluster'), or on the
 * one Service through `url`, perform the maintenance while watching pods,
 * endpoints and nodes, and build the report (a verdict per Service and overall). Always removes
 * the namespace and (by default) puts the nodes back, whatever happened.
 */
export async function runScenario(cluster: Cluster, options: ScenarioOptions): Promise<ScenarioResult> {
  const o = resolveScenarioOptions(options);
  const { api } = cluster;
  const signal = o.signal;
  const progress = (step: Parameters<NonNullable<typeof o.onProgress>>[0], message: string) => o.onProgress?.(step, message);
  if (o.maintenance.kind !== 'rollout') cluster.assertCanDisrupt(`${o.maintenance.kind === 'node-fault' ? 'take a node away' : 'drain nodes'} for scenario ${o.name}`);
  checkLoadEntry(o, cluster);

  const manifests = typeof o.manifests === 'string' ? await loadManifests(o.manifests, { render: o.render }) : o.manifests;
  const services = findServices(manifests, o.services);
  const serviceNames = services.map((s) => s.object.metadata?.name ?? '');
  // Before anything is deployed for nothing.
  if (o.entry === 'in-cluster' && o.url === undefined) services.forEach(checkInClusterService);
  const ingress = o.entry === 'ingress' ? ingressEntryOf(manifests, serviceNames) : undefined;
  // Every serving workload, in manifest order: what is waited for, rolled out and counted.
  const sources = podSources(manifests).filter((s) => s.serving);
  const workloads: WorkloadRef[] = sources.flatMap((s) => (isServingKind(s.kind) ? [{ kind: s.kind, name: s.name }] : []));

  progress('namespace', `creating a namespace for ${o.name}`);
  const ns = await cluster.namespace(o.name, signal);
  o.onNamespace?.(ns.name, true);
  const waitApp = (what: string) =>
    waitForApp(api, {
      namespace: ns.name,
      workloads,
      services: serviceNames,
      noTerminatingPods: true,
      timeoutMs: o.readyTimeoutMs,
      signal,
      onProgress: (s) => progress('ready', `${what}: ${s}`),
    });
  let disrupted = false;
  let loadNs: Namespace | undefined;
  let ingressNs: Namespace | undefined;
  let loadBalancer: LoadBalancer | undefined;
  let onBackendChange: ((change: BackendChange) => void) | undefined;
  try {
    progress('deploy', `applying ${manifests.length} objects to ${ns.name}`);
    const { manifests: applied, floored } = atAutoscalerFloor(manifests);
    for (const { source, replicas } of floored) {
      progress('deploy', `${source.kind} ${source.name} at ${replicas} replica(s), the minReplicas of HorizontalPodAutoscaler ${source.autoscaler?.object.metadata?.name}: the fewest it may run when a drain comes`);
    }
    const { remapped } = await applyManifests(api, applied, ns.name, signal);
    for (const from of new Set(remapped.map((r) => r.namespace))) {
      const objects = remapped.filter((r) => r.namespace === from).map((r) => `${r.kind}/${r.name} (${r.file}:${r.line})`);
      progress('deploy', `applied ${objects.join(', ')} into ${ns.name}, not namespace ${from} as the files say`);
    }
    await waitApp('app');

    // On kind the load goes to the entry node's own address, where its connection tracking sees
    // the client's port; through zdt's load balancer, or to o.url, wherever that sends it; or it
    // runs in a pod, reaching each Service by name.
    const viaLoadBalancer = o.entry === 'load-balancer';
    const inCluster = o.entry === 'in-cluster';
    const entryNode = o.url === undefined && (o.entry === 'nodeport' || ingress) ? await cluster.entryNode(signal) : undefined;
    // Conntrack on the entry node sees the app's pods only when kube-proxy sends there straight.
    const entry = o.entry === 'nodeport' ? entryNode : undefined;
    let exposures: Exposure[] = [];
    if (o.url !== undefined) {
      exposures.push({ of: serviceNames[0]!, service: serviceNames[0]!, nodePort: null, created: false, url: o.url });
      progress('expose', `${o.url} -> Service ${serviceNames[0]} as the URL routes it (no NodePort; requests attributed by the pod header only)`);
    } else if (inCluster) {
      for (const [i, svc] of services.entries()) {
        const port = selectPort(svc.object, o.port);
        const url = `${o.scheme}://${serviceNames[i]}.${ns.name}.svc:${port?.port ?? 80}${o.path}`;
        exposures.push({ of: serviceNames[i]!, service: serviceNames[i]!, nodePort: null, created: false, url });
        progress('expose', `${url} -> Service ${serviceNames[i]} ${describePort(port)} from a pod, through its node's kube-proxy (requests attributed by the pod header only)`);
      }
    } else if (ingress) {
      ingressNs = await cluster.namespace(`${o.name}-ingress`, signal);
      o.onNamespace?.(ingressNs.name, true);
      const nodePort = await freeNodePort(api, manifests, o.nodePort, signal);
      const placement = await loadPlacement(cluster, ns.name, undefined, signal);
      const started = { namespace: ingressNs.name, watch: ns.name, ingressClass: ingress.ingressClass, nodePort, image: OFFLINE_INGRESS_IMAGE, placement, readyTimeoutMs: o.readyTimeoutMs, signal };
      await startIngressController(api, { ...started, onProgress: progress }, cluster.kindName);
      for (const [i, route] of ingress.routes.entries()) {
        const url = `${o.scheme}://${entryNode?.address ?? '127.0.0.1'}:${nodePort}${o.path !== '/' ? o.path : route.path}`;
        const host = o.host ?? route.host;
        exposures.push({ of: serviceNames[i]!, service: serviceNames[i]!, nodePort, created: false, url, ingressNamespace: ingressNs.name, ...(host !== undefined ? { host } : {}) });
        progress('expose', `${url}${host !== undefined ? ` (Host ${host})` : ''} -> Traefik -> Service ${serviceNames[i]}'s pods, by ${route.ingress} (requests attributed by the pod header only)`);
      }
    } else {
      const type = viaLoadBalancer ? 'LoadBalancer' : 'NodePort';
      for (const [i, svc] of services.entries()) {
        const of = serviceNames[i]!;
        const exposed = await exposeService(api, ns.name, svc.object, { nodePort: o.nodePort + i, port: o.port, type }, signal);
        const exposure: Exposure = { of, ...exposed, url: `${o.scheme}://${entry?.address ?? '127.0.0.1'}:${exposed.nodePort}${o.path}` };
        progress('expose', `${viaLoadBalancer ? `NodePort ${exposed.nodePort}` : exposure.url} -> Service ${exposure.service} ${describePort(selectPort(svc.object, o.port))}${exposure.created ? ` (${type} created beside ${of})` : ''}`);
        exposures.push(exposure);
      }
    }
    if (viaLoadBalancer) {
      const backends = loadBalancerBackends(await api.list<Node>({ apiVersion: 'v1', kind: 'Node' }, {}, signal));
      progress('expose', `starting a load balancer (haproxy) in front of ${backends.map((b) => b.node).join(', ')}`);
      // Listed before it starts: an interrupt during the start must not leave it unnamed.
      const name = loadBalancerName(ns.name);
      o.onContainer?.(name, removeCommand(name), true);
      loadBalancer = await startLoadBalancer({
        // checkLoadEntry admitted only kind clusters, which zdt has claimed by their kind name.
        cluster: cluster.kindName!,
        run: ns.name,
        targets: exposures.map((e) => ({ service: e.of, nodePort: e.nodePort!, healthCheckNodePort: e.healthCheckNodePort })),
        backends,
        // Into the timeline once it exists (the load's clock starts after the app answers); a progress line before.
        onBackendChange: (c) => (onBackendChange ?? ((x) => progress('expose', `load balancer: ${x.node} ${BACKEND_STATES[x.state]} for ${x.service}${x.reason ? ` (${x.reason})` : ''}`)))(c),
        signal,
      });
      const lb = loadBalancer;
      exposures = exposures.map((e, i) => ({ ...e, url: lb.url(i, o.scheme, o.path), via: lb.container }));
      for (const e of exposures) {
        const check = e.healthCheckNodePort === undefined ? `kube-proxy's /healthz (${KUBE_PROXY_HEALTH_PORT})` : `the Service's healthCheckNodePort ${e.healthCheckNodePort} (externalTrafficPolicy Local)`;
        progress('expose', `${e.url} -> ${lb.container} -> NodePort ${e.nodePort} on ${backends.length} nodes, each checked on ${check} every ${HEALTH_CHECK.intervalMs / 1000} s (out after ${HEALTH_CHECK.fall} failures; requests attributed by the pod header only)`);
      }
    }
    // The load pod probes from where it runs: this machine cannot reach a Service's name.
    if (!inCluster) for (const e of exposures) await waitReachable(e, o, signal);
    let pod: { placement: LoadPlacement; image: string } | undefined;
    if (inCluster) {
      // The offline image only where zdt loaded it (a kind cluster it started); an attached cluster's nodes pull theirs.
      const image = o.loadImage ?? (cluster.loadedImages && (await dockerImageExists(OFFLINE_LOAD_IMAGE, signal)) ? OFFLINE_LOAD_IMAGE : STOCK_LOAD_IMAGE);
      pod = { placement: await loadPlacement(cluster, ns.name, o.loadNode, signal), image };
      loadNs = await cluster.namespace(`${o.name}-load`, signal);
      o.onNamespace?.(loadNs.name, true);
    }

    const clock = createClock();
    const timeline = new Timeline(clock);
    if (o.onEvent) timeline.on(o.onEvent);
    onBackendChange = (c) => timeline.record(BACKEND_EVENTS[c.state], backendSubject(c.service, c.node), c.reason);
    const watcher = startWatcher(api, { namespace: ns.name, services: exposures.map((e) => ({ service: e.service, as: e.of })), sink: timeline });
    let loads: (LoadHandle & { readonly started: Promise<void> })[] = [];
    const stopLoads = () => Promise.all(loads.map((l) => l.stop()));
    let conntrack: ConntrackWatch | undefined;
    try {
      await watcher.synced;
      if (entry) {
        progress('load', `following new connections in ${entry.name}'s conntrack to attribute each request to its pod`);
        conntrack = await watchConntrack(entry.name, entry.address, exposures.map((e) => e.nodePort!), { signal }).catch((err: unknown) => {
          timeline.record('note', `node/${entry.name}`, `conntrack could not start, requests are attributed by the pod header only: ${(err as Error).message}`);
          return undefined;
        });
      }
      const rate = o.loadProfile ? describeLoadProfile(o.loadProfile) : `${o.rate} req/s`;
      progress('load', `${rate} (${o.connection})${exposures.length > 1 ? ` on each of ${exposures.length} Services` : ''} for ${o.warmupMs} ms before maintenance`);
      const loadOf = (e: Exposure) => ({ ...requestOf(o, e), url: e.url, ...loadRateOf(o), connection: o.connection });
      if (pod) {
        const { placement, image } = pod;
        const pods = exposures.map((e, i) =>
          startInClusterLoad({ api, namespace: loadNs!.name, name: `zdt-load-${i}`, image, placement, load: loadOf(e), clock, readyTimeoutMs: o.readyTimeoutMs, signal, onProgress: (m) => progress('load', m) }),
        );
        loads = pods;
        await Promise.all(pods.map((l) => l.started));
        for (const p of pods) {
          const offset = describeClockOffset(p.clockOffset!);
          progress('load', `load pod ${p.pod} on ${p.node}: its clock ${offset}; its records are moved onto this machine's clock by that`);
          timeline.record('note', `pod/${p.pod}`, `load from node ${p.node}; clock offset ${offset}`);
        }
      } else {
        // Each on a thread of its own: the watcher, drains and their garbage collection never hold its timers.
        loads = exposures.map((e) => startLoadThread({ ...loadOf(e), clock, signal }));
        await Promise.all(loads.map((l) => l.started));
      }
      for (const e of exposures) timeline.record('load-start', e.url, `${rate} to Service ${e.of}`);
      await sleep(o.warmupMs, signal);

      // Only drains cordon and untaint nodes; a rollout must not trigger a node reset (refused on non-kind clusters), a node fault gives its node back itself.
      disrupted = o.maintenance.kind === 'drain' || o.maintenance.kind === 'replace';
      const { outcome, drains } = await maintain(cluster, ns.name, sources, o, timeline);
      progress('maintenance', outcome.completed ? 'completed' : `did not complete: ${outcome.reason}`);
      // An interrupted maintenance is not a result: go straight to cleanup.
      if (signal?.aborted) throw abortError(signal);

      // The settle window starts only once every displaced pod is gone and the app is ready again.
      progress('settle', `waiting until displaced pods are gone and the app is ready, then ${o.settleMs} ms more load`);
      await waitApp('after maintenance').catch((err: unknown) => {
        if (!isZdtError(err, ErrorCode.AppNotReady)) throw err;
        timeline.record('note', 'app', `not available again after maintenance: ${err.message.split('\n')[0]}`);
      });
      await sleep(o.settleMs, signal);

      const loaded = await stopLoads();
      for (const e of exposures) timeline.record('load-stop', e.url);
      await watcher.stop();
      const connections = await conntrack?.stop().catch((err: unknown) => {
        timeline.record('note', `node/${entry!.name}`, `conntrack output could not be read, requests are attributed by the pod header only: ${(err as Error).message}`);
        return undefined;
      });
      const wallToRun = (wallMs: number) => wallMs - clock.t0Wall;
      const pods = podsByAddress(timeline.events);
      // Conntrack is followed only for NodePort exposures (no o.url), so every nodePort is set here.
      const logs = connections ? loaded.map((log, i) => routeRequests(log, connections, { nodePort: exposures[i]!.nodePort!, wallToRun, podOf: (a) => pods.get(a) })) : loaded;
      const lag = connections ? propagationLag(timeline.events, connections, { wallToRun, nodePorts: exposures.map((e) => e.nodePort!), ...preStopDelayOf(sources) }) : null;
      const finalPods = (await api.list<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace: ns.name }, {}, signal))
        .filter((p) => !p.metadata?.deletionTimestamp)
        .map((p) => ({ name: p.metadata?.name ?? '', node: p.spec?.nodeName ?? '' }));
      const streams = exposures.map((e, i) => ({ service: e.of, url: e.url, log: logs[i]! }));
      const faultNotes = o.maintenance.kind === 'node-fault' ? await faultSettings(api, sources, signal) : undefined;
      const report = buildReport({
        log: mergeLogs(logs),
        streams,
        timeline: timeline.events,
        scenario: o.name,
        t0Wall: clock.t0Wall,
        maintenance: outcome,
        budget: o.budget,
        faultSettings: faultNotes,
        thresholds: o.loadProfile?.thresholds,
        ...(connections && entry ? { routing: { method: 'conntrack' as const, node: entry.name }, propagationLag: lag } : {}),
      });
      progress('report', `${report.totals.scheduled} requests, ${report.totals.failed} failed`);
      return { report, namespace: ns.name, exposures, drains, finalPods };
    } finally {
      // A load that failed to start has nothing to give; the error that ended the run is reported.
      await Promise.allSettled(loads.map((l) => l.stop()));
      await watcher.stop();
      await conntrack?.[Symbol.asyncDispose]();
    }
  } finally {
    progress('cleanup', `deleting ${[ns, loadNs, ingressNs].flatMap((n) => (n ? [n.name] : [])).join(', ')}${loadBalancer ? ` and ${loadBalancer.container}` : ''}${disrupted && o.restoreNodes ? ' and restoring nodes' : ''}`);
    // Cleanup must happen even when the run was aborted: no signal here.
    if (loadBalancer) {
      const lb = loadBalancer;
      await lb.stop().then(
        () => o.onContainer?.(lb.container, lb.undo, false),
        (err: unknown) => progress('cleanup', `could not remove ${lb.container} (${(err as Error).message}): remove it with \`${lb.undo}\``),
      );
    }
    for (const n of [ns, loadNs, ingressNs]) await n?.delete().then(() => o.onNamespace?.(n.name, false), () => {});
    if (disrupted && o.restoreNodes) await cluster.resetNodes();
  }
}

const BACKEND_STATES: Readonly<Record<BackendChange['state'], string>> = { failing: 'failing its health check, still in rotation', down: 'out of rotation', up: 'back in rotation' };
const BACKEND_EVENTS: Readonly<Record<BackendChange['state'], TimelineKind>> = { failing: 'lb-check-failed', down: 'lb-backend-down', up: 'lb-backend-up' };

/**
 * What every request of the run carries, for the load and for the reachability probe alike.
 * Any address: the URL is built here (127.0.0.1, a kind node's, the load balancer's, a Service's
 * name) or is the user's `url`.
 */
const requestOf = (o: ResolvedScenarioOptions, e?: Exposure) => ({ host: e?.host ?? o.host, insecure: o.insecure, expectStatus: o.expectStatus, allowNonLoopback: true });

/** The shortest preStop delay among the serving containers of the serving workloads (ms), when every one sets one. */
function preStopDelayOf(sources: readonly PodSource[]): { preStopDelayMs?: number } {
  const delays = sources.flatMap((s) => servingContainers(s.spec).map(preStopDelaySeconds));
  if (delays.length === 0 || delays.some((d) => d === undefined)) return {};
  return { preStopDelayMs: Math.min(...(delays as number[])) * 1000 };
}

/**
 * kube-proxy programs the NodePort a moment after the endpoints are ready; load starts only
 * once a short probe burst succeeds completely, so a failure is never the harness's own start.
 * An app that keeps answering a 4xx to the request (wrong --path or --host) is reported at
 * once, with the statuses, rather than after the whole ready timeout.
 */
async function waitReachable(e: Exposure, o: ResolvedScenarioOptions, signal?: AbortSignal): Promise<void> {
  const { url, nodePort, via } = e;
  let definitiveSince: number | undefined;
  const wrongRequest = (statuses: string) =>
    new ZdtError(
      ErrorCode.AppNotReady,
      `${url} answered ${statuses} to every probe (expected ${o.expectStatus}): ${
        e.ingressNamespace !== undefined ? `check the Ingress rule's host and path (or --host, --path) and --expect-status, and what Traefik says of the Ingress (\`${controllerLogsCommand(e.ingressNamespace)}\`)`
        : `check ${nodePort === null ? '--url, --host' : '--path, --host, --port'} and --expect-status`
      }`,
      { details: { url, statuses } },
    );
  await poll(
    async (why) => {
      const probe = await probeOnce({ ...requestOf(o, e), url, signal });
      if (probe.ok) return true;
      definitiveSince = probe.definitive ? (definitiveSince ?? performance.now()) : undefined;
      if (definitiveSince !== undefined && performance.now() - definitiveSince >= DEFINITIVE_FOR_MS) throw wrongRequest(probe.answered);
      why(`${probe.failed}/${probe.sent} probe requests failed (${probe.answered})`);
      return undefined;
    },
    { timeoutMs: o.readyTimeoutMs, intervalMs: 500, signal, what: `${url} to answer` },
  ).catch((err: unknown) => {
    if (!isZdtError(err, ErrorCode.Timeout)) throw err;
    const where =
      nodePort === null ? `can this machine reach ${url}, and does it lead to the Service (check --url, --host and the load balancer or Ingress in front)?`
      : e.ingressNamespace !== undefined ? `does Traefik serve the Ingress (\`${controllerLogsCommand(e.ingressNamespace)}\`), and does NodePort ${nodePort} reach it?`
      : via !== undefined ? `does load balancer ${via} reach NodePort ${nodePort} on the nodes, and do its health checks pass (docker logs ${via})?`
      : new URL(url).hostname === '127.0.0.1' ? `is the kind config publishing NodePort ${nodePort} on 127.0.0.1 (extraPortMappings)?` : `can this machine reach the kind network (${new URL(url).hostname}, the entry node's address) and does the Service answer on NodePort ${nodePort}?`;
    throw new ZdtError(ErrorCode.AppNotReady, `${err.message}: ${where}`, { cause: err });
  });
}

/**
 * Where the load pod may run: never on a node the scenario takes away (those running the app's
 * pods, which drains and node faults pick from, and the old pool a replacement drains).
 * Throws ZDT_INVALID_OPTION when `--load-node` names one of them.
 */
async function loadPlacement(cluster: Cluster, namespace: string, loadNode: string | undefined, signal?: AbortSignal): Promise<LoadPlacement> {
  const old = (await cluster.workers('old', signal)).map((n) => n.metadata?.name ?? '');
  const avoid = [...new Set([...(await appNodes(cluster.api, namespace, signal)), ...old])].sort();
  const chosen = loadNode === undefined ? {} : parseLoadNode(loadNode);
  if (chosen.node !== undefined && avoid.includes(chosen.node)) {
    throw new ZdtError(ErrorCode.InvalidOption, `--load-node ${chosen.node}: the scenario may take that node away (it runs the app's pods, or is in the old pool): choose another node`, { details: { option: '--load-node', value: loadNode } });
  }
  return { ...chosen, avoid };
}

/** "+0.4 ms ± 1.1 ms (its clock minus this machine's, best of 7 round trips)". */
const describeClockOffset = (c: ClockOffset) =>
  `${c.offsetMs >= 0 ? '+' : ''}${c.offsetMs.toFixed(1)} ms ± ${c.uncertaintyMs.toFixed(1)} ms against this machine's (best of ${c.samples} round trips through the API server)`;

async function appNodes(api: KubeApi, namespace: string, signal?: AbortSignal): Promise<string[]> {
  const pods = await api.list<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace }, {}, signal);
  return [...new Set(pods.map((p) => p.spec?.nodeName).filter((n): n is string => !!n))].sort();
}

/** The drains' outcome; DaemonSet pods of the app that a drain skipped are named, as kubectl prints them. */
function outcomeOf(drains: readonly NodeDrainOutcome[], namespace: string): MaintenanceOutcome {
  const skipped = drains.flatMap((d) => (d.ok ? d.result.skipped : [])).filter((s) => s.pod.metadata?.namespace === namespace);
  const notes = skipped.map((s) => `skipped pod ${podKey(s.pod)} on ${s.pod.spec?.nodeName ?? '?'}: ${s.reason}, so the drain did not move it`);
  const failed = drains.filter((d) => !d.ok);
  const reason = failed.map((d) => (d.ok ? '' : (d.error as Error).message)).join('; ');
  return { completed: failed.length === 0, ...(failed.length > 0 ? { reason } : {}), ...(notes.length > 0 ? { notes } : {}) };
}

const subjectOf = (s: PodSource) => `${s.kind.toLowerCase()}/${s.name}`;

async function maintain(
  cluster: Cluster,
  namespace: string,
  sources: readonly PodSource[],
  o: ResolvedScenarioOptions,
  timeline: Timeline,
): Promise<{ outcome: MaintenanceOutcome; drains: readonly NodeDrainOutcome[] }> {
  const { api } = cluster;
  const signal = o.signal;
  const drainOptions = { ...o.drain, signal };
  const m = o.maintenance;
  switch (m.kind) {
    case 'drain':
    case 'replace': {
      const names = async (pool: string) => (await cluster.workers(pool, signal)).map((n) => n.metadata?.name ?? '');
      const oldNodes = m.kind === 'drain' ? (await appNodes(api, namespace, signal)).slice(0, m.nodes) : await names('old');
      const newNodes = m.kind === 'replace' || m.bringInNewNodes ? await names('new') : [];
      if (m.kind === 'replace' && (newNodes.length === 0 || oldNodes.length === 0)) {
        throw new ZdtError(ErrorCode.InvalidOption, `node replacement needs workers labelled ${POOL_LABEL}=old and =new (found ${oldNodes.length} old, ${newNodes.length} new): use kind-config/default.yaml`);
      }
      o.onProgress?.('maintenance', `${newNodes.length ? `bringing in ${newNodes.join(', ')}, ` : ''}draining ${oldNodes.join(', ')} concurrently`);
      const { drains } = await replaceNodes(api, { newNodes, oldNodes }, drainOptions, timeline);
      return { outcome: outcomeOf(drains, namespace), drains };
    }
    case 'rollout': {
      // What one `kubectl apply` of a changed pod template does, object by object in file order.
      const notes: string[] = [];
      const restartedAt = new Date().toISOString();
      const patch = m.patch ?? { spec: { template: { metadata: { annotations: { 'zdt.dev/restartedAt': restartedAt } } } } };
      for (const source of sources) {
        if (!isServingKind(source.kind)) continue;
        const effect = rolloutEffect(source);
        timeline.record('rollout-start', subjectOf(source), effect === 'replaces-pods' ? undefined : effect);
        if (effect === 'recreate-by-hand') {
          await recreatePod(api, namespace, source, restartedAt, signal);
          continue;
        }
        await api.patch<KubeObject>({ apiVersion: API_VERSION[source.kind], kind: source.kind, namespace, name: source.name }, patch, signal);
        if (effect === 'no-effect') notes.push(`${source.kind} ${source.name}: the template change replaces no running pod (a ${source.kind === 'ReplicaSet' ? 'ReplicaSet applies its template only to pods it creates later' : 'StatefulSet or DaemonSet with updateStrategy OnDelete waits for pods to be deleted'})`);
      }
      const workloads = sources.flatMap((s) => (isServingKind(s.kind) ? [{ kind: s.kind, name: s.name }] : []));
      try {
        await waitForApp(api, { namespace, workloads, noTerminatingPods: true, timeoutMs: o.readyTimeoutMs, signal });
      } catch (err) {
        if (!isZdtError(err, ErrorCode.AppNotReady)) throw err;
        return { outcome: { completed: false, reason: err.message, ...(notes.length > 0 ? { notes } : {}) }, drains: [] };
      }
      for (const source of sources) timeline.record('rollout-done', subjectOf(source));
      return { outcome: { completed: true, ...(notes.length > 0 ? { notes } : {}) }, drains: [] };
    }
    case 'node-fault': {
      const run = { fault: m.fault, forMs: m.forMs ?? DEFAULT_FAULT_MS, appNodes: await appNodes(api, namespace, signal), signal };
      await runNodeFault(cluster, { ...run, onProgress: (message) => o.onProgress?.('maintenance', message), onNodeFault: o.onNodeFault }, timeline);
      return { outcome: { completed: true }, drains: [] };
    }
  }
}

/**
 * A bare Pod's spec cannot change in place: a release deletes it, waits until it is gone and
 * creates it again, as `kubectl replace --force` does. Nothing keeps it serving meanwhile.
 */
async function recreatePod(api: KubeApi, namespace: string, source: PodSource, restartedAt: string, signal?: AbortSignal): Promise<void> {
  const ref = { apiVersion: 'v1', kind: 'Pod', namespace, name: source.name };
  const live = await api.get<Pod>(ref, signal);
  if (live) {
    await api.delete(ref, {}, signal);
    await waitForPodGone(api, live, { timeoutMs: 120_000 + 1000 * (live.spec?.terminationGracePeriodSeconds ?? 30), intervalMs: 1000, signal });
  }
  const object = structuredClone(source.manifest.object);
  const annotations = { ...object.metadata?.annotations, 'zdt.dev/restartedAt': restartedAt };
  object.metadata = { ...object.metadata, namespace, annotations };
  await api.apply(object, FIELD_MANAGER, signal);
}
