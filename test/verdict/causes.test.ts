import { expect } from 'chai';
import { errorOutcome, type OutcomeError, type RequestLog } from '../../harness/load/types.ts';
import { CAUSES, causeOf, failureCauses, FIXES, requestCauses, tallyCauses } from '../../harness/verdict/causes.ts';
import { serviceOfEvent } from '../../harness/observe/events.ts';
import { formatReport } from '../../harness/verdict/format.ts';
import { buildReport } from '../../harness/verdict/report.ts';
import { drainStory, ev, makeLog } from './fixtures.ts';

const e = (code: OutcomeError) => errorOutcome(code);

describe('verdict: a cause and a fix for every failed request', () => {
  it('applies its rules in order: status, no ready endpoint, timeout, a pod just terminated, a kept-alive reset, a refusal', () => {
    expect(causeOf(503, true, 0, true)).to.equal('app-error');
    expect(causeOf(e('ECONNREFUSED'), true, 0, true)).to.equal('no-ready-endpoint');
    expect(causeOf(e('UND_ERR_CONNECT_TIMEOUT'), true, 2, false, false)).to.equal('lost-pod');
    expect(causeOf(e('UND_ERR_HEADERS_TIMEOUT'), false, null, false)).to.equal('lost-pod');
    expect(causeOf(e('UND_ERR_CONNECT_TIMEOUT'), true, 1, false, true), 'a pod just gone: its IP still routed').to.equal('sent-after-sigterm');
    expect(causeOf(e('ECONNREFUSED'), true, 1, true)).to.equal('sent-after-sigterm');
    expect(causeOf(e('ECONNRESET'), undefined, 1, true)).to.equal('sent-after-sigterm');
    expect(causeOf(e('ECONNRESET'), false, 1, true)).to.equal('keep-alive-closed');
    expect(causeOf(e('ECONNREFUSED'), true, 2, false)).to.equal('refused-by-ready-pod');
    expect(causeOf(e('ECONNRESET'), true, 2, false)).to.equal('refused-by-ready-pod');
    expect(causeOf(e('UND_ERR_SOCKET'), false, 2, false)).to.equal('keep-alive-closed');
    expect(causeOf(e('TLS'), true, 2, false)).to.equal('unexplained');
    for (const cause of Object.keys(CAUSES) as (keyof typeof CAUSES)[]) expect(FIXES[cause], cause).to.be.a('string').with.length.above(20);
  });

  it("explains the drain story's failures: refusals while web-b terminates, the app's 503s, with their fixes in the text", () => {
    const { log, timeline } = drainStory();
    const r = buildReport({ log, timeline, scenario: 'drain' });
    expect(r.causes.map((c) => [c.cause, c.count])).to.deep.equal([
      ['sent-after-sigterm', 26],
      ['app-error', 6],
    ]);
    const text = formatReport(r);
    expect(text).to.include(`  causes          26 ${CAUSES['sent-after-sigterm']}: ${FIXES['sent-after-sigterm']}`);
    expect(text).to.include(`                  6 ${CAUSES['app-error']}: `);
    expect(buildReport({ ...drainStory({ failures: false }), scenario: 'clean' }).causes).to.deep.equal([]);
  });

  it("blames the load balancer for what it sent to a node whose pod had left, while its health check had not yet taken the node out", () => {
    // externalTrafficPolicy Local. web-a on n1 terminates at 1 s, n1's check fails from 4 s, the load balancer takes n1 out at 20 s.
    // web-b on n2 terminates at 21 s, n2's check fails from 22 s, and the run ends before n2 is taken out.
    const timeline = [
      ev(0, 'endpoint-ready', 'endpoint/web/10.0.0.1'),
      ev(0, 'endpoint-ready', 'endpoint/web/10.0.0.2'),
      ev(1000, 'pod-terminating', 'pod/web-a', 'n1'),
      ev(4000, 'lb-check-failed', 'lb/web/n1', 'Layer7 wrong status, code: 503'),
      ev(7000, 'pod-deleted', 'pod/web-a', 'n1'),
      ev(12_000, 'lb-check-failed', 'lb/web/n1', 'Layer7 wrong status, code: 503'),
      ev(20_000, 'lb-backend-down', 'lb/web/n1'),
      ev(21_000, 'pod-terminating', 'pod/web-b', 'n2'),
      ev(22_000, 'lb-check-failed', 'lb/web/n2', 'Layer7 wrong status, code: 503'),
    ];
    const log = makeLog([
      { at: 500 },
      { at: 8000, outcome: 'UND_ERR_HEADERS_TIMEOUT', newConnection: true },
      { at: 15_000, outcome: 'UND_ERR_HEADERS_TIMEOUT', newConnection: false },
      { at: 19_900, outcome: 'ECONNRESET', newConnection: true },
      { at: 19_950, outcome: 503 },
      { at: 20_500, outcome: 'UND_ERR_HEADERS_TIMEOUT', newConnection: true },
      { at: 30_000, outcome: 'UND_ERR_HEADERS_TIMEOUT', newConnection: true },
    ]);
    const series = [{ t: 0, ready: 2 }, { t: 1100, ready: 1 }, { t: 15_000, ready: 2 }];
    expect(requestCauses(log, timeline, series)).to.deep.equal([undefined, 'lb-stale-backend', 'lb-stale-backend', 'lb-stale-backend', 'app-error', 'lost-pod', 'lb-stale-backend']);
    // A node whose checks fail with no pod leaving it (a lost node) is not the load balancer's doing.
    const lost = [...timeline.slice(0, 2), ev(5000, 'lb-check-failed', 'lb/web/n1', 'Layer4 timeout'), ev(21_000, 'lb-backend-down', 'lb/web/n1')];
    expect(requestCauses(log, lost, series)).to.not.include('lb-stale-backend');
    // A node healthy again (a pod of its own back) closes its episode; a later failure of its checks, with no pod leaving, opens none.
    const flap = [...timeline.slice(0, 3), ev(4000, 'lb-check-failed', 'lb/web/n1'), ev(12_000, 'lb-backend-up', 'lb/web/n1'), ev(30_000, 'lb-check-failed', 'lb/web/n1'), ev(50_000, 'lb-backend-down', 'lb/web/n1')];
    expect(requestCauses(log, flap, series).slice(1, 4)).to.deep.equal(['lb-stale-backend', 'lost-pod', 'refused-by-ready-pod']);
    // Under externalTrafficPolicy Cluster the checks pass while nodes drain: the causes are the pods'.
    expect(requestCauses(log, timeline.filter((x) => !x.kind.startsWith('lb-')), series)).to.not.include('lb-stale-backend');
    // Each Service is judged with its own backends' events (Report.services filters by serviceOfEvent).
    expect([serviceOfEvent(ev(0, 'lb-check-failed', 'lb/api/n1')), serviceOfEvent(ev(0, 'endpoint-ready', 'endpoint/web/10.0.0.1')), serviceOfEvent(ev(0, 'cordon', 'node/n1'))]).to.deep.equal(['api', 'web', undefined]);
  });

  it('counts a refusal with no ready endpoint as that, and a refusal long after every exit as a pod Ready too early', () => {
    // web-a terminates at 1 s: refusals until 4 s went to it; at 9.5 s a new pod refuses.
    const timeline = [
      ev(0, 'endpoint-ready', 'endpoint/web/10.0.0.1'),
      ev(1000, 'pod-terminating', 'pod/web-a', 'n1'),
      ev(1100, 'endpoint-not-ready', 'endpoint/web/10.0.0.1'),
      ev(2000, 'pod-deleted', 'pod/web-a', 'n1'),
      ev(9000, 'endpoint-ready', 'endpoint/web/10.0.0.2'),
    ];
    const log = makeLog([
      { at: 500 },
      { at: 1050, outcome: 'ECONNREFUSED', newConnection: true },
      { at: 1500, outcome: 'ECONNREFUSED', newConnection: true },
      { at: 3900, outcome: 'ECONNREFUSED', newConnection: true },
      { at: 9500, outcome: 'ECONNREFUSED', newConnection: true },
      { at: 9600, outcome: 'ECONNRESET', newConnection: false },
    ]);
    const series = [{ t: 0, ready: 1 }, { t: 1100, ready: 0 }, { t: 3000, ready: 1 }, { t: 9000, ready: 2 }];
    expect(failureCauses(log, timeline, series).map((c) => [c.cause, c.count])).to.deep.equal([
      ['sent-after-sigterm', 2],
      ['keep-alive-closed', 1],
      ['no-ready-endpoint', 1],
      ['refused-by-ready-pod', 1],
    ]);
  });

  it('gives each failed request its own cause by index, and tallies any subset of them (a burst) from that', () => {
    const timeline = [ev(1000, 'pod-terminating', 'pod/web-a', 'n1'), ev(2000, 'pod-deleted', 'pod/web-a', 'n1')];
    const log = makeLog([
      { at: 500 },
      { at: 1050, outcome: 'ECONNREFUSED', newConnection: true },
      { at: 1200, outcome: 503 },
      { at: 9500, outcome: 'ECONNREFUSED', newConnection: true },
    ]);
    const series = [{ t: 0, ready: 2 }];
    const causes = requestCauses(log, timeline, series);
    expect(causes).to.deep.equal([undefined, 'sent-after-sigterm', 'app-error', 'refused-by-ready-pod']);
    expect(tallyCauses(causes, (i) => i <= 2).map((c) => [c.cause, c.count])).to.have.deep.members([['sent-after-sigterm', 1], ['app-error', 1]]);
    expect(tallyCauses(causes)).to.deep.equal(failureCauses(log, timeline, series));
  });

  it('judges a request conntrack routed to a known pod by that pod alone, however long after its exit began', () => {
    // web-a terminates at 1 s and is gone at 20 s; web-b never leaves.
    const timeline = [
      ev(1000, 'pod-terminating', 'pod/web-a', 'n1'),
      ev(20000, 'pod-deleted', 'pod/web-a', 'n1'),
    ];
    const refusedAt = (at: number) => ({ at, outcome: 'ECONNREFUSED' as const, newConnection: true });
    // 8 s after web-a's exit began (past PROPAGATION_MS), and 1.5 s after it (within).
    const log = makeLog([refusedAt(9000), refusedAt(2500), refusedAt(2600)]);
    const series = [{ t: 0, ready: 2 }];
    const causes = (l: RequestLog) => failureCauses(l, timeline, series).map((c) => [c.cause, c.count]);
    // Unattributed: by time alone, the late one looks like a pod that was Ready too early.
    expect(causes(log)).to.deep.equal([['sent-after-sigterm', 2], ['refused-by-ready-pod', 1]]);
    // All routed to web-a: the late one too met the leaving pod.
    const routed = { ...log, pods: ['', 'web-a', 'web-b'], routedTo: Uint16Array.from([1, 1, 1]) };
    expect(causes(routed)).to.deep.equal([['sent-after-sigterm', 3]]);
    // Two routed to web-b, which was not leaving: refused by a Ready pod, near web-a's exit or not.
    expect(causes({ ...routed, routedTo: Uint16Array.from([1, 2, 2]) })).to.deep.equal([
      ['refused-by-ready-pod', 2],
      ['sent-after-sigterm', 1],
    ]);
  });

  it('calls a timeout conntrack routed to a pod already deleted a stale route, unless no endpoint was ready at all', () => {
    expect(causeOf(e('UND_ERR_CONNECT_TIMEOUT'), true, 1, true, true, true)).to.equal('stale-route');
    expect(causeOf(e('UND_ERR_CONNECT_TIMEOUT'), true, 0, true, true, true)).to.equal('no-ready-endpoint');
    expect(causeOf(e('ECONNREFUSED'), true, 2, true, true, true)).to.equal('sent-after-sigterm');
    // web-a is gone at 2 s: a connect that timed out at 2.5 s on its IP met a stale route; at 1.5 s a pod after SIGTERM.
    const timeline = [ev(1000, 'pod-terminating', 'pod/web-a', 'n1'), ev(2000, 'pod-deleted', 'pod/web-a', 'n1')];
    const log = {
      ...makeLog([
        { at: 1500, outcome: 'UND_ERR_CONNECT_TIMEOUT', newConnection: true },
        { at: 2500, outcome: 'UND_ERR_CONNECT_TIMEOUT', newConnection: true },
      ]),
      pods: ['', 'web-a'],
      routedTo: Uint16Array.from([1, 1]),
    };
    expect(failureCauses(log, timeline, [{ t: 0, ready: 1 }]).map((c) => [c.cause, c.count])).to.deep.equal([
      ['sent-after-sigterm', 1],
      ['stale-route', 1],
    ]);
  });

  it('calls a reset just before the watcher saw a container killed (exit 137) killed at the grace end; a timeout or an earlier reset is judged as before', () => {
    // web-a terminates at 1 s; the watcher sees its container killed at 3.5 s (the kill up to KILL_SEEN_WITHIN_MS earlier).
    const timeline = [ev(1000, 'pod-terminating', 'pod/web-a', 'n1'), ev(3500, 'container-killed', 'pod/web-a', 'nginx exit 137 on n1'), ev(4000, 'pod-deleted', 'pod/web-a', 'n1')];
    const log = makeLog([
      // Reset at 3.1 s and closed at 3.54 s: within the window the kill was in.
      { at: 2500, latency: 600, outcome: 'ECONNRESET', newConnection: false },
      { at: 3000, latency: 540, outcome: 'UND_ERR_SOCKET', newConnection: false },
      // The client gave up: a timeout is no kill's doing.
      { at: 3400, latency: 200, outcome: 'UND_ERR_HEADERS_TIMEOUT', newConnection: false },
      // Reset 1.6 s before the kill was seen: before the kill.
      { at: 1500, latency: 400, outcome: 'ECONNRESET', newConnection: false },
      // A refusal is no connection lost under a request: a new connection to the pod after its SIGTERM.
      { at: 3400, latency: 1, outcome: 'ECONNREFUSED', newConnection: true },
    ]);
    expect(failureCauses(log, timeline, [{ t: 0, ready: 2 }]).map((c) => [c.cause, c.count])).to.deep.equal([
      ['killed-at-grace-end', 2],
      ['sent-after-sigterm', 2],
      ['keep-alive-closed', 1],
    ]);
    // Routed to another pod: not this kill's doing.
    const elsewhere = { ...log, pods: ['', 'web-a', 'web-b'], routedTo: Uint16Array.from([2, 2, 2, 2, 2]) };
    expect(failureCauses(elsewhere, timeline, [{ t: 0, ready: 2 }]).map((c) => c.cause)).to.not.include('killed-at-grace-end');
  });

  it("adds up each Service's own causes, judged with its own ready endpoints", () => {
    const { log: api, timeline } = drainStory();
    const web = drainStory({ failures: false }).log;
    const streams = [
      { service: 'web', url: 'http://127.0.0.1:30080/', log: web },
      { service: 'api', url: 'http://127.0.0.1:30081/', log: api },
    ];
    const r = buildReport({ log: api, streams, timeline, scenario: 'two' });
    expect(r.services.map((s) => s.causes.length)).to.deep.equal([0, 2]);
    expect(r.causes).to.deep.equal(r.services[1]!.causes);
  });
});
