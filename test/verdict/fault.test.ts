import { expect } from 'chai';
import { faultFigures } from '../../harness/verdict/fault.ts';
import { buildReport } from '../../harness/verdict/report.ts';
import { formatReport } from '../../harness/verdict/format.ts';
import { ev, makeLog, type Req } from './fixtures.ts';

/**
 * A crash story at 100 req/s from 0 to 120 s: zdt-worker is killed at 10 s; requests routed to
 * its pod fail from 10.0 s until the control plane marks it NotReady at 62 s and its endpoint
 * leaves; a replacement is ready at 70 s; the node is back at 70 s and Ready at 95 s.
 */
function crashStory() {
  const reqs: Req[] = [];
  for (let at = 0; at < 120_000; at += 10) reqs.push({ at, outcome: at >= 10_000 && at < 62_000 && (at / 10) % 2 === 0 ? 'UND_ERR_CONNECT_TIMEOUT' : 200 });
  const timeline = [
    ev(9_000, 'endpoint-ready', 'endpoint/web/10.244.1.2'),
    ev(9_000, 'endpoint-ready', 'endpoint/web/10.244.2.2'),
    ev(10_000, 'node-fault', 'node/zdt-worker', 'kill'),
    ev(62_000, 'node-not-ready', 'node/zdt-worker'),
    ev(62_050, 'endpoint-not-ready', 'endpoint/web/10.244.1.2'),
    ev(69_000, 'endpoint-ready', 'endpoint/web/10.244.2.3'),
    ev(70_000, 'node-restored', 'node/zdt-worker', 'kill'),
    ev(95_000, 'node-ready', 'node/zdt-worker'),
  ];
  return { log: makeLog(reqs), timeline };
}

describe('verdict: node fault figures (detect, recover, full strength)', () => {
  it('measures each figure from the fault, on the run clock', () => {
    const { log, timeline } = crashStory();
    const r = buildReport({ log, timeline, scenario: 'node-crash', faultSettings: ['node-monitor-grace-period 50s (the default): …'] });
    expect(r.fault).to.deep.equal({
      node: 'zdt-worker',
      fault: 'kill',
      startMs: 10_000,
      restoredMs: 60_000,
      detectMs: 52_000,
      firstFailureMs: 0,
      lastFailureMs: 51_980,
      recoverMs: 51_980,
      fullStrengthMs: 59_000,
      nodeReadyMs: 85_000,
      settings: ['node-monitor-grace-period 50s (the default): …'],
    });
    const text = formatReport(r);
    expect(text).to.include('node fault      kill zdt-worker at 10.000 s; detected (NotReady) after 52.00 s; failures for 51.98 s from +0 ms; full strength after 59.00 s; node given back after 60.00 s, Ready after 85.00 s');
    expect(text).to.include('node-monitor-grace-period 50s');
  });

  it('says what did not happen: a fault too short to be noticed, with no failure', () => {
    const timeline = [ev(0, 'endpoint-ready', 'endpoint/web/a'), ev(1_000, 'node-fault', 'node/n1', 'pause'), ev(3_000, 'node-restored', 'node/n1', 'pause')];
    const log = makeLog([{ at: 500 }, { at: 2_000 }, { at: 4_000 }]);
    const f = faultFigures(log, timeline, [{ t: 0, ready: 1 }]);
    expect(f).to.include({ detectMs: null, recoverMs: null, firstFailureMs: null, fullStrengthMs: null, nodeReadyMs: null, restoredMs: 2_000 });
    expect(formatReport(buildReport({ log, timeline, scenario: 'node-freeze' }))).to.include(
      'pause n1 at 1.000 s; never marked NotReady; no failed request; ready endpoints never dropped; node given back after 2.00 s, not seen Ready again',
    );
  });

  it('is null for a run without a node fault, and ignores failures before the fault', () => {
    expect(faultFigures(makeLog([{ at: 0, outcome: 'ECONNREFUSED' }]), [], [])).to.equal(null);
    const f = faultFigures(makeLog([{ at: 0, outcome: 'ECONNREFUSED' }, { at: 2_000, outcome: 'ECONNREFUSED' }]), [ev(1_000, 'node-fault', 'node/n1', 'kill')], []);
    expect(f).to.include({ firstFailureMs: 1_000, lastFailureMs: 1_000, recoverMs: 0 });
  });
});
