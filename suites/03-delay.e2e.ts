import { expect } from 'chai';
import { expectAttribution, scenario } from './scenario.ts';
import { preStopQuitOnly, replicas, slowStart, variant, withoutPdb } from './variants.ts';

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
});
