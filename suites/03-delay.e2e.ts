import { expect } from 'chai';
import { expectAttribution, scenario } from './scenario.ts';
import { formatReport } from '../harness/verdict/format.ts';
import { preStopDelay, preStopQuitOnly, replicas, slowStart, variant, withoutPdb } from './variants.ts';

// Measured on kind with Kubernetes 1.34: when another replica stays ready, kube-proxy usually
// drops the evicted pod's endpoint before a preStop `nginx -s quit` takes effect, so a
// delay-less shutdown rarely shows failures with two replicas. The difference is certain when
// the evicted pod is the last ready endpoint: kube-proxy then keeps routing to the terminating
// pod (it serves terminating endpoints while no ready one exists), so the pod has to keep
// serving until its replacement is ready. The delay does exactly that; a quit does not.
describe('3. delay for propagation: preStop sleeps until the endpoint removal has propagated', function () {
  it('serves every request while a node is drained (two replicas)', async function () {
    const result = await scenario('delay', await variant(withoutPdb), { kind: 'drain', nodes: 1 });
    expect(result.report).to.have.zeroFailedRequests();
    expect(result.report.maintenance?.completed).to.equal(true);
    expectAttribution(result.report);
    // Measured, not assumed: the drained pods' endpoints left rotation, and the delay outlasted the lag.
    const lag = result.report.propagationLag;
    expect(lag?.pods.length, 'pods whose lag was measured').to.be.at.least(1);
    expect(lag!.marginMs, 'margin the preStop delay leaves').to.be.above(0);
  });

  // A replacement that is ready within the delay (no warm-up) lets the last pod hand over.
  it('serves every request even when the drained pod is the last one, until its replacement is ready', async function () {
    const result = await scenario('delay-single', await variant(withoutPdb, replicas(1), slowStart(0)), { kind: 'drain', nodes: 1 });
    expect(result.report).to.have.zeroFailedRequests();
  });

  it('twin without the delay fails: nginx stops while kube-proxy still routes to it and nothing else is ready', async function () {
    const result = await scenario('delay-twin', await variant(withoutPdb, replicas(1), slowStart(0), preStopQuitOnly), { kind: 'drain', nodes: 1 });
    expect(result.report).to.have.failedRequests();
    const codes = result.report.failures.map((f) => f.label);
    expect(codes, 'refused or reset connections, not HTTP errors').to.satisfy((c: string[]) => c.every((x) => /^E|^UND_ERR/.test(x)));
  });

  // The same drain with a 1 s delay: the measured lag leaves less margin, or none, and the report says what delay to set.
  it('twin with sleep 1: the measured lag leaves a smaller margin, and the report recommends a delay when it is too short', async function () {
    const result = await scenario('delay-1s', await variant(withoutPdb, preStopDelay(1)), { kind: 'drain', nodes: 1 });
    const lag = result.report.propagationLag;
    expect(lag?.pods.length, 'pods whose lag was measured').to.be.at.least(1);
    // `sleep 1` plus the 0.2 s polls while nginx quits, as zdt lint reads a preStop script.
    expect(lag!.preStopDelayMs).to.equal(1200);
    expect(lag!.marginMs).to.equal(1200 - lag!.maxMs);
    expect(formatReport(result.report)).to.match(lag!.marginMs! >= 0 ? /preStop delay 1\.20 s leaves/ : /preStop delay 1\.20 s is .* short: sleep at least \d+ s in preStop/);
  });
});
