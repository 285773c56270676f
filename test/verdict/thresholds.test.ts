import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect } from 'chai';
import { formatReport } from '../../harness/verdict/format.ts';
import { buildReport } from '../../harness/verdict/report.ts';
import { evaluateThresholds, formatThresholds, judgeThresholds, judgesFailedRequests, parseThresholds } from '../../harness/verdict/thresholds.ts';
import { ev, makeLog, refusal, type Req } from './fixtures.ts';

/** Requests 1..100 ms long, started 10 ms apart from `from`. */
const hundred = (from: number): Req[] => Array.from({ length: 100 }, (_, i) => ({ at: from + i * 10, latency: i + 1 }));

describe('verdict/thresholds: parse', () => {
  it("reads k6's expressions and object form, for http_req_failed and http_req_duration", () => {
    const t = parseThresholds({ http_req_failed: ['rate==0', { threshold: 'rate < 0.01', abortOnFail: false }], http_req_duration: ['p(99)<500', 'p( 99.9 )<=1e3', 'avg<100', 'med!=0', 'min>=0', 'max>-1'] });
    expect(t.map((x) => [x.metric, x.stat, x.percentile, x.op, x.value])).to.deep.equal([
      ['http_req_failed', 'rate', null, '==', 0],
      ['http_req_failed', 'rate', null, '<', 0.01],
      ['http_req_duration', 'p(99)', 99, '<', 500],
      ['http_req_duration', 'p(99.9)', 99.9, '<=', 1000],
      ['http_req_duration', 'avg', null, '<', 100],
      ['http_req_duration', 'med', null, '!=', 0],
      ['http_req_duration', 'min', null, '>=', 0],
      ['http_req_duration', 'max', null, '>', -1],
    ]);
    expect(t[1]!.expression).to.equal('rate < 0.01');
    expect(judgesFailedRequests(t)).to.equal(true);
    expect(judgesFailedRequests(parseThresholds({ http_req_duration: ['p(99)<500'] }))).to.equal(false);
    expect(judgesFailedRequests(undefined)).to.equal(false);
  });

  it('refuses by name what zdt cannot judge, saying what to do', () => {
    const cases: [unknown, RegExp][] = [
      [{ http_reqs: ['count>0'] }, /^thresholds\.http_reqs: unknown metric 'http_reqs': zdt measures http_req_failed and http_req_duration only/],
      [{ 'http_req_duration{status:200}': ['p(99)<500'] }, /unknown metric 'http_req_duration\{status:200\}': zdt has no sub-metrics/],
      [{ dropped_iterations: ['count==0'] }, /unknown metric 'dropped_iterations': zdt calls a run with any dropped request inconclusive by itself: remove it/],
      [{ http_req_duration: 'p(99)<500' }, /^thresholds\.http_req_duration: must be a list of thresholds, e\.g\. \["p\(99\)<500"\]/],
      [{ http_req_duration: ['p99<500'] }, /^thresholds\.http_req_duration\[0\]: "p99<500" is not a threshold zdt can judge on http_req_duration: use avg, med, min, max, p\(N\)/],
      [{ http_req_failed: ['avg<1'] }, /^thresholds\.http_req_failed\[0\]: "avg<1" is not a threshold zdt can judge on http_req_failed: use rate/],
      [{ http_req_duration: ['p(99)=<500'] }, /thresholds\.http_req_duration\[0\]: "p\(99\)=<500" is not a threshold/],
      [{ http_req_duration: ['p(101)<500'] }, /p\(101\): a percentile is 0-100/],
      [{ http_req_failed: [{ threshold: 'rate==0', abortOnFail: true }] }, /^thresholds\.http_req_failed\[0\]\.abortOnFail: zdt never aborts a run mid-maintenance/],
      [{ http_req_failed: [{ threshold: 'rate==0', delayAbortEval: '10s' }] }, /^thresholds\.http_req_failed\[0\]\.delayAbortEval: zdt cannot honour 'delayAbortEval'/],
      [{ http_req_failed: [{ abortOnFail: false }] }, /^thresholds\.http_req_failed\[0\]: must be a threshold expression/],
      [['rate==0'], /^thresholds: must map metric names to lists of thresholds/],
    ];
    for (const [thresholds, message] of cases) expect(refusal(() => parseThresholds(thresholds))).to.match(message);
  });
});

