import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { k6Options, k6Script, type K6ExportOptions } from '../../harness/k6/export.ts';
import { parseLoadProfile } from '../../harness/load/profile.ts';
import { parseExpectStatus } from '../../harness/load/status.ts';
import { cli } from '../cli/fakes.ts';

const base: K6ExportOptions = {
  targets: [
    { service: 'web', url: 'http://127.0.0.1:30080/' },
    { service: 'api-v1', url: 'http://127.0.0.1:30081/health?x=1' },
  ],
  rate: 200,
  durationSeconds: 60,
  connection: 'mixed',
  expectStatus: parseExpectStatus('200-399'),
  timeoutMs: 2000,
};

/** A ramping profile with its own thresholds, failed requests among them. */
const RAMPING = {
  scenarios: { drain: { executor: 'ramping-arrival-rate', startRate: 50, preAllocatedVUs: 20, stages: [{ target: 400, duration: '30s' }] } },
  thresholds: { http_req_failed: ['rate<0.01'], http_req_duration: ['p(99)<500'] },
};
const ramping = parseLoadProfile(RAMPING, 'drain.json');

/** The options object a printed script declares. */
const declaredOptions = (script: string) => JSON.parse(/export const options: Options = (\{[\s\S]*?\n\});/.exec(script)![1]!) as unknown;

