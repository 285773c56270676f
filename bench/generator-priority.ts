/**
 * The generator at nice GENERATOR_NICE (its thread, and its session's autogroup where the kernel
 * has them: what a run asks for) against the same at nice 0, side by side, while busy processes
 * at nice 0, all in one session of their own, keep every core wanted, as a kind cluster's nodes do on
 * the 2-core CI machine (CPU pressure 32-48 % in the runs that came out inconclusive). Prints
 * late starts and event-loop delay per round, and their ratio. Needs root or CAP_SYS_NICE for
 * the raised side; without it both sides run at nice 0 and the bench says so.
 * Run with `npm run bench`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { createClock } from '../harness/clock.ts';
import { GENERATOR_NICE } from '../harness/load/priority.ts';
import { startLoadThread } from '../harness/load/thread.ts';
import type { RequestLog } from '../harness/load/types.ts';

const ROUNDS = 3;
const RUN_MS = 5000;
const RATE = 200;
/** Two busy processes per core: every core has a queue, as under a cluster's own work. */
const HOGS = 2 * availableParallelism();

const SERVER = `require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;
/** One process, leader of a session of its own (one autogroup, as Docker's cgroup is one group), running the busy children. */
const HOGS_SESSION = `for (let i = 0; i < ${HOGS}; i++) require('node:child_process').spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' });`;

async function run(url: string, nice: number): Promise<RequestLog> {
  const load = startLoadThread({ url, clock: createClock(), ratePerSecond: RATE, durationMs: RUN_MS, connection: 'mixed', nice });
  return load.done;
}

const server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
let hogs: ChildProcess | undefined;
// Detached, the busy processes get no SIGINT from the terminal: kill their process group on any exit.
const stopHogs = () => {
  try {
    if (hogs?.pid) process.kill(-hogs.pid, 'SIGKILL');
  } catch {
    // ESRCH: already gone.
  }
  hogs = undefined;
};
process.on('exit', stopHogs);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
try {
  const [chunk] = (await once(server.stdout!, 'data')) as [Buffer];
  const url = `http://127.0.0.1:${chunk.toString().trim()}/`;
  await run(url, 0); // warm-up: JIT and the worker's first compile, before the machine is busy
  hogs = spawn(process.execPath, ['-e', HOGS_SESSION], { stdio: 'ignore', detached: true });
  const ratios: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    // Alternate which goes first, so neither always meets the hogs fresher.
    let level: RequestLog;
    let raised: RequestLog;
    if (round % 2) {
      level = await run(url, 0);
      raised = await run(url, GENERATOR_NICE);
    } else {
      raised = await run(url, GENERATOR_NICE);
      level = await run(url, 0);
    }
    const line = (log: RequestLog) =>
      `nice ${log.generator!.nice} (session ${log.generator!.autogroupNice ?? 'no autogroup'}): ${log.lateStarts} late starts of ${log.count}, event loop delay max ${Math.round(log.generator!.loopDelayMaxMs)} ms, CPU pressure ${log.generator!.cpuPressurePercent === null ? 'unknown' : `${Math.round(log.generator!.cpuPressurePercent)} %`}`;
    console.log(`round ${round} (${HOGS} busy processes at nice 0): ${line(level)}; ${line(raised)}`);
    if (raised.generator!.nice !== GENERATOR_NICE) console.log(`  the raised side kept nice ${raised.generator!.nice}: run the bench as root or with CAP_SYS_NICE`);
    ratios.push((raised.lateStarts + 1) / (level.lateStarts + 1));
  }
  ratios.sort((a, b) => a - b);
  console.log(`late starts, nice ${GENERATOR_NICE} / nice 0 ((n+1) ratios), median of ${ROUNDS} rounds: ${ratios[Math.floor(ROUNDS / 2)]!.toFixed(3)}`);
} finally {
  stopHogs();
  server.kill();
}
