import { expect } from 'chai';
import { expectCauses, scenario } from './scenario.ts';
import { slowStart, variant, withoutPdb, withoutPreStop, withoutReadiness } from './variants.ts';

describe('1. naive drain: Deployment and Service only, no hooks, no probe, no PDB', function () {
  it('drops requests while the nodes hosting both pods are drained, and the report says when and why', async function () {
    // The series' part 1 as it stands: nginx serving as soon as it starts (no warm-up), so the
    // missing probe costs nothing and the failures are the missing PDB's and preStop's (suite 15
    // shows a missing probe with the example's warm-up: refused by a Ready pod).
    const result = await scenario('naive', await variant(withoutPdb, withoutPreStop, withoutReadiness, slowStart(0)), { kind: 'replace' });
    // Why it fails: nothing holds the second eviction back, so both pods stop at once; nginx
    // closes its listener on SIGQUIT right away while kube-proxy still routes to it, and the
    // replacements on the new nodes are not serving yet.
    expect(result.report).to.have.failedRequests();
    expect(result.report.bursts.length).to.be.greaterThan(0);
    const around = result.report.bursts.flatMap((b) => b.events.map((e) => e.kind));
    expect(around, 'the failure bursts are tied to the evictions and pod shutdowns around them').to.include.oneOf(['pod-terminating', 'eviction-accepted', 'endpoint-not-ready']);
    // Each failure explained by the defect: both pods gone at once, nginx quitting at SIGTERM,
    // kube-proxy still sending to a pod whose IP is gone (timeouts).
    // No preStop: pods die while still routed to.
    expectCauses(result.report, 'no-ready-endpoint', ['sent-after-sigterm', 'keep-alive-closed', 'lost-pod', 'refused-by-ready-pod', 'stale-route']);
  });
});
