/**
 * The flags that say what load goes where, shared by `zdt verify` and `zdt k6` (which writes
 * the same load as a k6 script), and the parsers that check a flag's value as commander reads it.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ErrorCode, isZdtError, ZdtError } from '../errors.ts';
import { checkUrl, isHttps } from '../scenario/options.ts';
import { MAX_SERVICES } from '../deploy/service.ts';
import { MAX_TIMER_MS } from '../drain/options.ts';
import { CONNECTION_MODES, DEFAULT_CONNECTION_MODE, type ConnectionMode } from '../load/pool.ts';
import { readLoadProfile, type LoadProfile } from '../load/profile.ts';
import { parseExpectStatus } from '../load/status.ts';
import { requireReadableFile } from './inputs.ts';

export interface LoadFlags {
  service?: string[];
  port?: string;
  path: string;
  host?: string;
  scheme: 'http' | 'https';
  insecure?: boolean;
  expectStatus: string;
  rate: number;
  /** A file of k6 options (JSON, or a module exporting `options`); replaces --rate. */
  loadProfile?: string;
  connection: ConnectionMode;
  /** Where the load goes instead of a NodePort (one Service only); replaces --scheme and --path. */
  url?: string;
}

/** The most a flag takes, and why. */
export interface Cap {
  readonly max: number;
  readonly why: string;
}
/** Seconds Node.js timers can wait (2^31-1 ms): a longer timeout fires after 1 ms. */
export const TIMER_CAP: Cap = { max: Math.floor(MAX_TIMER_MS / 1000), why: 'seconds, the longest timer Node.js keeps' };
/** The load loop peaks near 70k requests per second on a 2-core machine: more is a typo. */
export const RATE_CAP: Cap = { max: 100_000, why: 'requests per second' };
const number = (flag: string, rule: string, ok: (n: number) => boolean, cap: Cap) => (value: string) => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new InvalidArgumentError(`${flag} must be ${rule}, got "${value}".`);
  if (n > cap.max) throw new InvalidArgumentError(`${flag} must be at most ${cap.max} (${cap.why}), got "${value}".`);
  return n;
};
const expectStatus = (value: string) => {
  try {
    return parseExpectStatus(value, '--expect-status').spec;
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};
const serviceList = (value: string) => {
  // "web, api" as a shell user types it: spaces around the commas are not part of a name.
  const names = value.split(',').map((n) => n.trim());
  if (names.some((n) => n === '')) throw new InvalidArgumentError(`--service takes Service names separated by commas, got "${value}".`);
  return names;
};
export const positive = (flag: string, cap: Cap) => number(flag, 'a number > 0', (n) => n > 0, cap);
export const seconds = (flag: string) => number(flag, 'a number of seconds >= 0', (n) => n >= 0, TIMER_CAP);
export const milliseconds = (flag: string) => number(flag, 'a number of milliseconds >= 0', (n) => n >= 0, { max: MAX_TIMER_MS, why: 'ms, the longest timer Node.js keeps' });

/** --service, --port, --path, --host, --scheme, --insecure, --expect-status, --rate, --load-profile, --connection and --url. */
export function addLoadOptions(command: Command): Command {
  return command
    .option('--service <names>', `Services to load, comma-separated, each its own stream and verdict (default: every Service that selects a workload, at most ${MAX_SERVICES})`, serviceList)
    .option('--port <name|number>', "the Service port to load, by name or number, the same for every Service loaded (default: each Service's only port, else its web port)")
    .option('--path <path>', 'path and query of every request', '/')
    .option('--host <host>', 'Host header to send (and TLS server name with https), for apps routed by name')
    .addOption(new Option('--scheme <scheme>', 'https when the pods serve TLS on that port').choices(['http', 'https']).default('http'))
    .option('--insecure', 'with https (--scheme https or an https --url): accept any certificate (self-signed)')
    .option('--expect-status <list>', 'statuses that count as success, e.g. 200-399 or 200,204,301-308; any other status fails the request', expectStatus, '200-399')
    .option('--rate <n>', 'requests per second, per Service', positive('--rate', RATE_CAP), 200)
    // commander refuses the pair naming both flags; a defaulted --rate does not count.
    .addOption(
      new Option('--load-profile <file>', "k6 options (JSON, or a .ts/.js module exporting `options`): one constant- or ramping-arrival-rate scenario run on each Service instead of --rate, and thresholds on http_req_failed and http_req_duration").conflicts('rate'),
    )
    .addOption(
      new Option('--connection <mode>', 'keep-alive reuses connections, new opens one per request, mixed alternates the two').choices(CONNECTION_MODES).default(DEFAULT_CONNECTION_MODE),
    )
    .addOption(
      new Option('--url <url>', "where the load goes instead of a NodePort, as the app's traffic enters: a load balancer, an Ingress host, a node of an attached cluster, e.g. https://staging.example.com/cart (one Service only; replaces --scheme, --path and --port; needed on a cluster that is not kind)")
        .conflicts(['path', 'scheme', 'port']),
    );
}

/** --url and --insecure, checked before the manifests are read. Throws ZDT_INVALID_OPTION naming the flag. */
export function checkTargetFlags(flags: LoadFlags): void {
  if (flags.url !== undefined) checkUrl(flags.url, undefined, '--url');
  if (flags.insecure && !isHttps(flags)) {
    const fix = flags.url === undefined ? 'add --scheme https' : 'give an https:// --url';
    throw new ZdtError(ErrorCode.InvalidOption, `--insecure applies to https: drop it, or ${fix}`, { details: { option: '--insecure' } });
  }
}

/** --load-profile's profile, read and checked; undefined without the flag. Throws ZDT_INVALID_OPTION naming the flag, the file and the field. */
export async function loadProfileOf(flags: LoadFlags): Promise<LoadProfile | undefined> {
  if (flags.loadProfile === undefined) return undefined;
  await requireReadableFile('--load-profile', flags.loadProfile);
  return readLoadProfile(flags.loadProfile).catch((err: unknown) => {
    throw isZdtError(err) ? new ZdtError(err.code, `--load-profile ${err.message}`, { cause: err, details: { ...err.details, option: '--load-profile', field: err.details.option } }) : err;
  });
}
