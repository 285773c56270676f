import { expect } from 'chai';
import { isZdtError } from '../../harness/errors.ts';
import { parseExpectStatus } from '../../harness/load/status.ts';
import { mergeLogs } from '../../harness/load/merge.ts';
import { OUTCOME_DROPPED } from '../../harness/load/types.ts';
import { findBursts } from '../../harness/verdict/bursts.ts';
import { formatReport } from '../../harness/verdict/format.ts';
import { buildReport, observerGapsFromTimeline, readySeriesFromTimeline } from '../../harness/verdict/report.ts';
import { drainStory, ev, makeLog, type Req } from './fixtures.ts';

describe('verdict: buildReport', () => {
  it('counts totals and failures by outcome label; by default a 4xx is a failure, a dropped request was not sent', () => {
    const log = makeLog(
      [
        { at: 0, outcome: OUTCOME_DROPPED },
        { at: 0, outcome: 200 },
        { at: 10, outcome: 404 },
        { at: 20, outcome: 503 },
        { at: 30, outcome: 'ECONNREFUSED' },
        { at: 40, outcome: 'ECONNREFUSED' },
        { at: 50, outcome: 200 },
      ],
      { lateStarts: 2 },
    );
    const r = buildReport({ log, timeline: [], scenario: 's' });
    expect(r.totals).to.deep.equal({ scheduled: 7, sent: 6, ok: 2, failed: 4, lateStarts: 2, dropped: 1 });
    expect(r.expectStatus).to.equal('200-399');
    expect(r.failures).to.deep.equal([
      { label: 'ECONNREFUSED', count: 2 },
      { label: '404', count: 1 },
      { label: '503', count: 1 },
    ]);
    expect(r.verdict).to.equal('fail');
    expect(r.passed).to.equal(false);
    expect(r.problems).to.deep.equal([
      '4 of 6 requests failed',
      'the load generator fell behind (2 late starts, 1 dropped), so the service saw less load than scheduled',
    ]);
  });

  it('counts sent and failed requests per kind of connection, and the text names them only when something failed', () => {
    const reqs: Req[] = [
      { at: 0, newConnection: false },
      { at: 10, newConnection: true, outcome: 'ECONNREFUSED' },
      { at: 20, newConnection: false, outcome: 'UND_ERR_SOCKET' },
      { at: 30, newConnection: true, outcome: 'ECONNREFUSED' },
      { at: 40, newConnection: true, outcome: OUTCOME_DROPPED },
      { at: 50, newConnection: false },
    ];
    const r = buildReport({ log: makeLog(reqs), timeline: [], scenario: 's' });
    expect(r.connections).to.deep.equal([
      { connection: 'keep-alive', sent: 3, failed: 1, failures: [{ label: 'UND_ERR_SOCKET', count: 1 }] },
      { connection: 'new', sent: 2, failed: 2, failures: [{ label: 'ECONNREFUSED', count: 2 }] },
    ]);
    expect(formatReport(r)).to.include('connections     keep-alive: 1 of 3 failed (UND_ERR_SOCKET 1); new: 2 of 2 failed (ECONNREFUSED 2)');
    const clean = buildReport({ log: makeLog(reqs.map((q) => ({ ...q, outcome: 200 }))), timeline: [], scenario: 's' });
    expect(clean.connections.map((c) => [c.connection, c.sent, c.failed])).to.deep.equal([['keep-alive', 3, 0], ['new', 3, 0]]);
    expect(formatReport(clean)).to.not.match(/^  connections /m);
    // One kind only: the failures line already says it all.
    expect(buildReport({ log: makeLog([{ at: 0, newConnection: true, outcome: 'ECONNREFUSED' }]), timeline: [], scenario: 's' }).connections).to.have.length(1);
    expect(buildReport({ log: makeLog([{ at: 0 }]), timeline: [], scenario: 's' }).connections).to.deep.equal([]);
  });

  it('says how many failures a client retrying on a stale kept-alive connection would not have seen, and still fails them', () => {
    const reqs: Req[] = [
      { at: 0, reusedUnanswered: false },
      { at: 10, outcome: 'ECONNRESET', reusedUnanswered: true },
      { at: 20, outcome: 'UND_ERR_SOCKET', reusedUnanswered: true },
      { at: 30, outcome: 'ECONNREFUSED', reusedUnanswered: false },
    ];
    const r = buildReport({ log: makeLog(reqs), timeline: [], scenario: 's' });
    expect(r.reusedUnanswered).to.equal(2);
    expect(r.verdict).to.equal('fail');
    expect(formatReport(r)).to.match(/stale reuse +2 of 3 failed requests went out on a reused kept-alive connection and got no response byte: .*Go net\/http, browsers/);
    expect(buildReport({ log: makeLog([{ at: 0 }]), timeline: [], scenario: 's' }).reusedUnanswered).to.equal(null);
    expect(formatReport(buildReport({ log: makeLog([{ at: 0, reusedUnanswered: false }]), timeline: [], scenario: 's' }))).to.not.include('stale reuse');
  });

  it("judges statuses by the log's expectStatus: in totals, failures, bursts, throughput and latency", () => {
    const log = {
      ...makeLog([
        { at: 0, outcome: 200, latency: 9 },
        { at: 10, outcome: 404, latency: 1 },
        { at: 20, outcome: 301, latency: 1 },
      ]),
      expectStatus: parseExpectStatus('301,404'),
    };
    const r = buildReport({ log, timeline: [], scenario: 's', bucketMs: 1000 });
    expect(r.expectStatus).to.equal('301,404');
    expect(r.totals).to.include({ ok: 2, failed: 1 });
    expect(r.failures).to.deep.equal([{ label: '200', count: 1 }]);
    expect(r.bursts.map((b) => [b.startMs, b.outcomes])).to.deep.equal([[0, [{ label: '200', count: 1 }]]]);
    expect([r.throughput.ok, r.throughput.failed]).to.deep.equal([[2], [1]]);
    expect(r.latency!.max).to.be.closeTo(1, 0.01);
  });

  it('calls a run with no failures but a starved generator inconclusive, and keeps NaN latencies of drops out', () => {
    const log = makeLog([
      { at: 0, latency: 5 },
      { at: 100, outcome: OUTCOME_DROPPED },
      { at: 200, latency: 7 },
    ]);
    const r = buildReport({ log, timeline: [], scenario: 's' });
    expect(r.verdict).to.equal('inconclusive');
    expect(r.passed).to.equal(false);
    expect(r.latency).to.include({ count: 2 });
    expect(r.latency!.max).to.be.closeTo(7, 0.01);
    expect(r.window).to.deep.equal({ startMs: 0, endMs: 207, durationMs: 207 });
    expect(r.longestGap).to.deep.equal({ startMs: 5, endMs: 207, durationMs: 202 });
    expect(r.throughput.ok.reduce((a, b) => a + b, 0)).to.equal(2);
    expect(r.bursts).to.deep.equal([]);
  });

  it('tolerates late starts up to maxLateStartFraction of the schedule, and no more', () => {
    const reqs = Array.from({ length: 200 }, (_, i) => ({ at: i * 5, latency: 1 }));
    const verdictWith = (lateStarts: number, maxLateStartFraction?: number) =>
      buildReport({ log: makeLog(reqs, { lateStarts }), timeline: [], scenario: 's', ...(maxLateStartFraction === undefined ? {} : { maxLateStartFraction }) }).verdict;
    expect(verdictWith(2)).to.equal('pass'); // 1% of 200
    expect(verdictWith(3)).to.equal('inconclusive');
    expect(verdictWith(1, 0)).to.equal('inconclusive');
    expect(() => verdictWith(0, -1)).to.throw(/maxLateStartFraction/);
  });

  it("names why the generator fell behind from its own health figures, and prints them", () => {
    const generator = { loopDelayP99Ms: 3, loopDelayMaxMs: 277, cpuPercent: 31, cpuPressurePercent: 64, nice: -10, autogroupNice: -10 };
    const r = buildReport({ log: { ...makeLog(Array.from({ length: 100 }, (_, i) => ({ at: i * 5 })), { lateStarts: 5 }), generator }, timeline: [], scenario: 's' });
    expect(r.verdict).to.equal('inconclusive');
    expect(r.generator).to.deep.equal(generator);
    expect(r.problems[0]).to.match(/fell behind \(5 late starts, 0 dropped; its event loop was held up to 277 ms while tasks waited for a CPU 64% of the time .*\), so the service/);
    expect(formatReport(r)).to.include('  generator       event loop delay p99 3 ms, max 277 ms; 31% of a core at nice -10 (autogroup -10); CPU pressure 64% of the time');
  });

  it('a run that sent nothing is inconclusive; one whose maintenance did not complete fails', () => {
    const idle = buildReport({ log: makeLog([]), timeline: [], scenario: 's' });
    expect([idle.verdict, idle.problems]).to.deep.equal(['inconclusive', ['no request was sent, so nothing was proven']]);
    const r = buildReport({ log: makeLog([{ at: 0 }]), timeline: [], scenario: 's', maintenance: { completed: false, reason: 'drain blocked by PDB web' } });
    expect(r.passed).to.equal(false);
    expect(r.problems).to.deep.equal(['maintenance did not complete: drain blocked by PDB web']);
  });

  it('finds the longest gap between successful responses by completion time', () => {
    const reqs: Req[] = [
      { at: 0, latency: 100 }, // ok at 100
      { at: 150, latency: 50 }, // ok at 200
      { at: 300, outcome: 'ECONNRESET' },
      { at: 500, outcome: 503 },
      { at: 850, latency: 50 }, // ok at 900
      { at: 950, latency: 50 }, // ok at 1000
    ];
    expect(buildReport({ log: makeLog(reqs), timeline: [], scenario: 's' }).longestGap).to.deep.equal({ startMs: 200, endMs: 900, durationMs: 700 });
  });

  it('a service that never recovers has a gap running to the end of the window', () => {
    const reqs: Req[] = [{ at: 0, latency: 10 }, { at: 100, latency: 10 }, ...[300, 1000, 2000].map((at) => ({ at, latency: 5, outcome: 503 }))];
    expect(buildReport({ log: makeLog(reqs), timeline: [], scenario: 's' }).longestGap).to.deep.equal({ startMs: 110, endMs: 2005, durationMs: 1895 });
  });

  it('computes latency percentiles of non-failed responses with HDR precision', () => {
    const reqs: Req[] = [];
    // 1..1000 ms in a scrambled order, plus fast failures that must not count.
    for (let k = 0; k < 1000; k++) reqs.push({ at: k, latency: ((k * 7919) % 1000) + 1 });
    for (let k = 0; k < 50; k++) reqs.push({ at: k, latency: 0.01, outcome: 'ECONNREFUSED' });
    const l = buildReport({ log: makeLog(reqs), timeline: [], scenario: 's' }).latency!;
    expect(l.count).to.equal(1000);
    expect(l.p50).to.be.closeTo(500, 0.5);
    expect(l.p90).to.be.closeTo(900, 0.9);
    expect(l.p99).to.be.closeTo(990, 1);
    expect(l.p999).to.be.closeTo(999, 1);
    expect(l.max).to.be.closeTo(1000, 1);
  });

  it('has no latency when nothing succeeded', () => {
    expect(buildReport({ log: makeLog([{ at: 0, outcome: 502 }]), timeline: [], scenario: 's' }).latency).to.equal(null);
  });

  it('derives ready endpoints per subject from the timeline and takes the minimum while load ran', () => {
    const timeline = [
      ev(10, 'endpoint-ready', 'endpoint/web/a'),
      ev(11, 'endpoint-ready', 'endpoint/web/b'),
      ev(12, 'endpoint-ready', 'endpoint/web/c'),
      ev(2000, 'endpoint-not-ready', 'endpoint/web/b'),
      ev(2100, 'endpoint-removed', 'endpoint/web/b'), // already not ready: no second decrement
      ev(2200, 'endpoint-not-ready', 'endpoint/web/c'),
      ev(2500, 'endpoint-ready', 'endpoint/web/d'),
      ev(2600, 'endpoint-ready', 'endpoint/web/d'), // repeated: still one endpoint
      ev(9000, 'endpoint-removed', 'endpoint/web/a'), // after the load window
    ];
    expect(readySeriesFromTimeline(timeline).map((p) => p.ready)).to.deep.equal([1, 2, 3, 2, 2, 1, 2, 2, 1]);
    const log = makeLog([{ at: 1000 }, { at: 3000 }]);
    const r = buildReport({ log, timeline, scenario: 's' });
    // The 1 and 2 while the watcher listed endpoints at startup are not an outage.
    expect(r.readyEndpoints.min).to.equal(1);
    expect(r.readyEndpoints.minAtMs).to.equal(2200);
    expect(r.readyEndpoints.series.map((p) => p.ready)).to.deep.equal([1, 2, 3, 2, 1, 2, 1]);
  });

  it('takes the count in force when load starts, and prefers an explicit series over the timeline', () => {
    const log = makeLog([{ at: 1000 }, { at: 3000 }]);
    const readyEndpoints = [
      { t: 0, ready: 2 },
      { t: 500, ready: 3 },
      { t: 2000, ready: 2 },
    ];
    const r = buildReport({ log, timeline: [ev(1500, 'endpoint-removed', 'endpoint/web/x')], scenario: 's', readyEndpoints });
    expect(r.readyEndpoints.min).to.equal(2);
    expect(r.readyEndpoints.minAtMs).to.equal(2000);
    expect(buildReport({ log, timeline: [], scenario: 's' }).readyEndpoints).to.deep.equal({ min: null, minAtMs: null, series: [] });
  });

  it('counts answers per pod and buckets requests over time', () => {
    const { log, timeline } = drainStory();
    const r = buildReport({ log, timeline, scenario: 's' });
    expect(r.answeredBy.map((c) => c.label)).to.have.members(['web-a', 'web-b', 'web-c']);
    expect(r.answeredBy.reduce((n, c) => n + c.count, 0)).to.equal(r.totals.ok);
    expect(r.throughput.bucketMs).to.equal(100);
    expect(r.throughput.ok.reduce((a, b) => a + b, 0)).to.equal(r.totals.ok);
    expect(r.throughput.failed.reduce((a, b) => a + b, 0)).to.equal(r.totals.failed);
    expect(r.throughput.failed[(4300 - r.throughput.startMs) / 100]).to.equal(10);
  });

  it('marks when zdt could not see the cluster: overlapping streams merged, an open gap to the last event; every request still counted', () => {
    const { log, timeline } = drainStory({ failures: false });
    const blind = [
      ev(3100, 'observer-gap-start', 'watch/pods', 'connect ECONNREFUSED'),
      ev(3100.5, 'observer-gap-start', 'watch/nodes', 'connect ECONNREFUSED'),
      ev(8200, 'observer-gap-end', 'watch/nodes', 'listed again after 5.1 s'),
      ev(8500, 'observer-gap-end', 'watch/pods', 'listed again after 5.4 s'),
      ev(9000, 'observer-gap-start', 'watch/endpointslices', 'the server ended the watch'),
      ev(9000.5, 'observer-gap-end', 'watch/endpointslices', 'listed again after 0.0 s'),
      ev(10000, 'observer-gap-start', 'watch/pods', 'connect ECONNREFUSED'),
    ];
    const all = [...timeline, ...blind].sort((a, b) => a.t - b.t);
    const r = buildReport({ log, timeline: all, scenario: 's', maintenance: { completed: true } });
    expect(r.observerGaps).to.deep.equal([
      { startMs: 3100, endMs: 8500, durationMs: 5400 },
      { startMs: 9000, endMs: 9000.5, durationMs: 0.5 },
      { startMs: 10000, endMs: 11000, durationMs: 1000 },
    ]);
    expect(r.verdict).to.equal('pass');
    expect(r.totals).to.include({ scheduled: 1000, sent: 1000, ok: 1000, failed: 0 });
    expect(formatReport(r).split('\n').filter((l) => l.includes('observer gap'))).to.deep.equal([
      '  observer gap    5.4 s (3.100-8.500 s)',
      '  observer gap    0.0 s (9.000-9.001 s)',
      '  observer gap    1.0 s (10.000-11.000 s)',
    ]);
    expect(observerGapsFromTimeline(timeline), 'no gap events, no gaps').to.deep.equal([]);
  });

  it("judges each Service's stream on its own and names the failing one; each counts only its own endpoints", () => {
    const web = makeLog(Array.from({ length: 100 }, (_, i) => ({ at: 10 * i, pod: 'web-1' })));
    const api = makeLog(Array.from({ length: 100 }, (_, i): Req => ({ at: 10 * i + 5, ...(i >= 40 && i < 52 ? { outcome: 'ECONNREFUSED' } : { pod: 'api-1' }) })));
    const timeline = [
      ev(0, 'endpoint-ready', 'endpoint/web/10.0.0.1'),
      ev(0, 'endpoint-ready', 'endpoint/web/10.0.0.2'),
      ev(0, 'endpoint-ready', 'endpoint/api/10.0.1.1'),
      ev(0, 'endpoint-ready', 'endpoint/api/10.0.1.2'),
      ev(380, 'pod-terminating', 'pod/api-2'),
      ev(600, 'endpoint-removed', 'endpoint/api/10.0.1.2'),
    ];
    const streams = [
      { service: 'web', url: 'http://127.0.0.1:30080/', log: web },
      { service: 'api', url: 'http://127.0.0.1:30081/', log: api },
    ];
    const r = buildReport({ log: mergeLogs([web, api]), streams, timeline, scenario: 's', maintenance: { completed: true } });
    expect(r.verdict).to.equal('fail');
    expect(r.problems).to.deep.equal(['12 of 200 requests failed (Service api: 12 of 100)']);
    expect(r.services.map((s) => [s.service, s.verdict, s.totals.failed, s.minReadyEndpoints])).to.deep.equal([
      ['web', 'pass', 0, 2],
      ['api', 'fail', 12, 1],
    ]);
    expect(r.services[1]!.failures).to.deep.equal([{ label: 'ECONNREFUSED', count: 12 }]);
    expect(r.services[1]!.bursts.map((b) => b.count)).to.deep.equal([12]);
    expect(r.readyEndpoints.min, 'both Services together').to.equal(3);
    const text = formatReport(r);
    expect(text).to.match(/^  Service web\s+PASS: 100 requests, 0 failed, longest gap/m);
    expect(text).to.match(/^  Service api\s+FAIL: 12 of 100 requests failed \(ECONNREFUSED 12\), longest gap \d+ ms, min 1 ready endpoints, blind to outages under 10 ms$/m);
    expect(buildReport({ log: web, timeline, scenario: 's' }).services, 'no streams, no per-Service verdicts').to.deep.equal([]);
  });

  it('is plain JSON', () => {
    const { log, timeline } = drainStory();
    const r = buildReport({ log, timeline, scenario: 's', t0Wall: 1_700_000_000_000, maintenance: { completed: true } });
    expect(JSON.parse(JSON.stringify(r))).to.deep.equal(r);
  });

  it('rejects bad options with ZDT_INVALID_OPTION naming the value', () => {
    const log = makeLog([{ at: 0 }]);
    const cases: [() => unknown, RegExp][] = [
      [() => buildReport({ log, timeline: [], scenario: '' }), /scenario must be a non-empty string, got ""/],
      [() => buildReport({ log, timeline: [], scenario: 's', bucketMs: NaN }), /bucketMs must be a finite number > 0, got NaN/],
      [() => buildReport({ log, timeline: [], scenario: 's', bursts: { gapMs: 0 } }), /gapMs must be a finite number > 0, got 0/],
      [() => buildReport({ log, timeline: [], scenario: 's', bursts: { maxEvents: 1.5 } }), /maxEvents must be a non-negative integer, got 1.5/],
      [() => buildReport({ log, timeline: [], scenario: 's', readyEndpoints: [{ t: 0, ready: -1 }] }), /readyEndpoints\[\].*"ready":-1/],
      [() => buildReport({ log: { ...log, outcome: new Uint16Array(0) }, timeline: [], scenario: 's' }), /log\.outcome\.length must be >= log\.count \(1\), got 0/],
    ];
    for (const [fn, message] of cases) {
      expect(fn).to.throw(message);
      try {
        fn();
      } catch (err) {
        expect(isZdtError(err, 'ZDT_INVALID_OPTION'), String(err)).to.equal(true);
      }
    }
  });
});

