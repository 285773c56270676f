/**
 * Reliability: the API server goes away in the middle of a node replacement (two old nodes
 * drained in parallel under the PDB). zdt's drains retry until it is back and finish, its
 * watcher re-lists and the report marks the window in which zdt could not see the cluster.
 *
 * Requests usually keep succeeding: the data path does not go through the API server. But the
 * test does not require it: after the outage kube-proxy re-lists on its own back-off, and one CI
 * run saw 1,843 requests routed meanwhile to a pod that had gone. That is the cluster's
 * behaviour, not zdt's; what zdt owes is to count every request and to judge them, so the test
 * asserts the verdict matches the count.
 * The load enters through the NodePort on the control-plane node, whose kube-proxy rules stay
 * programmed while it cannot reach the API server, and the pods keep serving. The outage starts
 * only once the first evicted pod's endpoint has left the rules, so nothing the outage freezes
 * routes to a pod that is about to exit; the PDB keeps the other pod ready and routed
 * throughout, and its eviction waits until the API server, the controllers and the scheduler are
 * back and the replacement is ready.
 */
import { expect } from 'chai';
import type { Cluster } from '../harness/cluster/cluster.ts';
import { execInNode } from '../harness/cluster/docker.ts';
import { waitClusterReady } from '../harness/cluster/readiness.ts';
import type { TimelineEvent } from '../harness/observe/events.ts';
import { sleep } from '../harness/wait.ts';
import { say, sharedCluster } from './hooks.ts';
import { scenario, SUITE_DRAIN, timesOf } from './scenario.ts';
import { variant } from './variants.ts';

/** How long the kube-apiserver container stays stopped; the outage adds the API server's start. */
const HOLD_S = 15;
/** After our watcher saw the endpoint go, for kube-proxy (which watches the same slice) to rewrite its rules. */
const PROPAGATION_MS = 2000;

/**
 * Stops the control plane's kube-apiserver container for HOLD_S seconds. Alone, `crictl stop`
 * makes a short outage: the kubelet restarts a stopped static-pod container within about a
 * second (its first restart has no back-off), and stopping it again would put it into growing
 * CrashLoopBackOff delays. So the kubelet is stopped first and started after the hold; a fresh
 * kubelet has no back-off and starts a new kube-apiserver at once. One shell inside the node does
 * it all, the kubelet's start in an EXIT trap, so the node recovers even if this process dies.
 */
function stopApiServer(cluster: Cluster, signal: AbortSignal): Promise<unknown> {
  const script = [
    'set -eu',
    'systemctl stop kubelet',
    "trap 'systemctl start kubelet' EXIT",
    'ids=$(crictl ps --name kube-apiserver -q)',
    '[ -n "$ids" ] || { echo "no running kube-apiserver container" >&2; exit 1; }',
    'crictl stop $ids',
    `sleep ${HOLD_S}`,
  ].join('\n');
  return execInNode(`${cluster.name}-control-plane`, ['sh', '-c', script], { signal });
}