describe('k6/export', () => {
  it("splits the rate over kept-alive and new connections as zdt's loop does, one constant-arrival-rate scenario each per Service", () => {
    const o = k6Options(base);
    expect(Object.keys(o.scenarios!)).to.deep.equal(['web_keep_alive', 'web_new', 'api-v1_keep_alive', 'api-v1_new']);
    expect(o.scenarios!.web_new).to.deep.equal({
      executor: 'constant-arrival-rate',
      rate: 100,
      timeUnit: '1s',
      duration: '60s',
      preAllocatedVUs: 10,
      maxVUs: 600,
      exec: 'fresh',
      env: { TARGET: '0' },
    });
    expect(o.scenarios!['api-v1_keep_alive']).to.include({ exec: 'reused', rate: 100 });
    expect((o.scenarios!['api-v1_keep_alive'] as { env: object }).env).to.deep.equal({ TARGET: '1' });
    expect(o.thresholds).to.deep.equal({ http_req_failed: ['rate==0'], dropped_iterations: ['count==0'] });
    expect(o).to.include({ maxRedirects: 0 });
    expect(o).to.not.have.property('insecureSkipTLSVerify');
  });

  it('writes any rate as whole iterations per time unit, and refuses one k6 cannot express', () => {
    const one = (rate: number, connection: K6ExportOptions['connection']) => Object.values(k6Options({ ...base, targets: [base.targets[0]!], rate, connection }).scenarios!);
    expect(one(0.5, 'keep-alive').map((s) => [(s as { rate: number }).rate, (s as { timeUnit: string }).timeUnit])).to.deep.equal([[1, '2s']]);
    expect(one(0.1, 'new').map((s) => [(s as { rate: number }).rate, (s as { timeUnit: string }).timeUnit])).to.deep.equal([[1, '10s']]);
    expect(one(75, 'mixed').map((s) => [(s as { rate: number }).rate, (s as { timeUnit: string }).timeUnit])).to.deep.equal([
      [75, '2s'],
      [75, '2s'],
    ]);
    expect(() => k6Options({ ...base, rate: 1 / 3 })).to.throw(/--rate 0\.333.*whole number of iterations/);
  });

  it('prints a script whose options are the export options, with the expected statuses, Host header and timeout', () => {
    const script = k6Script({ ...base, host: 'shop.example.com', insecure: true, expectStatus: parseExpectStatus('200,204,301-308') });
    expect(declaredOptions(script)).to.deep.equal(JSON.parse(JSON.stringify(k6Options({ ...base, insecure: true }))));
    expect(script).to.include('http.setResponseCallback(http.expectedStatuses(200, 204, { min: 301, max: 308 }));');
    expect(script).to.include(`headers: { Host: "shop.example.com", ...connection }, timeout: '2000ms'`);
    expect(script).to.include('"insecureSkipTLSVerify": true');
    expect(script).to.include(`get({ Connection: 'close' });`);
  });

  it("writes a profile's scenario as it is on each Service and kind of connection, mixed ones over a time unit twice as long, and its thresholds beside zdt's", () => {
    const o = k6Options({ ...base, profile: ramping });
    expect(Object.keys(o.scenarios!)).to.deep.equal(['web_keep_alive', 'web_new', 'api-v1_keep_alive', 'api-v1_new']);
    // 50 to 400 per 2 s on each kind: 25 to 200 req/s each, the profile's rates together; VUs for 200 req/s into the timeouts.
    expect(o.scenarios!.web_new).to.deep.equal({ ...RAMPING.scenarios.drain, timeUnit: '2s', maxVUs: 1200, exec: 'fresh', env: { TARGET: '0' } });
    expect(k6Options({ ...base, connection: 'keep-alive', profile: ramping }).scenarios!.web_keep_alive).to.include({ timeUnit: '1s', preAllocatedVUs: 20, maxVUs: 2400 });
    expect(o.thresholds).to.deep.equal({ ...RAMPING.thresholds, dropped_iterations: ['count==0'] });
    // Without its own http_req_failed, zdt's rule that none may fail stays.
    const latencyOnly = parseLoadProfile({ ...RAMPING, thresholds: { http_req_duration: ['p(99)<500'] } }, 'p.json');
    expect(k6Options({ ...base, profile: latencyOnly }).thresholds).to.deep.equal({ http_req_failed: ['rate==0'], http_req_duration: ['p(99)<500'], dropped_iterations: ['count==0'] });
    const script = k6Script({ ...base, profile: ramping });
    expect(declaredOptions(script)).to.deep.equal(JSON.parse(JSON.stringify(o)));
    expect(script).to.include('// Scenario and thresholds from the load profile drain.json; zdt judges the thresholds over the');
    expect(script).to.include('failed requests count against the thresholds');
  });

  it('type-checks against @types/k6 with tsc', async function () {
    this.timeout(60_000);
    const dir = await mkdtemp(join(tmpdir(), 'zdt-k6-'));
    try {
      const types = resolve('node_modules/@types');
      await writeFile(join(dir, 'drain.ts'), k6Script({ ...base, host: 'shop.example.com' }));
      await writeFile(join(dir, 'profile.ts'), k6Script({ ...base, profile: ramping }));
      await writeFile(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            target: 'es2020',
            lib: ['es2020'],
            module: 'esnext',
            moduleResolution: 'bundler',
            typeRoots: [types],
            types: ['k6'],
            paths: { 'k6/*': [join(types, 'k6/*')] },
          },
          files: ['drain.ts', 'profile.ts'],
        }),
      );
      const tsc = resolve('node_modules/typescript/bin/tsc');
      await promisify(execFile)(process.execPath, [tsc, '-p', dir]).catch((err: { stdout?: string }) => {
        throw new Error(`tsc rejected the script:\n${err.stdout}`);
      });
      // The check can fail: a script with a type error is rejected.
      await writeFile(join(dir, 'drain.ts'), `${k6Script(base)}\nhttp.get(42);\n`);
      const rejected = await promisify(execFile)(process.execPath, [tsc, '-p', dir]).then(() => '', (err: { stdout?: string }) => err.stdout ?? '');
      expect(rejected).to.match(/drain\.ts\(\d+,\d+\): error TS2345/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('zdt k6', () => {
  const GOOD = 'test/fixtures/lint/good';

  it("prints the run's load for the manifests' Services, with zdt verify's flags", async () => {
    const run = await cli(['k6', GOOD, '--rate', '50', '--connection', 'new', '--duration', '30', '--path', '/healthz', '--expect-status', '200,204']);
    expect(run.code, run.stderr).to.equal(0);
    expect(declaredOptions(run.stdout)).to.deep.equal(
      JSON.parse(JSON.stringify(k6Options({ targets: [{ service: 'web', url: 'http://127.0.0.1:30080/healthz' }], rate: 50, durationSeconds: 30, connection: 'new', expectStatus: parseExpectStatus('200,204'), timeoutMs: 2000 }))),
    );
    expect(run.stdout).to.include('const targets: { service: string; url: string }[] = [{"service":"web","url":"http://127.0.0.1:30080/healthz"}];');
    const staging = await cli(['k6', GOOD, '--url', 'https://staging.example.com/cart']);
    expect(staging.stdout).to.include('"url":"https://staging.example.com/cart"');
  });

  it('writes a --load-profile instead of --rate and --duration, and refuses either beside it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zdt-k6-profile-'));
    try {
      const file = join(dir, 'drain.json');
      await writeFile(file, JSON.stringify(RAMPING));
      const run = await cli(['k6', GOOD, '--load-profile', file]);
      expect(run.code, run.stderr).to.equal(0);
      const targets = [{ service: 'web', url: 'http://127.0.0.1:30080/' }];
      expect(declaredOptions(run.stdout)).to.deep.equal(JSON.parse(JSON.stringify(k6Options({ ...base, targets, profile: parseLoadProfile(RAMPING, file) }))));
      for (const flag of [['--rate', '300', "option '--rate <n>'"], ['--duration', '30', "option '--duration <s>'"]] as const) {
        const both = await cli(['k6', GOOD, '--load-profile', file, flag[0], flag[1]]);
        expect(both.code).to.equal(2);
        expect(both.stderr).to.include(flag[2]).and.include("'--load-profile <file>'");
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a --url it cannot use, naming it', async () => {
    const bad = await cli(['k6', GOOD, '--url', 'ftp://example.com/']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/--url ftp:\/\/example\.com\/: must be http:\/\/ or https:\/\/ \[ZDT_INVALID_OPTION\]/);
    expect((await cli(['k6', GOOD, '--url', 'staging'])).stderr).to.match(/--url staging: not a valid absolute URL/);
    // As zdt verify does: --insecure only with https.
    expect((await cli(['k6', GOOD, '--url', 'http://staging/', '--insecure'])).stderr).to.match(/--insecure applies to https: drop it, or give an https:\/\/ --url/);
  });
});
