import { expect } from 'chai';
import { expectCauses, scenario } from './scenario.ts';
import { recreateStrategy, variant } from './variants.ts';

describe('5. release check: a manifest change rolled out under load', function () {
  it('maxSurge 1 / maxUnavailable 0 with readiness and preStop delay: zero failures', async function () {
    const result = await scenario('rollout', await variant(), { kind: 'rollout' });
    expect(result.report).to.have.zeroFailedRequests();
    expect(result.report.maintenance?.completed).to.equal(true);
  });

  it('twin with the Recreate strategy fails: every old pod is gone before a new one is ready', async function () {
    const result = await scenario('rollout-twin', await variant(recreateStrategy), { kind: 'rollout' });
    expect(result.report).to.have.failedRequests();
    // Old pods are deleted at once: routes to them linger a moment after new ones are ready (stale route).
    expectCauses(result.report, 'no-ready-endpoint', ['sent-after-sigterm', 'keep-alive-closed', 'stale-route']);
  });
});
