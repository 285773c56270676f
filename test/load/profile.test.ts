import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { isZdtError } from '../../harness/errors.ts';
import { describeLoadProfile, parseLoadProfile, readLoadProfile } from '../../harness/load/profile.ts';
import { loadRateOf, resolveScenarioOptions } from '../../harness/scenario/options.ts';
import { cli, fakeCluster } from '../cli/fakes.ts';
import { refusal } from '../verdict/fixtures.ts';

const GOOD = 'test/fixtures/lint/good';

const ramping = {
  scenarios: {
    drain: { executor: 'ramping-arrival-rate', startRate: 50, timeUnit: '1s', preAllocatedVUs: 20, stages: [{ target: 400, duration: '1m30s' }, { target: 300, duration: '500ms' }] },
  },
  thresholds: { http_req_failed: ['rate<0.01'], http_req_duration: ['p(99)<500'] },
};
const constant = { scenarios: { steady: { executor: 'constant-arrival-rate', rate: 300, timeUnit: '2s', duration: '30s', preAllocatedVUs: 20 } } };

/** The profile `options` with one scenario field replaced. */
const withScenario = (fields: Record<string, unknown>) => ({ scenarios: { drain: { ...ramping.scenarios.drain, ...fields } } });

describe('load/profile', () => {
  it('turns a ramping-arrival-rate scenario into a schedule in requests per second and ms', () => {
    const p = parseLoadProfile(ramping, 'drain.json');
    expect(p.name).to.equal('drain');
    expect(p.load).to.deep.equal({ schedule: { startRate: 50, stages: [{ durationMs: 90_000, target: 400 }, { durationMs: 500, target: 300 }] } });
    expect(p.scenario).to.deep.equal(ramping.scenarios.drain);
    expect(p.k6Thresholds).to.deep.equal(ramping.thresholds);
    expect(p.thresholds.map((t) => `${t.metric} ${t.expression}`)).to.deep.equal(['http_req_failed rate<0.01', 'http_req_duration p(99)<500']);
    // Per minute: a time unit is what the rates count per.
    const perMinute = parseLoadProfile(withScenario({ timeUnit: '1m', startRate: 60, stages: [{ target: 120, duration: '10s' }] }), 'p');
    expect(perMinute.load).to.deep.equal({ schedule: { startRate: 1, stages: [{ durationMs: 10_000, target: 2 }] } });
    expect(describeLoadProfile(p)).to.equal(
      'ramping-arrival-rate scenario drain of drain.json: 50 req/s to 300 req/s over 90.5 s on each Service, then 300 req/s until the maintenance ends; thresholds http_req_failed rate<0.01, http_req_duration p(99)<500 judged over the maintenance window',
    );
  });

  it('turns a constant-arrival-rate scenario into a rate; its duration is only checked', () => {
    const p = parseLoadProfile(constant, 'steady.json');
    expect(p.load).to.deep.equal({ ratePerSecond: 150 });
    expect(p.thresholds).to.deep.equal([]);
    expect(describeLoadProfile(p)).to.equal('constant-arrival-rate scenario steady of steady.json: 150 req/s on each Service for as long as the maintenance takes (its duration is not used)');
  });

  it('refuses by name whatever zdt cannot honour, saying what to do instead', () => {
    const cases: [unknown, string | RegExp][] = [
      [withScenario({ executor: 'ramping-vus' }), "p.json: scenarios.drain.executor: executor 'ramping-vus' is a closed model; zdt runs arrival-rate executors only: use constant-arrival-rate or ramping-arrival-rate"],
      [withScenario({ executor: 'externally-controlled' }), /scenarios\.drain\.executor: executor "externally-controlled" is not one zdt runs/],
      [withScenario({ stages: [{ target: 400, duration: '30s' }, { target: 300, duration: 'abc' }] }), 'p.json: scenarios.drain.stages[1].duration: "abc" is not a k6 duration (e.g. "30s", "1m30s", "500ms")'],
      [withScenario({ stages: [{ target: 400, duration: '30s' }, { target: 0, duration: '10s' }] }), /scenarios\.drain\.stages\[1\]\.target: must be > 0: a zdt run lasts as long as its maintenance/],
      [withScenario({ stages: [] }), /scenarios\.drain\.stages: needs at least one stage/],
      [withScenario({ stages: [{ target: 1.5, duration: '1s' }] }), /scenarios\.drain\.stages\[0\]\.target: must be a whole number >= 0, got 1\.5/],
      [withScenario({ stages: [{ target: 5, duration: '1s', rate: 3 }] }), /scenarios\.drain\.stages\[0\]\.rate: zdt cannot honour 'rate': a stage is \{ target, duration \}/],
      [withScenario({ timeUnit: '0s' }), /scenarios\.drain\.timeUnit: must be longer than 0/],
      [withScenario({ startTime: '10s' }), /scenarios\.drain\.startTime: zdt cannot honour 'startTime' on ramping-arrival-rate: zdt starts the load before the maintenance \(--warmup\)/],
      [withScenario({ gracefulRampDown: '10s' }), /scenarios\.drain\.gracefulRampDown: zdt cannot honour 'gracefulRampDown' on ramping-arrival-rate: it takes executor, startRate, timeUnit, stages, preAllocatedVUs, maxVUs/],
      [withScenario({ rate: 5 }), /scenarios\.drain\.rate: zdt cannot honour 'rate' on ramping-arrival-rate/],
      [withScenario({ maxVUs: -1 }), /scenarios\.drain\.maxVUs: must be a whole number >= 0/],
      [{ scenarios: { steady: { ...constant.scenarios.steady, rate: 0 } } }, /scenarios\.steady\.rate: must be a whole number >= 1, got 0/],
      [{ scenarios: { steady: { ...constant.scenarios.steady, duration: undefined } } }, /scenarios\.steady\.duration: undefined is not a k6 duration/],
      [{ ...ramping, scenarios: { ...ramping.scenarios, ...constant.scenarios } }, /^p\.json: scenarios: 'drain', 'steady' are 2 scenarios; zdt loads every Service with one schedule: keep one$/],
      [{ scenarios: {} }, /^p\.json: scenarios: needs one scenario/],
      [{ thresholds: ramping.thresholds }, /^p\.json: scenarios: needs one scenario/],
      [{ scenarios: { 'drain now': ramping.scenarios.drain } }, /scenarios\.drain now: a scenario name takes letters, digits/],
      [{ ...ramping, vus: 10 }, /^p\.json: vus: zdt cannot honour option 'vus': it is k6's shortcut for a closed model/],
      [{ ...ramping, insecureSkipTLSVerify: true }, /insecureSkipTLSVerify: zdt cannot honour option 'insecureSkipTLSVerify': it is a flag in zdt: use --insecure/],
      [{ ...ramping, summaryTrendStats: ['avg'] }, /summaryTrendStats: zdt cannot honour option 'summaryTrendStats': it is not one zdt reads \(scenarios and thresholds only\): remove it/],
      [{ ...ramping, thresholds: { http_req_duration: [{ threshold: 'p(99)<500', abortOnFail: true }] } }, /^p\.json: thresholds\.http_req_duration\[0\]\.abortOnFail: zdt never aborts a run mid-maintenance/],
      [{ ...ramping, thresholds: { checks: ['rate>0.99'] } }, /^p\.json: thresholds\.checks: unknown metric 'checks'/],
      [[ramping], /^p\.json: options: must be k6 options/],
    ];
    for (const [options, message] of cases) {
      const text = refusal(() => parseLoadProfile(options, 'p.json'));
      if (typeof message === 'string') expect(text).to.equal(message);
      else expect(text).to.match(message);
    }
  });

  it("gives a scenario its load in place of the rate, refusing both, and a profile's own failed-request rule beside a budget's", () => {
    const base = { name: 'drain', manifests: 'x', maintenance: { kind: 'drain' } } as const;
    const loadProfile = parseLoadProfile(ramping, 'drain.json');
    expect(loadRateOf(resolveScenarioOptions({ ...base, loadProfile }))).to.deep.equal(loadProfile.load);
    expect(loadRateOf(resolveScenarioOptions({ ...base, rate: 50 }))).to.deep.equal({ ratePerSecond: 50 });
    expect(refusal(() => resolveScenarioOptions({ ...base, loadProfile, rate: 50 }))).to.equal('rate cannot be given with loadProfile (drain.json), whose scenario replaces it: give one of them, got 50');
    expect(refusal(() => resolveScenarioOptions({ ...base, loadProfile, budget: { maxFailed: { count: 3 } } }))).to.match(/^budget\.maxFailed cannot be given with loadProfile \(drain\.json\), whose http_req_failed threshold judges failed requests/);
    // A profile judging only latency leaves failed requests to the budget.
    const latencyOnly = parseLoadProfile({ ...ramping, thresholds: { http_req_duration: ['p(99)<500'] } }, 'p.json');
    expect(() => resolveScenarioOptions({ ...base, loadProfile: latencyOnly, budget: { maxFailed: { count: 3 } } })).to.not.throw();
  });

  describe('files', () => {
    let dir: string;
    before(async () => (dir = await mkdtemp(join(tmpdir(), 'zdt-profile-'))));
    after(() => rm(dir, { recursive: true, force: true }));

    it('reads JSON, and a TypeScript module exporting k6 options typed with @types/k6', async () => {
      const json = join(dir, 'drain.json');
      await writeFile(json, JSON.stringify(ramping));
      expect((await readLoadProfile(json)).load).to.deep.equal(parseLoadProfile(ramping, json).load);
      const ts = join(dir, 'drain.ts');
      await writeFile(ts, `import type { Options } from 'k6/options';\nconst rate: number = 120;\nexport const options: Options = { scenarios: { steady: { executor: 'constant-arrival-rate', rate, duration: '1m', preAllocatedVUs: 10 } } };\n`);
      const module = await readLoadProfile(ts);
      expect(module.source).to.equal(ts);
      expect(module.load).to.deep.equal({ ratePerSecond: 120 });
    });

    it('says why a file is not a profile, starting with its name', async () => {
      const broken = join(dir, 'broken.json');
      await writeFile(broken, '{ "scenarios": ');
      const none = join(dir, 'none.mjs');
      await writeFile(none, 'export const opts = {};\n');
      const script = join(dir, 'script.mjs');
      await writeFile(script, "import http from 'k6/http';\nexport const options = {};\n");
      for (const [file, message] of [
        [broken, /broken\.json: not JSON: /],
        [none, /none\.mjs: exports no `options`/],
        [script, /script\.mjs: cannot load it: .*'k6'.* \(a profile may import k6's types only, with import type/],
      ] as const) {
        const err = await readLoadProfile(file).then(() => undefined, (e: unknown) => e);
        expect(isZdtError(err, 'ZDT_INVALID_OPTION'), String(err)).to.equal(true);
        expect((err as Error).message).to.match(message);
      }
    });

    it('zdt verify runs the profile instead of --rate, joins its thresholds to the verdict, and says how its schedule ends', async () => {
      const json = join(dir, 'verify.json');
      await writeFile(json, JSON.stringify(ramping));
      const fake = fakeCluster();
      const run = await cli(['verify', GOOD, '--scenario', 'rollout', '--load-profile', json], fake);
      expect(run.code, run.stderr).to.equal(0);
      expect(fake.ran).to.have.length(1);
      expect(fake.ran[0]!.rate).to.equal(undefined);
      expect(fake.ran[0]!.loadProfile).to.deep.equal(parseLoadProfile(ramping, json));
      expect(run.stderr).to.include('load profile ramping-arrival-rate scenario drain of').and.include('then 300 req/s until the maintenance ends');
    });

    it('zdt verify refuses --rate or --max-failed beside a profile that replaces them, and a bad profile, before any cluster', async () => {
      const json = join(dir, 'refuse.json');
      await writeFile(json, JSON.stringify(ramping));
      const fake = fakeCluster();
      const both = await cli(['verify', GOOD, '--load-profile', json, '--rate', '300'], fake);
      expect(both.code).to.equal(2);
      expect(both.stderr).to.match(/option '--load-profile <file>' cannot be used with option '--rate <n>'/);
      const budget = await cli(['verify', GOOD, '--load-profile', json, '--max-failed', '5'], fake);
      expect(budget.code).to.equal(2);
      expect(budget.stderr).to.match(/budget\.maxFailed cannot be given with loadProfile .*whose http_req_failed threshold judges failed requests/);
      const bad = join(dir, 'bad.json');
      await writeFile(bad, JSON.stringify(withScenario({ executor: 'constant-vus' })));
      const refused = await cli(['verify', GOOD, '--load-profile', bad], fake);
      expect(refused.code).to.equal(2);
      expect(refused.stderr).to.include(`zdt: --load-profile ${bad}: scenarios.drain.executor: executor 'constant-vus' is a closed model`);
      expect((await cli(['verify', GOOD, '--load-profile', join(dir, 'missing.json')], fake)).stderr).to.match(/--load-profile .*missing\.json: no such file/);
      expect(fake.started).to.deep.equal([]);
    });
  });
});