describe('verdict/thresholds: evaluate', () => {
  it("computes k6's statistics over the window: percentiles interpolated between ranks, durations of successes only", () => {
    const log = makeLog([...hundred(1000), { at: 1500, outcome: 503, latency: 5000 }, { at: 1600, outcome: 'ECONNREFUSED', latency: 0.5 }]);
    const t = parseThresholds({ http_req_failed: ['rate<0.01', 'rate<0.05'], http_req_duration: ['p(99)<99', 'p(99)<100', 'med==50.5', 'avg==50.5', 'min==1', 'max==100', 'p(0)==1', 'p(100)==100'] });
    const results = evaluateThresholds(t, log, 0, 10_000);
    expect(results.map((r) => [r.expression, r.observed, r.passed])).to.deep.equal([
      ['rate<0.01', 2 / 102, false],
      ['rate<0.05', 2 / 102, true],
      // 0.99 × 99 = rank 98.01: 99 + 0.01 × (100 - 99).
      ['p(99)<99', 99.01, false],
      ['p(99)<100', 99.01, true],
      ['med==50.5', 50.5, true],
      ['avg==50.5', 50.5, true],
      ['min==1', 1, true],
      ['max==100', 100, true],
      ['p(0)==1', 1, true],
      ['p(100)==100', 100, true],
    ]);
  });

  it('counts only requests started in the window, and never a dropped one', () => {
    const log = makeLog([{ at: 0, latency: 900, outcome: 500 }, { at: 100, latency: 3 }, { at: 200, outcome: 0 }, { at: 300, latency: 5 }]);
    const t = parseThresholds({ http_req_failed: ['rate==0'], http_req_duration: ['max<4'] });
    expect(evaluateThresholds(t, log, 50, 400).map((r) => [r.observed, r.passed])).to.deep.equal([
      [0, true],
      [5, false],
    ]);
    expect(evaluateThresholds(t, log, 250, 260).map((r) => [r.observed, r.passed])).to.deep.equal([
      [null, false],
      [null, false],
    ]);
  });
});

describe('verdict/thresholds: judge', () => {
  const timeline = [ev(1000, 'cordon', 'node/zdt-worker')];

  it('fails a run over a threshold with a sentence naming it and the value over the maintenance window', () => {
    const slow = makeLog([{ at: 0, latency: 9000 }, ...hundred(1000).map((r, i) => (i >= 98 ? { ...r, latency: 1523 } : r))]);
    const v = judgeThresholds({ thresholds: parseThresholds({ http_req_duration: ['p(99)<500', 'p(50)<500'] }), log: slow, timeline, window: { startMs: 0, endMs: 3000 } });
    expect(v.results.map((r) => r.passed)).to.deep.equal([false, true]);
    expect(v.failing).to.deep.equal(['threshold http_req_duration p(99)<500 failed: p(99) was 1523 ms over the maintenance window']);
    expect(v.doubts).to.deep.equal([]);
    expect(formatThresholds(v.results)).to.equal('http_req_duration p(99)<500: 1523 ms failed; http_req_duration p(50)<500: 50.5 ms ok');
  });

  it("with its own http_req_failed, tolerates failures in the window but none before the maintenance", () => {
    const failures = (at: number): Req[] => [{ at, outcome: 503 }];
    const thresholds = parseThresholds({ http_req_failed: ['rate<0.05'] });
    const inWindow = judgeThresholds({ thresholds, log: makeLog([...hundred(1000), ...failures(1500)]), timeline, window: { startMs: 0, endMs: 3000 } });
    expect(inWindow.failing).to.deep.equal([]);
    expect(formatThresholds(inWindow.results)).to.equal('http_req_failed rate<0.05: 0.0099 ok');
    const before = judgeThresholds({ thresholds, log: makeLog([...hundred(1000), ...failures(500)]), timeline, window: { startMs: 0, endMs: 3000 } });
    expect(before.results[0]!.passed).to.equal(true);
    expect(before.failing).to.deep.equal(['1 request failed before the maintenance began (the thresholds judge the maintenance window; before it, no request may fail)']);
  });

  it('is inconclusive about a threshold nothing was measured for, and says nothing without thresholds', () => {
    const allFailed = makeLog([{ at: 1000, outcome: 503 }]);
    const v = judgeThresholds({ thresholds: parseThresholds({ http_req_duration: ['p(99)<500'] }), log: allFailed, timeline, window: { startMs: 1000, endMs: 1002 } });
    expect(v.failing).to.deep.equal([]);
    expect(v.doubts).to.deep.equal(['threshold http_req_duration p(99)<500 was not judged: no request succeeded over the maintenance window']);
    expect(judgeThresholds({ thresholds: undefined, log: allFailed, timeline, window: { startMs: 1000, endMs: 1002 } })).to.deep.equal({ results: [], failing: [], doubts: [] });
  });
});

