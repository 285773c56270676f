/**
 * The load generator on its own thread (startLoadThread) against the same loop on the caller's
 * thread (startLoad), side by side, while the caller's thread is held the way a run's other work
 * holds it (the watcher's JSON, reports, garbage collection of a big heap): HOLD_MS every
 * HOLD_EVERY_MS. Prints late starts and the generator's event-loop delay per round, and their
 * ratio. The target is a Node HTTP server in a child process, so the holds do not stall it.
 * Run with `npm run bench`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createClock } from '../harness/clock.ts';
import { startLoad, type LoadHandle } from '../harness/load/loop.ts';
import { startLoadThread, type LoadThreadOptions } from '../harness/load/thread.ts';
import type { RequestLog } from '../harness/load/types.ts';
import { sleep } from '../harness/wait.ts';

const ROUNDS = 3;
const RUN_MS = 5000;
const RATE = 200;
/** What a CPU profile of a rollout showed on the main thread: busy stretches of 60-130 ms. */
const HOLD_MS = 120;
const HOLD_EVERY_MS = 500;

const SERVER = `require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;

async function run(start: (o: LoadThreadOptions) => LoadHandle & { started?: Promise<void> }, url: string): Promise<RequestLog> {
  // nice 0 on both sides: this compares threads; bench/generator-priority.ts compares nice.
  const load = start({ url, clock: createClock(), ratePerSecond: RATE, durationMs: RUN_MS, connection: 'mixed', nice: 0 });
  await load.started;
  let holding = true;
  void load.done.finally(() => (holding = false));
  while (holding) {
    await sleep(HOLD_EVERY_MS - HOLD_MS);
    const until = performance.now() + HOLD_MS;
    while (holding && performance.now() < until);
  }
  return load.done;
}

const server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  const [chunk] = (await once(server.stdout!, 'data')) as [Buffer];
  const url = `http://127.0.0.1:${chunk.toString().trim()}/`;
  await run(startLoadThread, url); // warm-up: JIT and the worker's first compile
  const ratios: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const inline = await run(startLoad, url);
    const threaded = await run(startLoadThread, url);
    const line = (name: string, log: RequestLog) =>
      `${name} ${log.lateStarts} late starts of ${log.count}, event loop delay max ${Math.round(log.generator!.loopDelayMaxMs)} ms`;
    console.log(`round ${round}: ${line('caller thread', inline)}; ${line('own thread', threaded)}`);
    ratios.push((threaded.lateStarts + 1) / (inline.lateStarts + 1));
  }
  ratios.sort((a, b) => a - b);
  console.log(`late starts, own thread / caller thread ((n+1) ratios), median of ${ROUNDS} rounds: ${ratios[Math.floor(ROUNDS / 2)]!.toFixed(3)}`);
} finally {
  server.kill();
}
