/**
 * Load generator benchmark against a private nginx on 127.0.0.1:
 *  (a) wrk's peak req/s and (b) our loop's peak ok/s, measured in alternating rounds, and the
 *      ratio of the two per round (this host's speed drifts by ±10% within a minute, so only
 *      measurements taken side by side are compared),
 *  (c) schedule lag p99 and CPU at a fixed 1,000 req/s, (d) a 50 ms outage is detected.
 * Run with `npm run bench`, which first installs Debian's nginx-light and wrk when they are
 * missing (scripts/bench-setup.sh). Whatever way it ends, it stops the nginx and wrk it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createClock, type Clock } from '../harness/clock.ts';
import { startLoad } from '../harness/load/loop.ts';
import { failedAt, OUTCOME_DROPPED, outcomeLabel, type RequestLog } from '../harness/load/types.ts';
import { increment } from '../harness/verdict/counts.ts';
import { poll, sleep } from '../harness/wait.ts';
import { closedPort } from '../test/load/server.ts';

/** Rounds of (wrk, wrk, loop); the ratio reported is the median of the rounds' ratios. */
const ROUNDS = 3;
const WRK_SECONDS = 3;
/** wrk with both threads and with one: the peak is whichever is higher on this machine. */
const WRK_THREADS = [2, 1] as const;
const WRK_CONNECTIONS = 64;
/** In-flight cap for the peak run: twice wrk's connections, so the cap is not what limits the loop's peak. */
const PEAK_IN_FLIGHT = 128;
const PEAK_MS = 3000;
const PEAK_WARMUP_MS = 3000;
const PEAK_OFFERED_RATE = 100_000;
const PRECISION_RATE = 1000;
const PRECISION_MS = 10_000;
const OUTAGE_RUN_MS = 2000;
const OUTAGE_AT_MS = 1000;
const OUTAGE_MS = 50;
/** Failures may begin this much before the listener closes (requests in flight) and end this much after it reopens. */
const OUTAGE_SLACK_MS = 10;
/** Whole bench, hard bound: kills what it started and exits non-zero. */
const WATCHDOG_MS = 180_000;

interface Row {
  readonly what: string;
  readonly value: string;
  readonly goal: string;
  readonly pass: boolean | undefined;
}

const SETUP_HINT = 'run `bash scripts/bench-setup.sh` as root (it installs nginx-light and wrk), or `npm run bench`, which runs it first';

const children = new Set<ChildProcess>();
const cleanups: Array<() => Promise<void>> = [];

async function cleanup(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) {
    await fn().catch((err: unknown) => console.error('cleanup:', err));
  }
  for (const child of children) child.kill('SIGKILL');
}

/** Debian puts nginx in /usr/sbin, which is not on a non-root user's PATH. */
function nginxBinary(): string {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin'];
  return dirs.map((d) => path.join(d, 'nginx')).find((f) => existsSync(f)) ?? 'nginx';
}

/** Resolves when the child has exited; rejects when it could not be started (ENOENT: not installed). */
function exited(child: ChildProcess, what: string): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve, reject) => {
    child.once('exit', () => resolve());
    child.once('error', (err) => reject(new Error(`cannot run ${what} (${err.message}); ${SETUP_HINT}`, { cause: err })));
  });
}


function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function startNginx(): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'zdt-bench-nginx-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const port = await closedPort();
  const conf = path.join(dir, 'nginx.conf');
  await writeFile(
    conf,
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${port};
    location / {
      add_header x-pod-name bench-nginx;
      return 200 "ok\\n";
    }
  }
}
`,
  );
  const child = spawn(nginxBinary(), ['-p', dir, '-c', conf, '-e', path.join(dir, 'error.log')], { stdio: ['ignore', 'inherit', 'inherit'] });
  children.add(child);
  const gone = exited(child, 'nginx');
  let startError: unknown;
  gone.catch((err: unknown) => (startError = err));
  cleanups.push(async () => {
    // SIGTERM lets the master stop its worker; SIGKILL only if it does not.
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await gone.catch(() => {});
    clearTimeout(timer);
    children.delete(child);
  });
  await poll(async (why) => {
    if (startError) throw startError;
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}; see ${dir}/error.log`);
    why('not accepting connections');
    return (await canConnect(port)) ? true : undefined;
  }, { timeoutMs: 5000, intervalMs: 50, what: 'nginx to listen' });
  return port;
}

