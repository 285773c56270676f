import { expect } from 'chai';
import { mergeLogs } from '../../harness/load/merge.ts';
import { OUTCOME_DROPPED } from '../../harness/load/types.ts';
import { formatReport } from '../../harness/verdict/format.ts';
import { buildReport } from '../../harness/verdict/report.ts';
import { coarsest, resolutionOf } from '../../harness/verdict/resolution.ts';
import { ev, makeLog, type Req } from './fixtures.ts';

/** A request every `period` ms from `from` to `to` (exclusive), alternating kept-alive and new connections. */
const steady = (from: number, to: number, period: number, extra: (at: number) => Partial<Req> = () => ({})): Req[] =>
  Array.from({ length: Math.ceil((to - from) / period) }, (_, i) => ({ at: from + i * period, newConnection: i % 2 === 1, ...extra(from + i * period) }));

describe('verdict: resolution', () => {
  it('is the longest stretch without a request start from the first disruption to the end of the load, per kind of connection too', () => {
    const log = makeLog(steady(0, 1000, 10));
    const r = resolutionOf(log, [ev(-50, 'load-start', 'load'), ev(503, 'cordon', 'node/w1'), ev(700, 'pod-terminating', 'pod/a')], 0, 1000);
    expect(r).to.deep.equal({
      startMs: 503,
      endMs: 1000,
      blindSpotMs: 10,
      connections: [
        { connection: 'keep-alive', blindSpotMs: 20 },
        { connection: 'new', blindSpotMs: 20 },
      ],
    });
  });

  it('widens where requests were not sent (dropped), and counts failed ones as seen', () => {
    const log = makeLog(steady(0, 1000, 10, (at) => (at >= 600 && at < 700 ? { outcome: OUTCOME_DROPPED } : at >= 800 && at < 900 ? { outcome: 'ECONNREFUSED' } : {})));
    const r = resolutionOf(log, [ev(100, 'drain-start', 'node/w1')], 0, 1000)!;
    expect(r.blindSpotMs).to.equal(110);
    expect(r.connections.map((c) => c.blindSpotMs)).to.deep.equal([120, 120]);
  });

  it('covers the whole load when nothing was disrupted, the load edges included; null when nothing was sent', () => {
    const log = makeLog([{ at: 100 }, { at: 150 }, { at: 400 }]);
    expect(resolutionOf(log, [ev(5000, 'cordon', 'node/w1')], 0, 450)).to.deep.equal({ startMs: 0, endMs: 450, blindSpotMs: 250, connections: [] });
    expect(resolutionOf(makeLog([{ at: 10, outcome: OUTCOME_DROPPED }]), [], 0, 20)).to.equal(null);
  });

  it("takes several Services' coarsest, kind by kind", () => {
    const a = { startMs: 100, endMs: 900, blindSpotMs: 10, connections: [{ connection: 'keep-alive' as const, blindSpotMs: 30 }, { connection: 'new' as const, blindSpotMs: 12 }] };
    const b = { startMs: 90, endMs: 950, blindSpotMs: 25, connections: [{ connection: 'new' as const, blindSpotMs: 25 }] };
    expect(coarsest([a, null, b])).to.deep.equal({ startMs: 90, endMs: 950, blindSpotMs: 25, connections: [{ connection: 'keep-alive', blindSpotMs: 30 }, { connection: 'new', blindSpotMs: 25 }] });
    expect(coarsest([null])).to.equal(null);
  });

  it("is in the report (the run's coarsest Service) and a green run's headline states it", () => {
    const web = makeLog(steady(0, 1000, 10));
    const api = makeLog(steady(5, 1000, 40));
    const streams = [
      { service: 'web', url: 'http://127.0.0.1:30080/', log: web },
      { service: 'api', url: 'http://127.0.0.1:30081/', log: api },
    ];
    const timeline = [ev(200, 'cordon', 'node/w1')];
    const r = buildReport({ log: mergeLogs([web, api]), streams, timeline, scenario: 'node-replacement', maintenance: { completed: true } });
    expect(r.services.map((s) => s.resolution!.blindSpotMs)).to.deep.equal([10, 40]);
    expect(r.resolution!.blindSpotMs, 'an outage of api alone meets only its own requests').to.equal(40);
    const text = formatReport(r);
    expect(text.split('\n')[0]).to.equal('PASS node-replacement: 125 requests, 0 failed; an outage shorter than 40 ms could have gone unseen');
    expect(text).to.match(/^  resolution      an outage shorter than 40 ms could have gone unseen from 0\.200 s to 0\.992 s \(longest stretch without a request start; on keep-alive connections 80 ms, new connections 80 ms\)$/m);
  });
});