describe('verdict: bursts', () => {
  const failuresAt = (...ts: number[]) => makeLog(ts.map((at) => ({ at, outcome: 'ECONNREFUSED' as const })));

  it('merges failures closer than the gap and splits at exactly the gap', () => {
    expect(findBursts(failuresAt(0, 249, 498), []).map((b) => [b.startMs, b.endMs, b.count])).to.deep.equal([[0, 498, 3]]);
    expect(findBursts(failuresAt(0, 250), []).map((b) => [b.startMs, b.count])).to.deep.equal([
      [0, 1],
      [250, 1],
    ]);
    expect(findBursts(failuresAt(0, 99, 200), [], { gapMs: 100 }).map((b) => b.count)).to.deep.equal([2, 1]);
  });

  it('orders by start time, ignores successes and counts outcomes per burst', () => {
    const log = makeLog([
      { at: 1000, outcome: 503 },
      { at: 100, outcome: 'ECONNRESET' },
      { at: 150, outcome: 200 },
      { at: 200, outcome: 'ECONNRESET' },
      { at: 300, outcome: 502 },
    ]);
    const bursts = findBursts(log, []);
    expect(bursts.map((b) => [b.startMs, b.endMs, b.outcomes])).to.deep.equal([
      [100, 300, [{ label: 'ECONNRESET', count: 2 }, { label: '502', count: 1 }]],
      [1000, 1000, [{ label: '503', count: 1 }]],
    ]);
  });

  it('correlates each burst with the events in its window, alternately before and from its first failure, nearest first', () => {
    const log = failuresAt(10_000, 10_100, 10_200);
    const timeline = [
      ev(4_000, 'cordon', 'node/far-before'), // outside: 6 s before
      ev(8_000, 'cordon', 'node/w'),
      ev(9_920, 'pod-terminating', 'pod/web-x'),
      ev(10_150, 'endpoint-not-ready', 'endpoint/web/10.244.2.3'),
      ev(10_500, 'endpoint-removed', 'endpoint/web/10.244.2.3'),
      ev(11_300, 'pod-deleted', 'pod/far-after'), // outside: 1.1 s after
    ];
    const [burst] = findBursts(log, timeline);
    expect(burst!.events.map((e) => [e.subject, e.offsetMs, e.position])).to.deep.equal([
      ['pod/web-x', -80, 'before'],
      ['endpoint/web/10.244.2.3', 150, 'during'],
      ['node/w', -2000, 'before'],
      ['endpoint/web/10.244.2.3', 500, 'after'],
    ]);
    expect(findBursts(log, timeline, { maxEvents: 2 })[0]!.events.map((e) => e.kind)).to.deep.equal(['pod-terminating', 'endpoint-not-ready']);
    expect(findBursts(log, timeline, { beforeMs: 100, afterMs: 0 })[0]!.events.map((e) => e.kind)).to.deep.equal([
      'pod-terminating',
      'endpoint-not-ready',
    ]);
  });

  it('keeps the eviction that started a long burst even when the burst holds more events than fit', () => {
    // As seen in CI: both pods evicted just before a 1.2 s burst full of its own effects.
    const log = failuresAt(3_480, 3_700, 3_900, 4_100, 4_300, 4_650);
    const timeline = [
      ev(3_250, 'eviction-accepted', 'pod/a'),
      ev(3_260, 'pod-terminating', 'pod/a'),
      ...[215, 224, 441, 462, 792, 858, 890, 1030].map((d) => ev(3_480 + d, 'pod-deleted', `pod/x${d}`)),
    ];
    const kinds = findBursts(log, timeline, { maxEvents: 8 })[0]!.events.map((e) => e.kind);
    expect(kinds).to.deep.equal(['pod-terminating', 'pod-deleted', 'eviction-accepted', ...Array(5).fill('pod-deleted')]);
  });
});
