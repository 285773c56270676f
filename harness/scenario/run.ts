import { createClock, type Clock } from '../clock.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { POOL_LABEL } from '../cluster/cluster.ts';
import { applyManifests } from '../deploy/apply.ts';
import { exposeService } from '../deploy/expose.ts';
import { findService } from '../deploy/service.ts';
import { waitForApp } from '../deploy/wait.ts';
import { replaceNodes, type NodeDrainOutcome } from '../drain/index.ts';
import { ErrorCode, ZdtError, isZdtError } from '../errors.ts';
import type { KubeApi } from '../kube/api.ts';
import type { Deployment, Pod } from '../kube/types.ts';
import { startLoad } from '../load/loop.ts';
import { isFailure } from '../load/types.ts';
import { loadManifests, type LoadedManifest } from '../manifests/load.ts';
import { Timeline } from '../observe/events.ts';
import { startWatcher } from '../observe/watcher.ts';
import { buildReport, type MaintenanceOutcome } from '../verdict/report.ts';
import { poll, sleep } from '../wait.ts';
import { resolveScenarioOptions, type ResolvedScenarioOptions } from './options.ts';
import type { Exposure, ScenarioOptions, ScenarioResult } from './types.ts';

/**
 * One verification: deploy the manifests into a fresh namespace, put open-model load on the
 * Service through its NodePort on 127.0.0.1, perform the maintenance while watching pods,
 * endpoints and nodes, and build the report. Always removes the namespace and (by default)
 * puts the nodes back, whatever happened.
 */
export async function runScenario(cluster: Cluster, options: ScenarioOptions): Promise<ScenarioResult> {
  const o = resolveScenarioOptions(options);
  const { api } = cluster;
  const signal = o.signal;
  const progress = (step: Parameters<NonNullable<typeof o.onProgress>>[0], message: string) => o.onProgress?.(step, message);
  if (o.maintenance.kind !== 'rollout') cluster.assertCanDisrupt(`drain nodes for scenario ${o.name}`);

  const manifests = typeof o.manifests === 'string' ? await loadManifests(o.manifests) : o.manifests;
  const svc = findService(manifests, o.service);
  const deployments = manifests.filter((m) => m.object.kind === 'Deployment').map((m) => m.object.metadata?.name ?? '');

  progress('namespace', `creating a namespace for ${o.name}`);
  const ns = await cluster.namespace(o.name, signal);
  const waitApp = (what: string) =>
    waitForApp(api, { namespace: ns.name, deployments, service: svc.object.metadata?.name ?? '', timeoutMs: o.readyTimeoutMs, signal, onProgress: (s) => progress('ready', `${what}: ${s}`) });
  let disrupted = false;
  try {
    progress('deploy', `applying ${manifests.length} objects to ${ns.name}`);
    await applyManifests(api, manifests, ns.name, signal);
    await waitApp('app');

    const exposed = await exposeService(api, ns.name, svc.object, o.nodePort, signal);
    const exposure: Exposure = { ...exposed, nodePort: o.nodePort, url: `http://127.0.0.1:${o.nodePort}/` };
    progress('expose', `${exposure.url} -> Service ${exposure.service}${exposure.created ? ` (NodePort created beside ${svc.object.metadata?.name})` : ''}`);
    await waitReachable(exposure.url, o, signal);

    const clock = createClock();
    const timeline = new Timeline(clock);
    if (o.onEvent) timeline.on(o.onEvent);
    const watcher = startWatcher(api, { namespace: ns.name, service: exposure.service, sink: timeline });
    let load: ReturnType<typeof startLoad> | undefined;
    try {
      await watcher.synced;
      progress('load', `${o.rate} req/s (${o.connection}) for ${o.warmupMs} ms before maintenance`);
      load = startLoad({ url: exposure.url, clock, ratePerSecond: o.rate, connection: o.connection, signal });
      timeline.record('load-start', exposure.url, `${o.rate} req/s`);
      await sleep(o.warmupMs, signal);

      // Only drains touch nodes; a rollout must not trigger a node reset (refused on non-kind clusters).
      disrupted = o.maintenance.kind !== 'rollout';
      const { outcome, drains } = await maintain(cluster, ns.name, deployments, o, timeline);
      progress('maintenance', outcome.completed ? 'completed' : `did not complete: ${outcome.reason}`);

      progress('settle', `waiting for the app, then ${o.settleMs} ms more load`);
      await waitApp('after maintenance').catch((err: unknown) => {
        if (!isZdtError(err, ErrorCode.AppNotReady)) throw err;
        timeline.record('note', 'app', `not available again after maintenance: ${err.message.split('\n')[0]}`);
      });
      await sleep(o.settleMs, signal);

      const log = await load.stop();
      timeline.record('load-stop', exposure.url);
      await watcher.stop();
      const finalPods = (await api.list<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace: ns.name }, {}, signal))
        .filter((p) => !p.metadata?.deletionTimestamp)
        .map((p) => ({ name: p.metadata?.name ?? '', node: p.spec?.nodeName ?? '' }));
      const report = buildReport({ log, timeline: timeline.events, scenario: o.name, t0Wall: clock.t0Wall, maintenance: outcome });
      progress('report', `${report.totals.scheduled} requests, ${report.totals.failed} failed`);
      return { report, namespace: ns.name, exposure, drains, finalPods };
    } finally {
      await load?.stop();
      await watcher.stop();
    }
  } finally {
    progress('cleanup', `deleting ${ns.name}${disrupted && o.restoreNodes ? ' and restoring nodes' : ''}`);
    // Cleanup must happen even when the run was aborted: no signal here.
    await ns.delete().catch(() => {});
    if (disrupted && o.restoreNodes) await cluster.resetNodes();
  }
}

