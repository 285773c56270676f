/**
 * The load `zdt verify` puts on each Service, as a k6 script: teams that run k6 against staging
 * get the same open-model load (k6's constant-arrival-rate is zdt's loop), the same split over
 * kept-alive and new connections, the same expected statuses and timeout, no retries, and the
 * same bar (`http_req_failed` rate==0, and no dropped iteration, which zdt calls inconclusive).
 * zdt never runs k6: it is not built offline here, and zdt's own loop records what k6's
 * summary does not (which pod answered, each failure on the cluster's timeline).
 */
import type { Options, Scenario } from 'k6/options';
import { ErrorCode, ZdtError } from '../errors.ts';
import type { ConnectionMode } from '../load/pool.ts';
import { parseK6Duration, type LoadProfile } from '../load/profile.ts';
import { peakRate } from '../load/schedule.ts';
import type { ExpectedStatuses } from '../load/status.ts';
import { judgesFailedRequests } from '../verdict/thresholds.ts';

/** One Service's stream. */
export interface K6Target {
  readonly service: string;
  /** Where its requests go, path and query included. */
  readonly url: string;
}

export interface K6ExportOptions {
  readonly targets: readonly K6Target[];
  /** Requests per second per target (zdt verify --rate); not used with a profile. */
  readonly rate: number;
  /** How long the load runs, s (k6's scenario `duration`); not used with a profile. */
  readonly durationSeconds: number;
  /**
   * A load profile (--load-profile): its scenario, as it is, on each target and kind of
   * connection instead of `rate` and `durationSeconds`, and its thresholds beside zdt's own.
   */
  readonly profile?: LoadProfile;
  readonly connection: ConnectionMode;
  /** Host header instead of the URL's (zdt verify --host). */
  readonly host?: string;
  /** https: accept any certificate (k6's insecureSkipTLSVerify). */
  readonly insecure?: boolean;
  readonly expectStatus: ExpectedStatuses;
  /** Per request, ms (k6's `timeout` param); zdt's loop uses 2000 for connect, headers and body each. */
  readonly timeoutMs: number;
}

/** A scenario name k6 accepts: letters, digits, `_` and `-`. */
const scenarioName = (service: string, kind: string) => `${service.replace(/[^A-Za-z0-9_-]/g, '_')}_${kind}`;

/**
 * k6 takes an integer `rate` per `timeUnit`: `share` of `perSecond` as the smallest such pair,
 * e.g. 200/s halved is 100 per 1s, 0.5/s is 1 per 2s.
 */
function arrival(perSecond: number, share: number): { rate: number; timeUnit: string } {
  for (const seconds of [1, 2, 10, 20, 100, 200, 1000, 2000]) {
    const rate = (perSecond * seconds) / share;
    // 0.1 * 10 is 1.0000000000000002 in floating point.
    if (Math.abs(rate - Math.round(rate)) < 1e-9) return { rate: Math.round(rate), timeUnit: `${seconds}s` };
  }
  throw new ZdtError(ErrorCode.InvalidOption, `--rate ${perSecond}: k6 needs a whole number of iterations per time unit; use at most 3 decimals`, {
    details: { option: '--rate', value: perSecond },
  });
}

/** The kinds of connection a mode sends, each with its share of the rate (pool.ts's CONNECTION_MODES). */
const KINDS: Readonly<Record<ConnectionMode, readonly { kind: 'keep_alive' | 'new'; share: number }[]>> = {
  'keep-alive': [{ kind: 'keep_alive', share: 1 }],
  new: [{ kind: 'new', share: 1 }],
  mixed: [
    { kind: 'keep_alive', share: 2 },
    { kind: 'new', share: 2 },
  ],
};

/** VUs for `perSecond` requests each to run into the timeout of all three phases. */
function vus(perSecond: number, timeoutMs: number): { preAllocatedVUs: number; maxVUs: number } {
  // zdt's loop caps requests in flight at rate × timeouts likewise, so a stalled backend shows as failures, not drops.
  const maxVUs = Math.max(10, Math.ceil((perSecond * 3 * timeoutMs) / 1000));
  return { preAllocatedVUs: Math.min(maxVUs, Math.max(10, Math.ceil(perSecond / 10))), maxVUs };
}

/**
 * A profile's scenario for one kind of connection taking `share` of the rate: the same rates
 * over a time unit `share` times as long; the profile's VUs, else enough for its peak rate.
 */