describe('verdict/thresholds in the report', () => {
  const timeline = [ev(1000, 'cordon', 'node/zdt-worker'), ev(1050, 'pod-terminating', 'pod/web-a')];
  const withFailures = makeLog([...hundred(1000), { at: 1500, outcome: 'ECONNREFUSED' }]);

  it("leaves a report without a profile as it was: no thresholds, zdt's rule that no request may fail", () => {
    const r = buildReport({ log: withFailures, timeline, scenario: 's' });
    expect(r.thresholds).to.deep.equal([]);
    expect(r.problems).to.deep.equal(['1 of 101 requests failed']);
    expect(formatReport(r)).to.not.match(/^ {2}thresholds/m);
  });

  it("a profile's http_req_failed replaces that rule; its latency threshold fails the run and is printed", () => {
    const tolerant = buildReport({ log: withFailures, timeline, scenario: 's', maintenance: { completed: true }, thresholds: parseThresholds({ http_req_failed: ['rate<0.05'], http_req_duration: ['p(99)<500'] }) });
    expect(tolerant.verdict, tolerant.problems.join()).to.equal('pass');
    expect(tolerant.thresholds).to.deep.equal([
      { metric: 'http_req_failed', expression: 'rate<0.05', observed: 1 / 101, passed: true },
      { metric: 'http_req_duration', expression: 'p(99)<500', observed: 99.01, passed: true },
    ]);
    expect(formatReport(tolerant)).to.match(/^ {2}thresholds {6}http_req_failed rate<0\.05: 0\.0099 ok; http_req_duration p\(99\)<500: 99\.0 ms ok$/m);
    // Without an http_req_failed threshold, the failure still fails the run, and so does a slow p99.
    const strict = buildReport({ log: withFailures, timeline, scenario: 's', maintenance: { completed: true }, thresholds: parseThresholds({ http_req_duration: ['p(99)<50'] }) });
    expect(strict.problems).to.deep.equal(['1 of 101 requests failed', 'threshold http_req_duration p(99)<50 failed: p(99) was 99.0 ms over the maintenance window']);
  });

  it('judges each Service on its own stream too: one over a threshold fails the run', () => {
    const fast = makeLog(hundred(1000).map((r) => ({ ...r, latency: 2 })));
    const slow = makeLog(hundred(1000).map((r, i) => ({ ...r, latency: i < 5 ? 800 : 2 })));
    const streams = [
      { service: 'web', url: 'http://127.0.0.1:30080/', log: fast },
      { service: 'api', url: 'http://127.0.0.1:30081/', log: slow },
    ];
    const merged = makeLog([...hundred(1000).map((r) => ({ ...r, latency: 2 })), ...hundred(1000).map((r, i) => ({ ...r, latency: i < 5 ? 800 : 2 }))]);
    const r = buildReport({ log: merged, streams, timeline, scenario: 's', maintenance: { completed: true }, thresholds: parseThresholds({ http_req_duration: ['p(97)<500'] }) });
    // Over both streams 5 of 200 are slow (p97 fast); over api's own, 5 of 100 (p97 slow).
    expect(r.thresholds[0]!.passed).to.equal(true);
    expect(r.services.map((s) => [s.service, s.verdict, s.thresholds[0]!.passed])).to.deep.equal([
      ['web', 'pass', true],
      ['api', 'fail', false],
    ]);
    expect(r.verdict).to.equal('fail');
    expect(r.problems).to.deep.equal(['Service api: threshold http_req_duration p(97)<500 failed: p(97) was 800 ms over the maintenance window']);
  });

  it('validates against the report schema', async () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    const validate = ajv.compile(JSON.parse(await readFile(new URL('../../schema/report.v1.schema.json', import.meta.url), 'utf8')) as object);
    const r = buildReport({ log: withFailures, streams: [{ service: 'web', url: 'http://127.0.0.1:30080/', log: withFailures }], timeline, scenario: 's', thresholds: parseThresholds({ http_req_failed: ['rate<0.05'], http_req_duration: ['p(99)<1'] }) });
    const doc = JSON.parse(JSON.stringify({ reports: [r] })) as unknown;
    expect(validate(doc), JSON.stringify(validate.errors)).to.equal(true);
    const bad = { reports: [{ ...r, thresholds: [{ ...r.thresholds[0], observed: 'high' }] }] };
    expect(validate(JSON.parse(JSON.stringify(bad)))).to.equal(false);
  });
});
