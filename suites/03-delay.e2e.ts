import { expect } from 'chai';
import { scenario } from './scenario.ts';
import { preStopQuitOnly, variant, withoutPdb } from './variants.ts';

describe('3. delay for propagation: preStop sleeps until the endpoint removal has propagated', function () {
  it('serves every request while a node is drained', async function () {
    const result = await scenario('delay', await variant(withoutPdb), { kind: 'drain', nodes: 1 });
    expect(result.report).to.have.zeroFailedRequests();
    expect(result.report.maintenance?.completed).to.equal(true);
  });

  it('twin without the delay fails: nginx quits while kube-proxy still routes to it', async function () {
    const result = await scenario('delay-twin', await variant(withoutPdb, preStopQuitOnly), { kind: 'drain', nodes: 1 });
    expect(result.report).to.have.failedRequests();
  });
});