function profileScenario(profile: LoadProfile, share: number, timeoutMs: number): Scenario {
  const s = profile.scenario;
  const peak = 'ratePerSecond' in profile.load ? profile.load.ratePerSecond : peakRate(profile.load.schedule);
  const timeUnitMs = parseK6Duration(s.timeUnit ?? '1s')! * share;
  const timeUnit = timeUnitMs % 1000 === 0 ? `${timeUnitMs / 1000}s` : `${timeUnitMs}ms`;
  const computed = vus(peak / share, timeoutMs);
  return { ...s, timeUnit, preAllocatedVUs: s.preAllocatedVUs ?? computed.preAllocatedVUs, maxVUs: s.maxVUs ?? computed.maxVUs };
}

/**
 * k6 `options` for the load: a constant-arrival-rate scenario (or the profile's) per target
 * and kind of connection (`exec` names the script's function for it), VUs for every request to
 * run into its timeout, and the thresholds: zdt's (no failed request unless the profile judges
 * them, no dropped iteration) and the profile's. Throws ZDT_INVALID_OPTION for a rate k6
 * cannot express.
 */
export function k6Options(o: K6ExportOptions): Options {
  const scenarios: Record<string, Scenario> = {};
  o.targets.forEach((target, index) => {
    for (const { kind, share } of KINDS[o.connection]) {
      const load: Scenario = o.profile
        ? profileScenario(o.profile, share, o.timeoutMs)
        : { executor: 'constant-arrival-rate', ...arrival(o.rate, share), duration: `${o.durationSeconds}s`, ...vus(o.rate / share, o.timeoutMs) };
      scenarios[scenarioName(target.service, kind)] = { ...load, exec: kind === 'new' ? 'fresh' : 'reused', env: { TARGET: String(index) } };
    }
  });
  const failed: Record<string, string[]> = judgesFailedRequests(o.profile?.thresholds) ? {} : { http_req_failed: ['rate==0'] };
  return {
    scenarios,
    thresholds: { ...failed, ...o.profile?.k6Thresholds, dropped_iterations: ['count==0'] },
    // Outcomes as the server gave them: no redirect followed, as zdt's loop does not.
    maxRedirects: 0,
    ...(o.insecure ? { insecureSkipTLSVerify: true } : {}),
  };
}

/** The whole script, TypeScript for k6 (k6 runs .ts files as they are): `zdt k6 > drain.ts; k6 run drain.ts`. */
export function k6Script(o: K6ExportOptions): string {
  const options = k6Options(o);
  const statuses = o.expectStatus.ranges.map(([min, max]) => (min === max ? String(min) : `{ min: ${min}, max: ${max} }`)).join(', ');
  const targets = o.targets.map((t) => ({ service: t.service, url: t.url }));
  const headers = o.host === undefined ? '' : `Host: ${JSON.stringify(o.host)}, `;
  const bar = judgesFailedRequests(o.profile?.thresholds)
    ? 'failed requests count against the thresholds, and every request\n// not sent on schedule (dropped_iterations) fails the run'
    : 'every request that fails, or is not sent\n// on schedule (dropped_iterations), fails the run';
  const profile = o.profile
    ? `// Scenario and thresholds from the load profile ${o.profile.source}; zdt judges the thresholds over the
// maintenance window, k6 over the whole run.
`
    : '';
  return `// The load zdt verify puts on ${o.targets.map((t) => `Service ${t.service}`).join(', ')}, as a k6 script (written by \`zdt k6\`).
// Start it before the maintenance you want to judge: ${bar}. k6 does not retry. Expected statuses: ${o.expectStatus.spec}.
${profile}import http from 'k6/http';
import type { Options } from 'k6/options';

const targets: { service: string; url: string }[] = ${JSON.stringify(targets)};

export const options: Options = ${JSON.stringify(options, null, 2)};

http.setResponseCallback(http.expectedStatuses(${statuses}));

function get(connection: Record<string, string>): void {
  const target = targets[Number(__ENV.TARGET)]!;
  http.get(target.url, { headers: { ${headers}...connection }, timeout: '${o.timeoutMs}ms', tags: { service: target.service } });
}

/** Requests on connections k6 keeps alive. */
export function reused(): void {
  get({});
}

/** A connection of its own per request: routed afresh, as a new client is. */
export function fresh(): void {
  get({ Connection: 'close' });
}
`;
}