async function runWrk(url: string, threads: number): Promise<number> {
  const child = spawn('wrk', [`-t${threads}`, `-c${WRK_CONNECTIONS}`, `-d${WRK_SECONDS}s`, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), (WRK_SECONDS + 10) * 1000);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  try {
    await exited(child, 'wrk');
  } finally {
    clearTimeout(timer);
    children.delete(child);
  }
  const m = /Requests\/sec:\s*([\d.]+)/.exec(out);
  if (!m) throw new Error(`could not read wrk's output:\n${out}`);
  return Number(m[1]);
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Start lag of every request that was sent, sorted. */
function lags(log: RequestLog): Float64Array {
  const out = new Float64Array(log.count);
  let n = 0;
  for (let i = 0; i < log.count; i++) {
    if (log.outcome[i] !== OUTCOME_DROPPED) out[n++] = (log.startedAt[i] as number) - (log.scheduledAt[i] as number);
  }
  return out.subarray(0, n).sort();
}

/** One peak run: ok responses per second while offered far more than it can send. */
async function peak(url: string, clock: Clock, durationMs: number): Promise<number> {
  const started = clock.now();
  // Kept-alive connections, as wrk's: like against like.
  const load = startLoad({ url, clock, ratePerSecond: PEAK_OFFERED_RATE, durationMs, maxInFlight: PEAK_IN_FLIGHT, connection: 'keep-alive' });
  await load.done;
  return load.ok / ((clock.now() - started) / 1000);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function precision(url: string, clock: Clock): Promise<{ p50: number; p99: number; max: number; cpuPercent: number; failed: number; log: RequestLog }> {
  const cpu0 = process.cpuUsage();
  const wall0 = clock.now();
  const load = startLoad({ url, clock, ratePerSecond: PRECISION_RATE, durationMs: PRECISION_MS, connection: 'keep-alive' });
  const log = await load.done;
  const cpu = process.cpuUsage(cpu0);
  const wall = clock.now() - wall0;
  const l = lags(log);
  return { p50: percentile(l, 50), p99: percentile(l, 99), max: l[l.length - 1] ?? NaN, cpuPercent: ((cpu.user + cpu.system) / 1000 / wall) * 100, failed: load.failed, log };
}

/** A TCP relay to nginx that can stop listening and cut its connections for a while: a real outage. */
async function startRelay(upstreamPort: number): Promise<{ port: number; outage(ms: number, clock: Clock): Promise<{ from: number; to: number }>; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  const port = await closedPort();
  const listen = () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  await listen();
  const cutAll = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    port,
    async outage(ms, clock) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const from = clock.now();
      cutAll();
      await closed;
      // Timers may fire a fraction of a millisecond early on the run clock; the window must be at least `ms`.
      while (clock.now() < from + ms) await sleep(Math.max(1, from + ms - clock.now()));
      await listen();
      return { from, to: clock.now() };
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      cutAll();
      await closed;
    },
  };
}

async function outage(nginxPort: number, clock: Clock) {
  const relay = await startRelay(nginxPort);
  cleanups.push(() => relay.close());
  const load = startLoad({ url: `http://127.0.0.1:${relay.port}/`, clock, durationMs: OUTAGE_RUN_MS });
  const t0 = clock.now();
  await sleep(OUTAGE_AT_MS);
  const window = await relay.outage(OUTAGE_MS, clock);
  const log = await load.done;
  let failures = 0;
  let outside = 0;
  let first = Infinity;
  let last = -Infinity;
  const labels = new Map<string, number>();
  for (let i = 0; i < log.count; i++) {
    if (!failedAt(log, i)) continue;
    failures++;
    const at = log.scheduledAt[i] as number;
    first = Math.min(first, at);
    last = Math.max(last, at);
    if (at < window.from - OUTAGE_SLACK_MS || at > window.to + OUTAGE_SLACK_MS) outside++;
    increment(labels, outcomeLabel(log.outcome[i]!));
  }
  const rate = log.count / (OUTAGE_RUN_MS / 1000);
  return { window, failures, outside, first, last, labels, expected: ((window.to - window.from) * rate) / 1000, log, t0 };
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(n);
}

function printTable(rows: readonly Row[]): void {
  const cells = rows.map((r) => [r.what, r.value, r.goal, r.pass === undefined ? '' : r.pass ? 'PASS' : 'MISS']);
  const header = ['figure', 'measured', 'goal', ''];
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((r) => (r[c] as string).length)));
  const line = (r: readonly string[]) => r.map((s, c) => s.padEnd(widths[c] as number)).join('  ').trimEnd();
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of cells) console.log(line(r));
}

