import { expect } from 'chai';
import type http from 'node:http';
import { createClock } from '../../harness/clock.ts';
import { isZdtError } from '../../harness/errors.ts';
import { resolveLoadOptions, startLoad, type LoadOptions } from '../../harness/load/loop.ts';
import { DEFAULT_EXPECT_STATUS } from '../../harness/load/status.ts';
import { errorOutcome, isFailure, OUTCOME_DROPPED, outcomeLabel, type RequestLog } from '../../harness/load/types.ts';
import { buildReport } from '../../harness/verdict/report.ts';
import { sleep } from '../../harness/wait.ts';
import { selfSignedCert } from './cert.ts';
import { closedPort, startServer, type TestServer } from './server.ts';

const ok = (_req: http.IncomingMessage, res: http.ServerResponse) => {
  res.setHeader('x-pod-name', 'pod-a');
  res.end('ok');
};

function lags(log: RequestLog): number[] {
  return Array.from(log.startedAt, (s, i) => s - (log.scheduledAt[i] as number)).sort((a, b) => a - b);
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('load/loop', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  describe('schedule', () => {
    it('starts exactly rate × duration requests on an evenly spaced schedule', async () => {
      server = await startServer(ok);
      const clock = createClock();
      const t = clock.now();
      const load = startLoad({ url: server.url, clock, ratePerSecond: 200, durationMs: 1000 });
      const log = await load.done;
      const elapsed = clock.now() - t;
      expect(log.count).to.equal(200);
      expect(server.requests).to.equal(200);
      expect(load.sent).to.equal(200);
      expect(load.ok).to.equal(200);
      expect(load.failed).to.equal(0);
      for (let i = 1; i < log.count; i++) expect((log.scheduledAt[i] as number) - (log.scheduledAt[i - 1] as number)).to.be.closeTo(5, 1e-6);
      expect(elapsed).to.be.within(990, 1300);
      // Loose bounds: CI machines are noisy; bench/load-vs-wrk.ts measures precision.
      const l = lags(log);
      expect(l[0]).to.be.at.least(0);
      expect(l[Math.floor(l.length / 2)]).to.be.below(5);
      expect(log.dropped).to.equal(0);
    });

    it('runs until stop() without a duration, with counts matching the elapsed time', async () => {
      server = await startServer(ok);
      const clock = createClock();
      const load = startLoad({ url: server.url, clock, ratePerSecond: 100 });
      await sleep(500);
      const log = await load.stop();
      expect(log.count).to.be.within(45, 56);
      expect(load.ok).to.equal(log.count);
      expect(await load.stop()).to.equal(log, 'stop() is idempotent');
    });

    it('is an open model: a slow server does not slow the schedule', async () => {
      server = await startServer((req, res) => setTimeout(() => ok(req, res), 300));
      const clock = createClock();
      const t = clock.now();
      const load = startLoad({ url: server.url, clock, ratePerSecond: 100, durationMs: 500 });
      const log = await load.done;
      expect(log.count).to.equal(50);
      expect(load.ok).to.equal(50);
      expect(server.maxConcurrent).to.be.at.least(25);
      expect(lags(log).at(-1)).to.be.below(50);
      for (const latency of log.latencyMs) expect(latency).to.be.at.least(295);
      // Schedule ends at ~490 ms, the last answer 300 ms later.
      expect(clock.now() - t).to.be.within(780, 1200);
    });

    it('follows a ramping schedule as k6 does, then holds its last rate', async () => {
      server = await startServer(ok);
      const clock = createClock();
      // 0 to 400 req/s over 500 ms (100 requests, request n at 500·sqrt(n/100) ms), then 400 req/s: 120 more in 300 ms.
      const load = startLoad({ url: server.url, clock, schedule: { startRate: 0, stages: [{ durationMs: 500, target: 400 }] }, durationMs: 800 });
      const log = await load.done;
      expect(log.count).to.equal(220);
      expect(server.requests).to.equal(220);
      expect(load.ok).to.equal(220);
      const t0 = log.scheduledAt[0]!;
      const offset = (n: number) => log.scheduledAt[n]! - t0;
      for (const [n, ms] of [[1, 50], [4, 100], [25, 250], [64, 400], [100, 500], [140, 600], [219, 797.5]] as const) expect(offset(n), `request ${n}`).to.be.closeTo(ms, 1e-6);
      for (let n = 101; n < log.count; n++) expect(offset(n) - offset(n - 1)).to.be.closeTo(2.5, 1e-6);
      // Loose bounds, as above: the schedule was kept, not merely computed.
      const l = lags(log);
      expect(l[Math.floor(l.length / 2)]).to.be.below(5);
      expect(log.dropped).to.equal(0);
    });

    it('runs a schedule until stop() without a duration, at its last rate after the last stage', async () => {
      server = await startServer(ok);
      const load = startLoad({ url: server.url, clock: createClock(), schedule: { startRate: 1000, stages: [{ durationMs: 100, target: 1000 }, { durationMs: 0, target: 50 }] } });
      await sleep(500);
      const log = await load.stop();
      // 100 in the first 100 ms, then one per 20 ms: about 120 in 500 ms.
      expect(log.count).to.be.within(110, 126);
      expect(log.scheduledAt[101]! - log.scheduledAt[100]!).to.be.closeTo(20, 1e-6);
    });

    it('grows the log past its initial capacity', async () => {
      server = await startServer(ok);
      const load = startLoad({ url: server.url, clock: createClock(), ratePerSecond: 50_000, maxInFlight: 4 });
      await sleep(200);
      const log = await load.stop();
      expect(log.count).to.be.above(4096);
      expect(log.scheduledAt.length).to.equal(log.count);
      for (let i = 1; i < log.count; i++) expect((log.scheduledAt[i] as number) - (log.scheduledAt[i - 1] as number)).to.be.closeTo(0.02, 1e-6);
      expect(log.dropped + load.sent).to.equal(log.count);
      let answered = 0;
      for (const o of log.outcome) if (o === 200) answered++;
      expect(answered).to.equal(load.sent);
    });
  });

  describe('recording', () => {
    it('interns pod names from the pod header (case-insensitive option)', async () => {
      const names = ['pod-a', 'pod-b', undefined, 'pod-a'];
      server = await startServer((_req, res, n) => {
        const name = names[n % names.length];
        if (name) res.setHeader('X-Backend', name);
        res.end('ok');
      });
      const log = await startLoad({ url: server.url, clock: createClock(), ratePerSecond: 50, durationMs: 160, podHeader: 'X-Backend' }).done;
      expect(log.count).to.equal(8);
      expect(log.pods).to.deep.equal(['', 'pod-a', 'pod-b']);
      expect(Array.from(log.pod)).to.deep.equal([1, 2, 0, 1, 1, 2, 0, 1]);
    });

    it('records status codes and classified errors; by default 4xx, 5xx and errors are failures', async () => {
      server = await startServer((_req, res, n) => {
        if (n === 0) res.end('ok');
        else if (n === 1) res.writeHead(503).end();
        else if (n === 2) res.socket?.destroy();
        else res.writeHead(404).end();
      });
      const load = startLoad({ url: server.url, clock: createClock(), ratePerSecond: 20, durationMs: 200 });
      const log = await load.done;
      expect(Array.from(log.outcome, outcomeLabel).slice(0, 2)).to.deep.equal(['200', '503']);
      expect(outcomeLabel(log.outcome[2] as number)).to.be.oneOf(['UND_ERR_SOCKET', 'ECONNRESET']);
      expect(log.outcome[3]).to.equal(404);
      expect([load.ok, load.failed]).to.deep.equal([1, 3]);
      expect(log.expectStatus?.spec).to.equal('200-399');
      for (const latency of log.latencyMs) expect(latency).to.be.a('number').and.not.NaN;
    });

    it('recovers once the server is back: connections that failed are used again', async () => {
      // Refused first, then sockets destroyed by the server, then answers: each phase must show.
      // Two connections at most: one not handed back after its failure would leave too few.
      const port = await closedPort();
      const load = startLoad({ url: `http://127.0.0.1:${port}/`, clock: createClock(), ratePerSecond: 50, durationMs: 600, maxInFlight: 2 });
      await sleep(200);
      server = await startServer((req, res, n) => (n < 5 ? res.socket?.destroy() : ok(req, res)), { port });
      const log = await load.done;
      const labels = Array.from(log.outcome, outcomeLabel);
      expect(labels.slice(0, 5)).to.deep.equal(Array(5).fill('ECONNREFUSED'));
      expect(labels.filter((l) => l === 'UND_ERR_SOCKET' || l === 'ECONNRESET')).to.have.length(5);
      expect(labels.slice(-10)).to.deep.equal(Array(10).fill('200'));
      expect([load.ok + load.failed, log.dropped]).to.deep.equal([30, 0]);
    });

    it('counts every request to a closed port as ECONNREFUSED', async () => {
      const load = startLoad({ url: `http://127.0.0.1:${await closedPort()}/`, clock: createClock(), ratePerSecond: 100, durationMs: 200 });
      const log = await load.done;
      expect(log.count).to.equal(20);
      expect(load.failed).to.equal(20);
      for (const o of log.outcome) expect(o).to.equal(errorOutcome('ECONNREFUSED'));
    });
  });

  describe('connections', () => {
    const connectionHeaders: string[] = [];
    const recordingOk = (req: http.IncomingMessage, res: http.ServerResponse) => {
      connectionHeaders.push(String(req.headers.connection));
      ok(req, res);
    };
    beforeEach(() => {
      connectionHeaders.length = 0;
    });

    it("'keep-alive' reuses connections", async () => {
      server = await startServer(recordingOk);
      const log = await startLoad({ url: server.url, clock: createClock(), ratePerSecond: 50, durationMs: 400, connection: 'keep-alive' }).done;
      expect(log.count).to.equal(20);
      expect(server.connections).to.be.at.most(2);
      expect(connectionHeaders).to.not.include('close');
      expect([...log.newConnection!]).to.deep.equal(Array(20).fill(0));
    });

    it("'mixed' (the default) sends odd requests on a connection of their own and even ones on one kept alive", async () => {
      server = await startServer(recordingOk);
      const log = await startLoad({ url: server.url, clock: createClock(), ratePerSecond: 50, durationMs: 400 }).done;
      expect(log.count).to.equal(20);
      // Ten new connections, plus at most two kept alive for the other ten.
      expect(server.connections).to.be.within(11, 12);
      expect(connectionHeaders.filter((h) => h === 'close')).to.have.length(10);
      expect([...log.newConnection!]).to.deep.equal(Array.from({ length: 20 }, (_, i) => i % 2));
      expect(log.outcome.every((o) => o === 200)).to.equal(true);
    });

    it("'new' opens one connection per request", async () => {
      server = await startServer(recordingOk);
      const log = await startLoad({ url: server.url, clock: createClock(), ratePerSecond: 50, durationMs: 400, connection: 'new' }).done;
      expect(log.count).to.equal(20);
      expect(server.connections).to.equal(20);
      expect(connectionHeaders).to.deep.equal(Array(20).fill('close'));
      expect([...log.newConnection!]).to.deep.equal(Array(20).fill(1));
    });
  });

  describe('local ports', () => {
    // The server names each request by the client's port it saw: what a node's conntrack sees as the source port.
    const byClientPort = (req: http.IncomingMessage, res: http.ServerResponse) => {
      res.setHeader('x-pod-name', String(req.socket.remotePort));
      res.end('ok');
    };
    for (const connection of ['keep-alive', 'new', 'mixed'] as const) {
      it(`records each request's client-side port on ${connection} connections, as the server saw it`, async () => {
        server = await startServer(byClientPort);
        const log = await startLoad({ url: server.url, clock: createClock(), ratePerSecond: 50, durationMs: 400, connection }).done;
        expect(log.count).to.equal(20);
        const seen = Array.from(log.pod, (p) => Number(log.pods[p]));
        expect(Array.from(log.localPort!)).to.deep.equal(seen);
        expect(seen.every((port) => port > 0)).to.equal(true);
        expect(new Set(seen).size).to.equal(server.connections);
      });
    }

    it('records 0 for a request that never got a connection', async () => {
      const log = await startLoad({ url: `http://127.0.0.1:${await closedPort()}/`, clock: createClock(), ratePerSecond: 50, durationMs: 200, connection: 'keep-alive' }).done;
      expect(log.count).to.equal(10);
      expect(Array.from(log.localPort!)).to.deep.equal(Array(10).fill(0));
    });
  });

  describe('failures on a reused connection before any response (what Go net/http and browsers retry)', () => {
    // Answers the first request of each connection; what it does to the second decides the case.
    const secondOnConnection = (second: (req: http.IncomingMessage, res: http.ServerResponse) => void) => {
      const seen = new WeakMap<object, number>();
      return (req: http.IncomingMessage, res: http.ServerResponse) => {
        const n = (seen.get(req.socket) ?? 0) + 1;
        seen.set(req.socket, n);
        if (n === 1) ok(req, res);
        else second(req, res);
      };
    };
    const run = async (connection: 'keep-alive' | 'new') => {
      const log = await startLoad({ url: server!.url, clock: createClock(), ratePerSecond: 20, durationMs: 500, connection, maxInFlight: 1 }).done;
      return { log, flagged: Array.from(log.reusedUnanswered!) };
    };

    it('flags a request the server dropped unanswered on a connection that had served one', async () => {
      server = await startServer(secondOnConnection((req) => req.socket.destroy()));
      const { log, flagged } = await run('keep-alive');
      const failed = Array.from(log.outcome, (o) => (isFailure(o, DEFAULT_EXPECT_STATUS) ? 1 : 0));
      expect(failed.reduce((a: number, b) => a + b, 0)).to.be.at.least(3);
      expect(flagged).to.deep.equal(failed);
    });

    it('does not flag a failure after the response began, nor one on a fresh connection', async () => {
      server = await startServer(secondOnConnection((_req, res) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('partial');
        setTimeout(() => res.socket?.destroy(), 5);
      }));
      const midBody = await run('keep-alive');
      expect(midBody.log.outcome.some((o) => isFailure(o, DEFAULT_EXPECT_STATUS))).to.equal(true);
      expect(midBody.flagged.every((f) => f === 0)).to.equal(true);
      await server.close();
      server = await startServer((req) => req.socket.destroy());
      const fresh = await run('keep-alive');
      expect(fresh.log.outcome.every((o) => isFailure(o, DEFAULT_EXPECT_STATUS))).to.equal(true);
      expect(fresh.flagged.every((f) => f === 0)).to.equal(true);
    });
  });

  describe('a starved generator', () => {
    it('drops requests due while the in-flight cap is reached, without counting them as failures', async () => {
      const held: http.ServerResponse[] = [];
      server = await startServer((_req, res) => held.push(res));
      const load = startLoad({ url: server.url, clock: createClock(), ratePerSecond: 100, durationMs: 200, maxInFlight: 3 });
      await sleep(300);
      expect([load.sent, load.inFlight, load.dropped]).to.deep.equal([3, 3, 17]);
      for (const res of held) res.end('ok');
      const log = await load.done;
      expect(log.count).to.equal(20);
      expect(log.dropped).to.equal(17);
      expect([load.ok, load.failed]).to.deep.equal([3, 0]);
      const dropped = Array.from(log.outcome).flatMap((o, i) => (o === OUTCOME_DROPPED ? [i] : []));
      expect(dropped).to.deep.equal([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
      expect(outcomeLabel(OUTCOME_DROPPED)).to.equal('DROPPED');
      expect(isFailure(OUTCOME_DROPPED, DEFAULT_EXPECT_STATUS)).to.equal(false);
      expect(log.latencyMs[3]).to.be.NaN;
    });

    it('counts starts later than lateStartBoundMs as late starts, and still sends them', async () => {
      server = await startServer(ok);
      const load = startLoad({ url: server.url, clock: createClock(), ratePerSecond: 100, durationMs: 500, lateStartBoundMs: 20 });
      await sleep(100);
      // Block the event loop as a starved generator would be.
      const until = performance.now() + 150;
      while (performance.now() < until);
      const log = await load.done;
      expect(log.count).to.equal(50);
      expect(load.sent).to.equal(50);
      expect(log.dropped).to.equal(0);
      // ~15 requests fall due during the block; those more than 20 ms overdue are late.
      expect(log.lateStarts).to.be.within(9, 16);
      expect(lags(log).filter((l) => l > 20)).to.have.length(log.lateStarts);
      // The log says why: the loop was held about as long as the block, by this process's own work.
      expect(log.generator!.loopDelayMaxMs).to.be.at.least(100);
      expect(log.generator!.cpuPercent).to.be.above(10);
    });
  });

  describe('what users\' apps need', () => {
    it('sends the host option as the Host header, path and query from the URL', async () => {
      const seen: string[] = [];
      server = await startServer((req, res) => {
        seen.push(`${req.headers.host} ${req.url}`);
        ok(req, res);
      });
      const log = await startLoad({ url: `${server.url}shop/cart?id=7`, clock: createClock(), ratePerSecond: 50, durationMs: 100, host: 'shop.example.com' }).done;
      expect(log.count).to.equal(5);
      expect(seen).to.deep.equal(Array(5).fill('shop.example.com /shop/cart?id=7'));
      const plain: string[] = [];
      await server.close();
      server = await startServer((req, res) => {
        plain.push(String(req.headers.host));
        ok(req, res);
      });
      await startLoad({ url: server.url, clock: createClock(), ratePerSecond: 50, durationMs: 40 }).done;
      expect(plain).to.deep.equal([`127.0.0.1:${server.port}`, `127.0.0.1:${server.port}`]);
    });

    describe('https with a self-signed certificate', () => {
      let tls: ReturnType<typeof selfSignedCert>;
      before(() => {
        tls = selfSignedCert();
      });
      for (const connection of ['keep-alive', 'new'] as const) {
        it(`with insecure, every request is answered (${connection})`, async () => {
          server = await startServer(ok, { tls });
          const load = startLoad({ url: server.url, clock: createClock(), ratePerSecond: 50, durationMs: 400, connection, insecure: true });
          const log = await load.done;
          expect([log.count, load.ok]).to.deep.equal([20, 20]);
          expect(log.pods).to.deep.equal(['', 'pod-a']);
          // Kept-alive TLS connections are reused, not handshaken per request (a busy machine's slow handshakes open a few more).
          if (connection === 'new') expect(server.connections).to.equal(20);
          else expect(server.connections).to.be.below(10);
        });
      }

      it('without insecure, the certificate is verified: every request fails as TLS', async () => {
        server = await startServer(ok, { tls });
        const load = startLoad({ url: server.url, clock: createClock(), ratePerSecond: 100, durationMs: 100 });
        const log = await load.done;
        expect(Array.from(log.outcome, outcomeLabel)).to.deep.equal(Array(10).fill('TLS'));
        expect(server.requests).to.equal(0);
      });
    });

    it('counts every status outside expectStatus as a failure, by status, in the loop and the report', async () => {
      const statuses = [200, 204, 301, 404, 503];
      server = await startServer((_req, res, n) => res.writeHead(statuses[n % statuses.length]!).end());
      const run = async (expectStatus?: string) => {
        const load = startLoad({ url: server!.url, clock: createClock(), ratePerSecond: 100, durationMs: 100, ...(expectStatus ? { expectStatus } : {}) });
        const log = await load.done;
        const report = buildReport({ log, timeline: [], scenario: 's' });
        return { counted: [load.ok, load.failed], totals: [report.totals.ok, report.totals.failed], failures: report.failures, rule: report.expectStatus };
      };
      // Ten requests: each of the five statuses twice, whatever order they arrive in.
      expect(await run()).to.deep.equal({
        counted: [6, 4],
        totals: [6, 4],
        failures: [
          { label: '404', count: 2 },
          { label: '503', count: 2 },
        ],
        rule: '200-399',
      });
      expect(await run('200,204')).to.deep.equal({
        counted: [4, 6],
        totals: [4, 6],
        failures: [
          { label: '301', count: 2 },
          { label: '404', count: 2 },
          { label: '503', count: 2 },
        ],
        rule: '200,204',
      });
    });
  });

  describe('options', () => {
    const clock = createClock();
    const base: LoadOptions = { url: 'http://127.0.0.1:1/', clock };
    const bad: Array<[Partial<LoadOptions> & Record<string, unknown>, string, string]> = [
      [{ ratePerSecond: 0 }, 'ratePerSecond', '0'],
      [{ ratePerSecond: -5 }, 'ratePerSecond', '-5'],
      [{ ratePerSecond: Number.NaN }, 'ratePerSecond', 'NaN'],
      [{ ratePerSecond: Infinity }, 'ratePerSecond', 'Infinity'],
      [{ durationMs: 0 }, 'durationMs', '0'],
      [{ timeoutMs: -1 }, 'timeoutMs', '-1'],
      [{ headersTimeoutMs: 0 }, 'headersTimeoutMs', '0'],
      [{ maxInFlight: 1.5 }, 'maxInFlight', '1.5'],
      [{ maxInFlight: 0 }, 'maxInFlight', '0'],
      [{ lateStartBoundMs: -1 }, 'lateStartBoundMs', '-1'],
      [{ podHeader: '' }, 'podHeader', '""'],
      [{ podHeader: 'x pod' }, 'podHeader', '"x pod"'],
      [{ connection: 'close' as never }, 'connection', '"close"'],
      [{ url: 'not a url' }, 'url', '"not a url"'],
      [{ url: 'ftp://127.0.0.1/' }, 'url', 'must be http:// or https://'],
      [{ host: 'shop example' }, 'host', '"shop example"'],
      [{ host: 'shop.example.com/x' }, 'host', '"shop.example.com/x"'],
      [{ host: '' }, 'host', '""'],
      [{ insecure: 'yes' as never }, 'insecure', '"yes"'],
      [{ expectStatus: '200,2x' }, 'expectStatus', '"2x" is not a status'],
      [{ expectStatus: '' }, 'expectStatus', '""'],
      [{ clock: undefined as never }, 'clock', 'undefined'],
      [{ schedule: { startRate: 10, stages: [] }, ratePerSecond: 10 }, 'ratePerSecond', 'not with a schedule'],
      [{ schedule: { startRate: 10, stages: [{ durationMs: 1000, target: 0 }] } }, 'schedule.stages[0].target', 'the last rate holds'],
      [{ schedule: { startRate: -1, stages: [] } }, 'schedule.startRate', '-1'],
      [{ schedule: { startRate: 1, stages: [{ durationMs: Number.NaN, target: 1 }] } }, 'schedule.stages[0].durationMs', 'NaN'],
    ];
    for (const [override, option, shown] of bad) {
      it(`rejects ${option} ${shown}`, () => {
        const err = thrown(() => startLoad({ ...base, ...override }));
        expect(isZdtError(err, 'ZDT_INVALID_OPTION'), String(err)).to.equal(true);
        expect((err as Error).message).to.include(`invalid load option ${option}: `).and.include(shown);
      });
    }

    it('refuses non-loopback targets unless allowNonLoopback is set', () => {
      for (const url of ['http://example.com/', 'http://10.0.0.1:30080/', 'http://127.0.0.2/', 'http://localhost.example/']) {
        const err = thrown(() => startLoad({ url, clock }));
        expect(isZdtError(err, 'ZDT_INVALID_OPTION')).to.equal(true);
        expect((err as Error).message).to.include(url).and.include('allowNonLoopback');
      }
      // Resolution only: nothing is sent.
      expect(resolveLoadOptions({ url: 'http://example.com/', clock, allowNonLoopback: true }).url.hostname).to.equal('example.com');
    });

    it('accepts 127.0.0.1, localhost and [::1], and resolves defaults in one place', () => {
      for (const url of ['http://127.0.0.1:8080/x?y=1', 'http://LOCALHOST/', 'http://[::1]:80/']) expect(() => resolveLoadOptions({ url, clock })).to.not.throw();
      const r = resolveLoadOptions({ ...base, timeoutMs: 1000, bodyTimeoutMs: 3000, podHeader: 'X-Pod' });
      expect(r).to.include({ ratePerSecond: 200, connection: 'mixed', connectTimeoutMs: 1000, headersTimeoutMs: 1000, bodyTimeoutMs: 3000 });
      expect(r).to.include({ lateStartBoundMs: 50, podHeader: 'x-pod', durationMs: undefined, maxInFlight: 1000, host: undefined, insecure: false });
      expect(r.expectStatus.spec).to.equal('200-399');
      const custom = resolveLoadOptions({ url: 'https://[::1]:8443/', clock, host: 'shop.example.com:8443', insecure: true, expectStatus: '301-308, 200,204' });
      expect(custom).to.include({ host: 'shop.example.com:8443', insecure: true });
      expect(custom.expectStatus.spec).to.equal('200,204,301-308');
    });

    it('throws ZDT_ABORTED for an already aborted signal', () => {
      const err = thrown(() => startLoad({ ...base, signal: AbortSignal.abort() }));
      expect(isZdtError(err, 'ZDT_ABORTED')).to.equal(true);
    });
  });

  describe('ending', () => {
    it('stops on abort and still resolves done with the log so far', async () => {
      server = await startServer(ok);
      const ac = new AbortController();
      const load = startLoad({ url: server.url, clock: createClock(), ratePerSecond: 100, durationMs: 5000, signal: ac.signal });
      await sleep(200);
      ac.abort();
      const log = await load.done;
      expect(log.count).to.be.within(15, 30);
      expect(load.ok).to.equal(log.count);
    });

    it('is async-disposable', async () => {
      server = await startServer(ok);
      let handle: ReturnType<typeof startLoad> | undefined;
      {
        await using load = startLoad({ url: server.url, clock: createClock(), ratePerSecond: 100 });
        handle = load;
        await sleep(100);
      }
      const log = await handle.done;
      expect(log.count).to.be.within(8, 14);
      expect(handle.inFlight).to.equal(0);
    });

    it('leaves no open handles after stop (sockets, timers)', async () => {
      const kinds = () => process.getActiveResourcesInfo().filter((k) => k === 'TCPSocketWrap' || k === 'Timeout' || k === 'TCPServerWrap');
      // Mocha arms this test's own timeout timer after the first await.
      await new Promise((resolve) => setImmediate(resolve));
      const before = kinds();
      server = await startServer(ok);
      const load = startLoad({ url: server.url, clock: createClock(), ratePerSecond: 500 });
      await sleep(200);
      await load.stop();
      await server.close();
      server = undefined;
      // A closed server's handle leaves the list a loop turn or two after its close callback.
      await sleep(20);
      expect(kinds()).to.deep.equal(before);
    });
  });
});
