import { AssertionError, expect, use } from 'chai';
import { OUTCOME_DROPPED } from '../../harness/load/types.ts';
import { zdtChai } from '../../harness/verdict/chai.ts';
import { formatReport } from '../../harness/verdict/format.ts';
import { buildReport, type Report } from '../../harness/verdict/report.ts';
import { drainStory, makeLog, T0_WALL } from './fixtures.ts';

use(zdtChai);

const report = (failures: boolean): Report => buildReport({ ...drainStory({ failures }), scenario: 'drain zdt-worker2', t0Wall: T0_WALL });

/** The message of the AssertionError `fn` throws. */
function failure(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(AssertionError);
    return (err as Error).message;
  }
  throw new Error('expected the assertion to fail');
}

describe('verdict: chai plugin', () => {
  it('zeroFailedRequests passes on a clean run', () => {
    expect(report(false)).to.have.zeroFailedRequests();
  });

  it('zeroFailedRequests fails with the bursts, their codes and times, and the events around them', () => {
    const message = failure(() => expect(report(true)).to.have.zeroFailedRequests());
    expect(message).to.match(/^expected zero failed requests, but 32 of 1000 requests failed\n/);
    expect(message).to.include('FAIL drain zdt-worker2');
    expect(message).to.include('failures        ECONNREFUSED 26, 503 6');
    expect(message).to.include('#1 4.200-4.450 s (03:04:09.200-03:04:09.450 UTC): 26 failed: ECONNREFUSED 26');
    expect(message).to.include('#2 7.000-7.050 s (03:04:12.000-03:04:12.050 UTC): 6 failed: 503 6');
    // What happened around burst 1, relative to its first failure.
    expect(message).to.match(/-200 ms {2}cordon +node\/zdt-worker2/);
    expect(message).to.match(/-80 ms {2}pod-terminating +pod\/web-b/);
    expect(message).to.match(/\+100 ms {2}endpoint-not-ready +endpoint\/web\/10\.244\.2\.3/);
    expect(message).to.match(/\+400 ms {2}endpoint-removed +endpoint\/web\/10\.244\.2\.3 \(after the burst\)/);
    expect(message).to.match(/-10 ms {2}pod-not-ready +pod\/web-a zdt-worker/);
  });

  it('zeroFailedRequests fails when nothing was sent', () => {
    const empty = buildReport({ log: makeLog([]), timeline: [], scenario: 'idle' });
    expect(failure(() => expect(empty).to.have.zeroFailedRequests())).to.match(/but the run is inconclusive: no request was sent, so nothing was proven\nINCONCLUSIVE idle/);
  });

  it('zeroFailedRequests fails when the generator fell behind, even with nothing failed', () => {
    const behind = buildReport({ log: makeLog([{ at: 0 }, { at: 10, outcome: OUTCOME_DROPPED }]), timeline: [], scenario: 'starved' });
    expect(failure(() => expect(behind).to.have.zeroFailedRequests())).to.match(
      /but the run is inconclusive: the load generator fell behind \(0 late starts, 1 dropped\)/,
    );
  });

  it('failedRequests passes on failures and explains a clean run', () => {
    expect(report(true)).to.have.failedRequests();
    const message = failure(() => expect(report(false)).to.have.failedRequests());
    expect(message).to.match(/^expected at least one failed request, but all 1000 requests succeeded\nPASS drain zdt-worker2/);
  });

  it('rejects negating the request assertions, naming the one to use', () => {
    expect(() => expect(report(true)).not.to.have.zeroFailedRequests()).to.throw(/\.not\.zeroFailedRequests\(\) is not supported: use \.failedRequests\(\)/);
    expect(() => expect(report(false)).not.to.have.failedRequests()).to.throw(/use \.zeroFailedRequests\(\)/);
  });

  it('minReadyEndpointsAtLeast compares the minimum while load ran, and supports .not', () => {
    // Three endpoints, 10.244.2.3 goes not-ready at 4.3 s, a fourth is ready at 6.1 s.
    expect(report(true)).to.have.minReadyEndpointsAtLeast(2);
    expect(report(true)).not.to.have.minReadyEndpointsAtLeast(3);
    expect(failure(() => expect(report(true)).to.have.minReadyEndpointsAtLeast(3))).to.match(
      /^expected at least 3 ready endpoints while load ran, but the minimum was 2 at 4\.300 s\n/,
    );
    expect(failure(() => expect(report(true)).not.to.have.minReadyEndpointsAtLeast(2))).to.match(/expected fewer than 2 .* but the minimum was 2/);
    const blind = buildReport({ log: makeLog([{ at: 0 }]), timeline: [], scenario: 'blind' });
    expect(failure(() => expect(blind).not.to.have.minReadyEndpointsAtLeast(1))).to.equal('expected ready-endpoint data for blind, but none was observed');
    expect(() => expect(report(true)).to.have.minReadyEndpointsAtLeast(-1)).to.throw(/integer n >= 0, got -1/);
  });

  it('evictionRefusals looks for a 429 in the timeline, and supports .not', () => {
    expect(report(true)).to.have.evictionRefusals();
    expect(failure(() => expect(report(true)).not.to.have.evictionRefusals())).to.match(
      /expected no eviction refused with 429, but 1 was, first at 5\.000 s for pod\/web-c \(429 Cannot evict/,
    );
    const calm = buildReport({ log: makeLog([{ at: 0 }]), timeline: [], scenario: 'calm' });
    expect(calm).not.to.have.evictionRefusals();
    expect(failure(() => expect(calm).to.have.evictionRefusals())).to.equal('expected at least one eviction refused with 429, but none was (0 accepted)');
  });

  it('says clearly when the subject is not a report', () => {
    expect(failure(() => expect({ failed: 0 }).to.have.zeroFailedRequests())).to.equal(
      'zeroFailedRequests() expects a zdt Report from buildReport(), got an object with keys failed',
    );
  });
});

describe('verdict: formatReport', () => {
  it('prints totals, latency, gap, ready endpoints and maintenance compactly', () => {
    const r = buildReport({ ...drainStory(), scenario: 'drain', maintenance: { completed: false, reason: 'PDB web blocked eviction' } });
    const text = formatReport(r);
    expect(text.split('\n')[0]).to.equal('FAIL drain: 32 of 1000 requests failed; maintenance did not complete: PDB web blocked eviction');
    expect(text).to.include('requests        1000 scheduled, 1000 sent, 968 ok, 32 failed, 0 late starts, 0 dropped');
    expect(text).to.match(/latency {9}p50 \d+(\.\d+)? ms, p90 .* \(968 ok responses\)/);
    expect(text).to.include('longest gap     ');
    expect(text).to.include('ready endpoints min 2 at 4.300 s');
    expect(text).to.include('maintenance     did not complete: PDB web blocked eviction');
    expect(text).not.to.include('t0 ');
  });

  it('names the generator falling behind and summarises bursts past maxBursts', () => {
    const log = makeLog(
      [0, 1000, 2000, 3000].map((at) => ({ at, outcome: 503 })),
      { lateStarts: 3 },
    );
    const text = formatReport(buildReport({ log, timeline: [], scenario: 's' }), { maxBursts: 1 });
    expect(text.split('\n')[0]).to.equal(
      'FAIL s: 4 of 4 requests failed; the load generator fell behind (3 late starts, 0 dropped), so the service saw less load than scheduled',
    );
    expect(text).to.include('#1 0.000-0.000 s: 1 failed: 503 1\n      no timeline events nearby');
    expect(text).to.include('... 3 more bursts, 3 failures (1.000-3.000 s)');
    expect(text).not.to.include('#2');
  });
});