async function main(): Promise<boolean> {
  const clock = createClock();
  const nginxPort = await startNginx();
  const url = `http://127.0.0.1:${nginxPort}/`;
  // Lag and CPU figures depend on what else this machine is doing; print it so a MISS can be read.
  console.log(`nginx on ${url}; ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  // wrk is compiled ahead of time; the loop and undici are not, so the JIT gets a warm-up run first.
  console.log(`(b) warm-up: our loop for ${PEAK_WARMUP_MS / 1000} s ...`);
  await peak(url, clock, PEAK_WARMUP_MS);
  const rounds: { wrk: number[]; loop: number; ratio: number }[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const wrk: number[] = [];
    for (const threads of WRK_THREADS) {
      console.log(`(a) round ${r}: wrk -t${threads} -c${WRK_CONNECTIONS} -d${WRK_SECONDS}s ...`);
      wrk.push(await runWrk(url, threads));
    }
    console.log(`(b) round ${r}: our loop, ${fmt(PEAK_OFFERED_RATE)} req/s offered, at most ${PEAK_IN_FLIGHT} in flight, ${PEAK_MS / 1000} s ...`);
    const loop = await peak(url, clock, PEAK_MS);
    // wrk's peak is its best run: on 2 cores one wrk thread can beat two that fight nginx for CPU.
    rounds.push({ wrk, loop, ratio: loop / Math.max(...wrk) });
  }

  console.log(`(c) our loop, ${fmt(PRECISION_RATE)} req/s for ${PRECISION_MS / 1000} s ...`);
  const c = await precision(url, clock);

  console.log(`(d) ${OUTAGE_MS} ms outage at ${OUTAGE_AT_MS} ms into a ${OUTAGE_RUN_MS / 1000} s run at the default rate ...`);
  const d = await outage(nginxPort, clock);

  const ratio = median(rounds.map((r) => r.ratio));
  const byLabel = [...d.labels].map(([k, v]) => `${k}×${v}`).join(' ');
  printTable([
    ...rounds.map((r, i) => ({
      what: `(a/b) round ${i + 1}`,
      value: `${WRK_THREADS.map((t, j) => `wrk -t${t} ${fmt(r.wrk[j] as number)}`).join(', ')}; loop ${fmt(r.loop)} ok/s; ratio ${fmt(r.ratio, 2)}`,
      goal: '',
      pass: undefined,
    })),
    { what: '(b) ratio loop / wrk best, median of rounds', value: fmt(ratio, 2), goal: '>= 0.50', pass: ratio >= 0.5 },
    { what: '(c) start lag p50', value: `${fmt(c.p50, 3)} ms`, goal: '', pass: undefined },
    { what: '(c) start lag p99', value: `${fmt(c.p99, 3)} ms`, goal: '< 2 ms', pass: c.p99 < 2 },
    { what: '(c) start lag max', value: `${fmt(c.max, 3)} ms`, goal: '', pass: undefined },
    { what: '(c) CPU, % of one core', value: `${fmt(c.cpuPercent, 1)} %`, goal: '< 15 %', pass: c.cpuPercent < 15 },
    {
      what: '(c) requests / failed / late / dropped',
      value: `${c.log.count} / ${c.failed} / ${c.log.lateStarts} / ${c.log.dropped}`,
      goal: `${PRECISION_RATE * (PRECISION_MS / 1000)} / 0 / 0 / 0`,
      pass: c.log.count === PRECISION_RATE * (PRECISION_MS / 1000) && c.failed === 0 && c.log.lateStarts === 0 && c.log.dropped === 0,
    },
    {
      what: '(d) outage window (run clock)',
      value: `${fmt(d.window.from - d.t0, 1)} .. ${fmt(d.window.to - d.t0, 1)} ms (${fmt(d.window.to - d.window.from, 1)} ms)`,
      goal: `${OUTAGE_MS} ms`,
      pass: undefined,
    },
    {
      what: '(d) failures detected',
      value: `${d.failures} (${byLabel || 'none'}), expected ~${fmt(d.expected)}`,
      goal: '> 0',
      pass: d.failures > 0,
    },
    {
      what: '(d) failures scheduled in',
      value: d.failures ? `${fmt(d.first - d.t0, 1)} .. ${fmt(d.last - d.t0, 1)} ms` : '-',
      goal: `window ±${OUTAGE_SLACK_MS} ms`,
      pass: d.failures > 0 && d.outside === 0,
    },
  ]);
  return ratio >= 0.5 && c.p99 < 2 && c.cpuPercent < 15 && d.failures > 0 && d.outside === 0;
}

/** Every way out but a normal end: stop what was started, then exit with `code`. */
function abandon(code: number, why: string, err?: unknown): void {
  console.error(`bench: ${why}`, ...(err === undefined ? [] : [err]));
  void cleanup().finally(() => process.exit(code));
}
const watchdog = setTimeout(() => abandon(2, `still running after ${WATCHDOG_MS / 1000} s, giving up`), WATCHDOG_MS);
watchdog.unref();
process.once('SIGINT', () => abandon(130, 'interrupted'));
process.once('SIGTERM', () => abandon(143, 'terminated'));
// A throw from an event handler skips main's finally; the children must not outlive the bench.
process.once('uncaughtException', (err) => abandon(1, 'crashed:', err));
process.once('unhandledRejection', (err) => abandon(1, 'crashed:', err));
// Last resort when even that cannot run (a second crash, process.exit elsewhere): exit handlers cannot wait, so only signal.
process.on('exit', () => {
  for (const child of children) child.kill('SIGTERM');
});

let ok = false;
try {
  ok = await main();
} catch (err) {
  console.error('bench failed:', err);
} finally {
  await cleanup();
  clearTimeout(watchdog);
}
process.exitCode = ok ? 0 : 1;
