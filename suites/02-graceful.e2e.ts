import { expect } from 'chai';
import { OUTCOME_ERRORS } from '../harness/load/types.ts';
import { expectCauses, scenario, timesOf } from './scenario.ts';
import { gracePeriod, preStopQuitOnly, stallInPreStop, variant, withoutKeepaliveTime, withoutPdb } from './variants.ts';

describe('2. graceful shutdown: preStop quits nginx gracefully, no delay', function () {
  it('finishes in-flight requests but still drops the ones kube-proxy sends before the endpoint is gone', async function () {
    const result = await scenario('graceful', await variant(withoutPdb, preStopQuitOnly), { kind: 'replace' });
    // What it fixes: nginx ends in-flight requests instead of being cut off, so no response
    // is a 5xx. What it does not: nginx stops listening before the endpoint removal has reached
    // kube-proxy, so connections still routed to the pod are refused or reset.
    expect(result.report).to.have.failedRequests();
    const codes = result.report.failures.map((f) => f.label);
    expect(codes.every((c) => (OUTCOME_ERRORS as readonly string[]).includes(c)), `failures are connection errors, not HTTP 5xx: ${codes.join(', ')}`).to.equal(true);
    // No delay: pods are gone while kube-proxy still routes to them (stale route).
    expectCauses(result.report, 'no-ready-endpoint', ['sent-after-sigterm', 'keep-alive-closed', 'stale-route']);
  });

  // Measured, for the report's "stale reuse" line: what a client that retries idempotent
  // requests on a stale kept-alive connection (Go net/http, browsers) would not have seen.
  it('without keepalive_time, says how many failures met a kept-alive connection nginx closed before answering', async function () {
    const result = await scenario('no-keepalive-time', await variant(withoutKeepaliveTime), { kind: 'replace' }, { connection: 'keep-alive' });
    const { reusedUnanswered, totals } = result.report;
    expect(reusedUnanswered, 'recorded').to.be.a('number');
    expect(reusedUnanswered!).to.be.at.most(totals.failed);
  });

  // The kubelet cuts a preStop short at the grace period, gives the container 2 s more, then
  // SIGKILLs it: nginx's workers, frozen by the preStop, never quit, so its master exits 137.
  it('an app that hangs at shutdown past its grace period: the watcher sees its container killed (exit 137)', async function () {
    const result = await scenario('grace-kill', await variant(stallInPreStop(10, 5), gracePeriod(1)), { kind: 'drain', nodes: 1 });
    const killed = timesOf(result, 'container-killed');
    const displaced = result.report.displaced.map((d) => d.pod);
    expect(killed.map((e) => e.subject), 'the displaced pod, killed').to.deep.equal(displaced);
    expect(killed[0]!.detail).to.match(/^nginx exit 137 on zdt-worker/);
    const exit = result.report.displaced[0]!;
    expect(killed[0]!.t - exit.terminatingAtMs, 'killed 1 s of grace plus 2 s after termination began, seen within a few seconds').to.be.within(2500, 8000);
  });
});
