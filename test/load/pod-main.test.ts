import { expect } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPodBundle } from '../../harness/load/bundle.ts';
import { LogAssembler, parsePodLine, type PodLoadInput, type PodLoadStatus } from '../../harness/load/wire.ts';
import { startServer, type TestServer } from './server.ts';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

async function until<T>(f: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

// The bundled program as the load pod runs it (one file, plain Node), on this machine.
describe('load/pod-main: the load pod program, bundled', function () {
  this.timeout(60_000);
  let dir: string;
  let app: TestServer;
  let ready = false;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zdt-pod-'));
    await writeFile(join(dir, 'load.cjs'), await loadPodBundle());
    // Refuses (503) until `ready`, as a Service whose endpoints are not programmed yet.
    app = await startServer((_req, res) => {
      res.statusCode = ready ? 200 : 503;
      res.setHeader('x-pod-name', 'web-1');
      res.end('ok');
    });
  });
  after(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('probes until the Service answers, loads it, answers its clock, and on /stop writes every record to stdout and exits', async () => {
    const port = await freePort();
    const input: PodLoadInput = { options: { url: `http://localhost:${app.port}/`, ratePerSecond: 1000, allowNonLoopback: true } };
    // stdout is a FIFO, as a container runtime gives a container, read only after the stop, as a
    // log reader that lags: the program must not exit before the records are all through.
    const fifo = join(dir, `stdout-${port}`);
    execFileSync('mkfifo', [fifo]);
    const child = spawn('sh', ['-c', `exec "$0" "$1" > "$2"`, process.execPath, join(dir, 'load.cjs'), fifo], { env: { ...process.env, ZDT_LOAD: JSON.stringify(input), ZDT_CONTROL_PORT: String(port) } });
    let out = '';
    const reader = createReadStream(fifo).pause();
    reader.on('data', (d) => (out += d.toString()));
    const drained = new Promise<void>((resolve) => reader.on('end', () => resolve()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const get = async <T>(path: string) => (await fetch(`http://127.0.0.1:${port}${path}`)).json() as Promise<T>;

    const probing = await until(async () => {
      const s = await get<PodLoadStatus>('/status');
      return s.state === 'probing' && s.probe ? s : undefined;
    });
    expect(probing.state === 'probing' && probing.probe?.answered).to.match(/^503 ×\d+$/);
    ready = true;
    const running = await until(async () => {
      const s = await get<PodLoadStatus>('/status');
      return s.state === 'running' && s.counts.ok >= 3000 ? s : undefined;
    });
    const { now } = await get<{ now: number }>('/clock');
    // The same machine: its clock and ours agree to well within the round trip.
    expect(Math.abs(now - (performance.timeOrigin + performance.now()))).to.be.below(50);
    await fetch(`http://127.0.0.1:${port}/stop`);
    await new Promise((r) => setTimeout(r, 1000));
    reader.resume();
    await drained;
    expect(await exited).to.equal(0);

    const assembler = new LogAssembler();
    for (const line of out.split('\n')) {
      const m = parsePodLine(line);
      if (m) assembler.accept(m);
    }
    const log = assembler.log();
    // More than one FIFO's worth: at least three lines of 1,000 records.
    expect(log.count).to.be.at.least(Math.max(3000, running.state === 'running' ? running.counts.sent : 0));
    expect([...log.outcome].every((o) => o === 200)).to.equal(true);
    expect(log.pods).to.include('web-1');
    // Records are on the pod's clock from its load's start, in schedule order.
    expect(log.scheduledAt[0]).to.be.within(0, 20);
    for (let i = 1; i < log.count; i++) expect(log.scheduledAt[i]).to.be.above(log.scheduledAt[i - 1]!);
  });
});