function countFailures(outcomes: Uint16Array): number {
  let n = 0;
  for (const x of outcomes) if (isFailure(x)) n++;
  return n;
}

/**
 * kube-proxy programs the NodePort a moment after the endpoints are ready; load starts only
 * once a short probe burst succeeds completely, so a failure is never the harness's own start.
 */
async function waitReachable(url: string, o: ResolvedScenarioOptions, signal?: AbortSignal): Promise<void> {
  const clock: Clock = createClock();
  await poll(
    async (why) => {
      const log = await startLoad({ url, clock, ratePerSecond: 20, durationMs: 500, connection: 'new', signal }).done;
      const failed = countFailures(log.outcome);
      if (failed === 0 && log.count > 0) return true;
      why(`${failed}/${log.count} probe requests failed`);
      return undefined;
    },
    { timeoutMs: o.readyTimeoutMs, intervalMs: 500, signal, what: `${url} to answer` },
  ).catch((err: unknown) => {
    if (!isZdtError(err, ErrorCode.Timeout)) throw err;
    throw new ZdtError(ErrorCode.AppNotReady, `${err.message}: is the kind config publishing NodePort ${o.nodePort} on 127.0.0.1 (extraPortMappings)?`, { cause: err });
  });
}

async function appNodes(api: KubeApi, namespace: string, signal?: AbortSignal): Promise<string[]> {
  const pods = await api.list<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace }, {}, signal);
  return [...new Set(pods.map((p) => p.spec?.nodeName).filter((n): n is string => !!n))].sort();
}

function outcomeOf(drains: readonly NodeDrainOutcome[]): MaintenanceOutcome {
  const failed = drains.filter((d) => !d.ok);
  if (failed.length === 0) return { completed: true };
  return { completed: false, reason: failed.map((d) => (d.ok ? '' : (d.error as Error).message)).join('; ') };
}

async function maintain(
  cluster: Cluster,
  namespace: string,
  deployments: readonly string[],
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
      return { outcome: outcomeOf(drains), drains };
    }
    case 'rollout': {
      for (const name of deployments) {
        const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name };
        const patch = m.patch ?? { spec: { template: { metadata: { annotations: { 'zdt.dev/restartedAt': new Date().toISOString() } } } } };
        timeline.record('rollout-start', `deployment/${name}`);
        await api.patch<Deployment>(ref, patch, signal);
      }
      try {
        await waitForApp(api, { namespace, deployments, timeoutMs: o.readyTimeoutMs, signal });
      } catch (err) {
        if (!isZdtError(err, ErrorCode.AppNotReady)) throw err;
        return { outcome: { completed: false, reason: err.message }, drains: [] };
      }
      for (const name of deployments) timeline.record('rollout-done', `deployment/${name}`);
      return { outcome: { completed: true }, drains: [] };
    }
  }
}