describe('12. API server outage mid-drain: parallel drains retry until it is back, the report shows the observer gap', function () {
  /** The outage's own failure, or undefined; never rejects, so it can wait for the scenario to end. */
  let outage: Promise<unknown> | undefined;

  after(async function () {
    this.timeout(300_000);
    // The next suite needs the API server, the controllers and every node back.
    await outage;
    const cluster = await sharedCluster();
    await waitClusterReady(cluster.api, { timeoutMs: 240_000, expectedNodes: 5, onProgress: (s) => say(`after the API server outage: ${s}`) });
  });

  it('both drains complete, the observer gap is reported, every request is counted and judged, no node is left cordoned', async function () {
    const cluster = await sharedCluster();
    expect(cluster.isKind, 'the control-plane node must be a kind container to stop its API server').to.equal(true);
    let draining = false;
    const onEvent = (e: TimelineEvent) => {
      if (e.kind === 'drain-start') draining = true;
      // The first endpoint to go once the drains run is the first evicted pod's.
      if (e.kind !== 'endpoint-not-ready' || !draining || outage) return;
      say(`apiserver-outage: ${e.subject} left the endpoints; stopping the API server for ${HOLD_S} s`);
      outage = sleep(PROPAGATION_MS)
        .then(() => stopApiServer(cluster, AbortSignal.timeout(120_000)))
        .then(
          () => say('apiserver-outage: kubelet started again'),
          (err: unknown) => err ?? new Error('the API server outage failed'),
        );
    };
    const result = await scenario('apiserver-outage', await variant(), { kind: 'replace' }, { onEvent, drain: { ...SUITE_DRAIN, timeoutMs: 180_000 } });
    expect(outage, 'the API server was stopped while the drains ran').to.not.equal(undefined);
    const failure = await outage;
    if (failure) throw failure;
    const { report } = result;

    expect(result.drains.map((d) => d.ok), 'both drains completed').to.deep.equal([true, true]);
    expect(report.maintenance?.completed).to.equal(true);
    for (const d of result.drains) {
      const kinds = report.timeline.filter((e) => e.subject === `node/${d.node}`).map((e) => e.kind);
      expect(kinds, `${d.node}'s drain met the outage and saw the API server again`).to.include.members(['api-unreachable', 'api-reachable']);
      expect(kinds.lastIndexOf('api-reachable')).to.be.above(kinds.indexOf('api-unreachable'));
    }

    const longest = report.observerGaps.reduce((a, g) => (g.durationMs > a.durationMs ? g : a), { startMs: 0, endMs: 0, durationMs: 0 });
    expect(longest.durationMs, 'observer gap').to.be.at.least(10_000);
    // A change seen after a gap carries the time it was seen, after its own stream's gap end (the
    // one that names the same gap): never back-dated. Merged gaps may end later, on another stream.
    const gapEnds = report.timeline.filter((x) => x.kind === 'observer-gap-end');
    for (const e of report.timeline.filter((x) => x.detail?.includes('observed after a'))) {
      const own = gapEnds.filter((g) => e.detail!.includes(`after a ${g.detail!.replace('listed again after ', '')} observer gap`));
      expect(own.length, `${e.kind} ${e.subject}: the gap it names`).to.be.above(0);
      expect(own.some((g) => g.t <= e.t), `${e.kind} ${e.subject} at ${e.t}`).to.equal(true);
    }
    // The watcher followed the run to its end: both displaced pods were seen gone.
    expect(report.displaced.map((d) => d.goneAtMs === null)).to.deep.equal([false, false]);

    // Every scheduled request is counted, those sent while zdt saw nothing of the cluster included.
    const { totals, throughput } = report;
    expect(totals.dropped + totals.sent).to.equal(totals.scheduled);
    expect(totals.ok + totals.failed).to.equal(totals.sent);
    const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(throughput.ok) + sum(throughput.failed)).to.equal(totals.sent);
    const inGap = (i: number) => throughput.startMs + i * throughput.bucketMs >= longest.startMs && throughput.startMs + (i + 1) * throughput.bucketMs <= longest.endMs;
    const sentInGap = sum(throughput.ok.filter((_, i) => inGap(i))) + sum(throughput.failed.filter((_, i) => inGap(i)));
    const perSecond = totals.sent / (report.window!.durationMs / 1000);
    expect(sentInGap, 'requests sent during the observer gap').to.be.at.least(0.9 * perSecond * ((longest.durationMs - 2 * throughput.bucketMs) / 1000));
    say(`requests failed around the API server outage: ${totals.failed} of ${totals.sent}`);
    expect(report.verdict === 'fail', `verdict ${report.verdict} follows the count`).to.equal(totals.failed > 0);

    expect(timesOf(result, 'eviction-accepted'), 'both old pods evicted').to.have.length(2);
    const cordoned = (await cluster.workers()).filter((n) => n.spec?.unschedulable === true).map((n) => n.metadata?.name);
    expect(cordoned, 'nodes left cordoned').to.deep.equal([]);
  });
});
