/**
 * The load generator inside the cluster (`--entry in-cluster`): bundled into one file
 * (bundle.ts) and run by Node in a pod (harness/entry/in-cluster.ts). It waits until the
 * Service answers a probe burst, then runs startLoad until told to stop. zdt reaches it through
 * the API server's pod proxy on CONTROL_PORT: GET /status (PodLoadStatus), GET /clock (this
 * clock, for the offset measurement), GET /stop (end the load, write the records to stdout as
 * PodMessage lines, exit). SIGTERM does what /stop does.
 */
import { lookup } from 'node:dns/promises';
import { createServer } from 'node:http';
import { isIP } from 'node:net';
import { clockOrigin, createClock } from '../clock.ts';
import { countsOf, startLoad, type LoadHandle } from './loop.ts';
import { probeOnce } from './probe.ts';
import { CONTROL_PORT, encodeLog, type PodLoadInput, type PodLoadStatus } from './wire.ts';

const PROBE_GAP_MS = 500;

const now = () => performance.timeOrigin + performance.now();

/**
 * The URL with the Service's name looked up once, the Host header keeping the name: a drain that
 * evicts CoreDNS (kind runs it without a PodDisruptionBudget) must not fail requests the app
 * did not fail. The probes before went by name, so the name does resolve.
 */
async function resolvedOnce(options: PodLoadInput['options']): Promise<PodLoadInput['options']> {
  const url = new URL(options.url);
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(hostname)) return options;
  const { address, family } = await lookup(hostname);
  const host = options.host ?? url.host;
  url.hostname = family === 6 ? `[${address}]` : address;
  return { ...options, url: url.href, host };
}

async function main(): Promise<void> {
  const { options } = JSON.parse(process.env.ZDT_LOAD ?? '') as PodLoadInput;
  let status: PodLoadStatus = { state: 'probing' };
  let load: LoadHandle | undefined;
  let origin = 0;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    let out = '';
    if (load) {
      const log = await load.stop();
      for (const line of encodeLog(log)) out += `${JSON.stringify(line)}\n`;
      status = { state: 'stopped', origin, counts: countsOf(load) };
    }
    server.close();
    // A container's stdout is a FIFO of 64 KiB, and a write beyond what it holds is still
    // pending in Node when a plain exit comes: exit once the kernel has every byte (measured:
    // without this, 1,000 of 5,736 records came back).
    process.stdout.write(out, () => process.exit(0));
  };
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/status') {
      const current = load && status.state === 'running' ? { state: 'running', origin, counts: countsOf(load) } : status;
      return res.end(JSON.stringify(current));
    }
    if (req.url === '/clock') return res.end(JSON.stringify({ now: now() }));
    if (req.url === '/stop') {
      res.end('{}');
      return void stop();
    }
    res.statusCode = 404;
    res.end('{}');
  }).listen(Number(process.env.ZDT_CONTROL_PORT ?? CONTROL_PORT));
  process.on('SIGTERM', () => void stop());

  for (;;) {
    const probe = await probeOnce(options);
    if (stopping) return;
    if (probe.ok) break;
    status = { state: 'probing', probe: { sent: probe.sent, failed: probe.failed, answered: probe.answered, definitive: probe.definitive } };
    await new Promise((r) => setTimeout(r, PROBE_GAP_MS));
  }
  const clock = createClock();
  origin = clockOrigin(clock);
  load = startLoad({ ...(await resolvedOnce(options)), clock });
  status = { state: 'running', origin, counts: countsOf(load) };
}

main().catch((err: unknown) => {
  process.stderr.write(`zdt load pod: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
