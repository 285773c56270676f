import { expect } from 'chai';
import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { GENERATOR_NICE } from '../../harness/load/priority.ts';
import type http from 'node:http';
import { createClock } from '../../harness/clock.ts';
import { isZdtError } from '../../harness/errors.ts';
import { startLoad } from '../../harness/load/loop.ts';
import { startLoadThread } from '../../harness/load/thread.ts';
import { sleep } from '../../harness/wait.ts';
import { startServer, type TestServer } from './server.ts';

const ok = (_req: http.IncomingMessage, res: http.ServerResponse) => {
  res.setHeader('x-pod-name', 'pod-a');
  res.end('ok');
};

/** Holds this thread's event loop, as a watcher's big re-list or a major GC would. */
function hold(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('load/thread: the generator on a thread of its own', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('writes the same log as startLoad, stamped on the caller’s clock', async () => {
    server = await startServer(ok);
    const clock = createClock();
    await sleep(30);
    const startedAt = clock.now();
    const load = startLoadThread({ url: server.url, clock, ratePerSecond: 100, durationMs: 300, connection: 'mixed' });
    await load.started;
    await sleep(150);
    expect(load.sent, 'counters arrive while it runs').to.be.above(0);
    const log = await load.done;
    expect(log.count).to.equal(30);
    expect([...log.outcome].every((o) => o === 200)).to.equal(true);
    expect(log.pods).to.deep.equal(['', 'pod-a']);
    expect([...log.localPort!].every((p) => p > 0)).to.equal(true);
    expect([...log.newConnection!].slice(0, 4)).to.deep.equal([0, 1, 0, 1]);
    // The first request is due once the thread has started (a few hundred ms when tsx compiles it), on this thread's clock.
    expect(log.scheduledAt[0]! - startedAt).to.be.within(0, 2000);
    expect(log.startedAt[29]! - log.scheduledAt[29]!).to.be.within(0, 50);
    expect(log.generator).to.have.property('loopDelayMaxMs');
    expect(load.sent).to.equal(30);
  });

  it('keeps its schedule while the calling thread is held, where startLoad falls behind', async () => {
    server = await startServer(ok);
    const run = async (start: typeof startLoad) => {
      const load = start({ url: server!.url, clock: createClock(), ratePerSecond: 100, durationMs: 600, lateStartBoundMs: 50 });
      await (load as { started?: Promise<void> }).started;
      await sleep(200);
      hold(200);
      return (await load.done).lateStarts;
    };
    expect(await run(startLoad), 'in-thread: the hold delays ~15 requests past the bound').to.be.above(5);
    expect(await run(startLoadThread)).to.equal(0);
  });

  it('ends on stop() or the signal with the log so far, and refuses bad options and an aborted signal at once', async () => {
    server = await startServer(ok);
    const stopped = startLoadThread({ url: server.url, clock: createClock(), ratePerSecond: 100 });
    await stopped.started;
    await sleep(300);
    const log = await stopped.stop();
    expect(log.count).to.be.within(5, 40);
    const controller = new AbortController();
    const aborted = startLoadThread({ url: server.url, clock: createClock(), ratePerSecond: 100, signal: controller.signal });
    await aborted.started;
    await sleep(300);
    controller.abort();
    expect((await aborted.done).count).to.be.within(5, 40);
    const err = (() => {
      try {
        startLoadThread({ url: 'http://10.0.0.1/', clock: createClock() });
      } catch (e) {
        return e;
      }
    })();
    expect(isZdtError(err, 'ZDT_INVALID_OPTION')).to.equal(true);
    expect(() => startLoadThread({ url: server!.url, clock: createClock(), signal: AbortSignal.abort() })).to.throw(/abort/i);
    expect(() => startLoadThread({ url: server!.url, clock: createClock(), nice: -21 })).to.throw(/invalid load option nice: -21 \(must be an integer from -20 to 19\)/);
  });

  it('runs its thread at the nice it asks for where allowed (root or CAP_SYS_NICE), else at the caller’s, and says which in its health', async () => {
    server = await startServer(ok);
    const callerNice = getPriority();
    const run = async (nice?: number) => (await startLoadThread({ url: server!.url, clock: createClock(), ratePerSecond: 50, durationMs: 200, ...(nice === undefined ? {} : { nice }) }).done).generator!.nice;
    // Lowering priority is always allowed; raising it only with the capability, which the caller's own attempt tells.
    expect(await run(19)).to.equal(19);
    let allowed = true;
    await new Promise<void>((resolve) => {
      const w = new Worker('const os = require("node:os"); try { os.setPriority(-10); } catch { require("node:worker_threads").parentPort.postMessage(1); } process.exit(0);', { eval: true });
      w.on('message', () => (allowed = false)).on('exit', () => resolve());
    });
    expect(await run()).to.equal(allowed ? GENERATOR_NICE : getPriority());
    expect(getPriority(), 'the caller keeps its own').to.equal(callerNice);
  });
});
