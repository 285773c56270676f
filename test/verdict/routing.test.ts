import { expect } from 'chai';
import type { ConntrackNew } from '../../harness/observe/conntrack.ts';
import { formatReport } from '../../harness/verdict/format.ts';
import { buildReport } from '../../harness/verdict/report.ts';
import { MATCH_SLACK_MS, outOfRotation, podsByAddress, propagationLag, routeRequests, summarizeRouting } from '../../harness/verdict/routing.ts';
import { ev, makeLog, T0_WALL } from './fixtures.ts';

const A = '10.244.1.5';
const B = '10.244.2.7';
const timeline = [ev(0, 'endpoint-ready', `endpoint/web/${A}`, 'web-a'), ev(0, 'endpoint-ready', `endpoint/web/${B}`, 'web-b (observed after a gap)')];
const pods = podsByAddress(timeline);
const nw = (t: number, sport: number, backend: string, dport = 30080): ConntrackNew => ({ wallMs: T0_WALL + t, sport, dport, backend });
const route = { nodePort: 30080, wallToRun: (w: number) => w - T0_WALL, podOf: (a: string) => pods.get(a) };
const named = (log: ReturnType<typeof routeRequests>) => Array.from(log.routedTo!, (i) => log.pods[i]);

describe('verdict/routing: which pod each connection was routed to, from conntrack', () => {
  it('maps pod IPs to pod names from the endpoint events, notes after the name left out', () => {
    expect([...pods]).to.deep.equal([[A, 'web-a'], [B, 'web-b']]);
  });

  it('routes a kept-alive connection by the event that opened it, a new one by its own, a reused port by the latest before', () => {
    const log = makeLog([
      { at: 100, localPort: 40001, pod: 'web-a' },
      { at: 200, localPort: 40001, pod: 'web-a' },
      // A new connection: conntrack saw it just after the request started.
      { at: 300, latency: 1, localPort: 40002, pod: 'web-b' },
      // The same port again, later, to the other pod.
      { at: 5000, localPort: 40001, pod: 'web-b' },
      // Refused: no connection, no port.
      { at: 6000, outcome: 'ECONNREFUSED' },
      // Failed after connecting: attributed although no header came.
      { at: 7000, localPort: 40003, outcome: 'ECONNRESET' },
    ]);
    const events = [nw(0, 40001, A), nw(300.4, 40002, B), nw(4999, 40001, B), nw(7000.2, 40003, A), nw(7000.3, 40003, B, 30081)];
    const routed = routeRequests(log, events, route);
    expect(named(routed)).to.deep.equal(['web-a', 'web-a', 'web-b', 'web-b', '', 'web-a']);
    expect(summarizeRouting(routed, { method: 'conntrack', node: 'zdt-control-plane' })).to.deep.equal({
      method: 'conntrack',
      node: 'zdt-control-plane',
      sent: 6,
      attributed: 5,
      compared: 4,
      agreed: 4,
    });
  });

  it('routes a refused connect, which never learnt its port, to the connection no request claimed while it was under way', () => {
    const log = makeLog([
      { at: 100, localPort: 40001, pod: 'web-a' },
      { at: 1000, latency: 1, outcome: 'ECONNREFUSED' },
      { at: 1001, latency: 1, outcome: 'ECONNREFUSED' },
      // Timed out after 3 s with no SYN seen for it.
      { at: 2000, latency: 3000, outcome: 'UND_ERR_CONNECT_TIMEOUT' },
      // Never sent, no connection attempted.
      { at: 9000, outcome: 0 },
    ]);
    const events = [nw(0, 40001, A), nw(1000.2, 40005, B), nw(1001.4, 40006, A), nw(1001.5, 40001, A, 30081)];
    const routed = routeRequests(log, events, route);
    expect(named(routed)).to.deep.equal(['web-a', 'web-b', 'web-a', '', '']);
    expect(summarizeRouting(routed, { method: 'conntrack', node: 'n' })).to.include({ sent: 4, attributed: 3 });
  });

  it('never routes a request to a connection opened after it completed (beyond the clock slack)', () => {
    const log = makeLog([{ at: 100, latency: 2, localPort: 40001 }]);
    expect(named(routeRequests(log, [nw(102 + MATCH_SLACK_MS + 1, 40001, A)], route))).to.deep.equal(['']);
    expect(named(routeRequests(log, [nw(102 + MATCH_SLACK_MS - 1, 40001, A)], route))).to.deep.equal(['web-a']);
  });

  it('names a backend no endpoint event named by its IP, and counts a header that disagrees', () => {
    const log = makeLog([
      { at: 100, localPort: 40001, pod: 'web-a' },
      { at: 200, localPort: 40002, pod: 'web-a' },
    ]);
    const routed = routeRequests(log, [nw(0, 40001, A), nw(150, 40002, '10.244.9.9')], route);
    expect(named(routed)).to.deep.equal(['web-a', '10.244.9.9']);
    const s = summarizeRouting(routed, { method: 'conntrack', node: 'n' });
    expect([s.compared, s.agreed]).to.deep.equal([2, 1]);
  });

  it('leaves a log without local ports as it is', () => {
    const log = makeLog([{ at: 100, pod: 'web-a' }]);
    expect(routeRequests(log, [nw(0, 40001, A)], route)).to.equal(log);
    expect(summarizeRouting(log, { method: 'header' })).to.deep.equal({ method: 'header', sent: 1, attributed: 1, compared: 0, agreed: 0 });
  });

  describe('propagation lag', () => {
    const C = '10.244.3.3';
    const drained = [
      ...timeline,
      ev(1000, 'endpoint-not-ready', `endpoint/web/${A}`, 'web-a'),
      ev(1500, 'endpoint-removed', `endpoint/web/${A}`),
      // A replacement appears not ready: never in rotation, so never out of it.
      ev(2000, 'endpoint-not-ready', `endpoint/web/${C}`, 'web-c'),
      ev(2500, 'endpoint-ready', `endpoint/web/${C}`, 'web-c'),
      ev(3000, 'endpoint-not-ready', `endpoint/web/${B}`, 'web-b'),
    ];
    // web-a still got new connections 800 ms after it left rotation; web-b none after; web-c is not leaving.
    const events = [nw(500, 40001, A), nw(1800, 40002, A), nw(2500, 40003, B), nw(2900, 40004, A, 9999), nw(4000, 40005, C)];
    const opts = { wallToRun: route.wallToRun, nodePorts: [30080] };

    it('takes an endpoint out of rotation once it stops being ready while another of its Service is ready', () => {
      expect([...outOfRotation(drained)]).to.deep.equal([[A, 1000], [B, 3000]]);
      // The last endpoint: kube-proxy keeps routing to it (terminating) until a replacement is ready.
      const last = [
        ev(0, 'endpoint-ready', `endpoint/web/${A}`, 'web-a'),
        ev(0, 'endpoint-ready', `endpoint/api/${B}`, 'api-b'),
        ev(1000, 'endpoint-not-ready', `endpoint/web/${A}`, 'web-a'),
        ev(1200, 'endpoint-not-ready', `endpoint/web/${C}`, 'web-c'),
        ev(4000, 'endpoint-ready', `endpoint/web/${C}`, 'web-c'),
      ];
      expect([...outOfRotation(last)]).to.deep.equal([[A, 4000]]);
      // Back to ready before it ever left rotation: not out.
      expect([...outOfRotation([...last.slice(0, 4), ev(2000, 'endpoint-ready', `endpoint/web/${A}`, 'web-a'), last[4]!])]).to.deep.equal([]);
    });

    it('is the time from an endpoint leaving rotation to the last new connection routed to it, per pod', () => {
      const lag = propagationLag(drained, events, { ...opts, preStopDelayMs: 5000 })!;
      expect(lag.pods).to.deep.equal([
        { pod: 'web-a', outAtMs: 1000, lastNewMs: 1800, lagMs: 800 },
        { pod: 'web-b', outAtMs: 3000, lastNewMs: null, lagMs: 0 },
      ]);
      expect([lag.p50Ms, lag.maxMs, lag.preStopDelayMs, lag.marginMs]).to.deep.equal([400, 800, 5000, 4200]);
    });

    it('is null when no endpoint left rotation', () => {
      expect(propagationLag(timeline, events, opts)).to.equal(null);
    });

    it('reads in the report: the margin a delay leaves, or the delay to set', () => {
      const report = (preStopDelayMs?: number) =>
        formatReport(buildReport({ log: makeLog([{ at: 0 }]), timeline: drained, scenario: 's', propagationLag: propagationLag(drained, events, { ...opts, ...(preStopDelayMs === undefined ? {} : { preStopDelayMs }) }) }));
      expect(report(5000)).to.match(/propagation lag +p50 400 ms, max 800 ms over 2 pods .*; preStop delay 5\.00 s leaves 4\.20 s/);
      expect(report(500)).to.match(/preStop delay 500 ms is 300 ms short: sleep at least 2 s in preStop/);
      expect(report()).to.match(/no preStop delay: sleep at least 2 s in preStop/);
    });
  });
});
