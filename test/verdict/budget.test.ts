import { expect } from 'chai';
import fc from 'fast-check';
import { isZdtError } from '../../harness/errors.ts';
import { checkBudget, overBudget, parseMaxFailed, stateBudget } from '../../harness/verdict/budget.ts';
import { formatReport } from '../../harness/verdict/format.ts';
import { buildReport } from '../../harness/verdict/report.ts';
import { makeLog, type Req } from './fixtures.ts';

/** 1000 requests 10 ms apart from t=0; those at the given indexes fail with ECONNREFUSED. */
const logWithFailures = (failing: readonly number[]) =>
  makeLog(Array.from({ length: 1000 }, (_, i): Req => ({ at: i * 10, outcome: failing.includes(i) ? 'ECONNREFUSED' : 200 })));

describe('verdict: availability budget (--max-failed, --max-outage)', () => {
  it('parses --max-failed as a count or a percent, and names a bad value', () => {
    expect(parseMaxFailed('12')).to.deep.equal({ count: 12 });
    expect(parseMaxFailed(' 0.5% ')).to.deep.equal({ percent: 0.5 });
    for (const bad of ['-1', '1.5', '101%', 'ten', '', '%']) {
      expect(() => parseMaxFailed(bad), bad).to.throw(/--max-failed takes a number of requests/).that.satisfies((e: unknown) => isZdtError(e));
    }
  });

  it('states what it parsed back as the user typed it', () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat({ max: 10_000 }).map(String), fc.integer({ min: 0, max: 1000 }).map((n) => `${n / 10}%`)), (text) => {
        expect(stateBudget({ maxFailed: parseMaxFailed(text) }).maxFailed).to.equal(text);
      }),
    );
    expect(stateBudget(undefined)).to.deep.equal({ maxFailed: '0', maxOutageMs: null });
  });

  it('refuses a budget built by hand with impossible values, naming the field', () => {
    expect(() => checkBudget({ maxFailed: { count: 1.5 } })).to.throw(/maxFailed.count/);
    expect(() => checkBudget({ maxFailed: { percent: 120 } })).to.throw(/maxFailed.percent/);
    expect(() => checkBudget({ maxOutageMs: -1 })).to.throw(/maxOutageMs/);
    expect(() => checkBudget({ maxFailed: { count: 0 }, maxOutageMs: 0 })).not.to.throw();
  });

  it('fails on any failure without a budget, and on more than the count or percent with one', () => {
    expect(overBudget(undefined, 1, 100, 0)).to.deep.equal(['1 of 100 requests failed']);
    expect(overBudget(undefined, 0, 100, 5000)).to.deep.equal([]);
    expect(overBudget({ maxFailed: { count: 3 } }, 3, 100, 0)).to.deep.equal([]);
    expect(overBudget({ maxFailed: { count: 3 } }, 4, 100, 0)).to.deep.equal(['4 of 100 requests failed, over --max-failed 3']);
    expect(overBudget({ maxFailed: { percent: 1 } }, 10, 1000, 0)).to.deep.equal([]);
    expect(overBudget({ maxFailed: { percent: 1 } }, 11, 1000, 0)).to.deep.equal(['11 of 1000 requests failed, over --max-failed 1%']);
    expect(overBudget({ maxOutageMs: 500 }, 0, 1000, 501.4)).to.deep.equal(['501 ms without a successful response, over --max-outage 500 ms']);
    expect(overBudget({ maxOutageMs: 500 }, 0, 1000, 500)).to.deep.equal([]);
  });

  it('lets a report with failures within its budget pass, says so in the headline, and fails it on the outage bound', () => {
    const log = logWithFailures([100, 101, 102]);
    const strict = buildReport({ log, timeline: [], scenario: 'node-crash' });
    expect(strict.verdict).to.equal('fail');
    expect(strict.budget).to.deep.equal({ maxFailed: '0', maxOutageMs: null });

    const within = buildReport({ log, timeline: [], scenario: 'node-crash', budget: { maxFailed: { count: 3 }, maxOutageMs: 100 } });
    expect(within.verdict).to.equal('pass');
    expect(within.budget).to.deep.equal({ maxFailed: '3', maxOutageMs: 100 });
    expect(formatReport(within).split('\n')[0]).to.match(/^PASS node-crash: 1000 requests, 3 failed \(within --max-failed 3, --max-outage 100 ms\)/);

    // Three failures 10 ms apart leave 40 ms between successful responses: over a 30 ms bound.
    const outage = buildReport({ log, timeline: [], scenario: 'node-crash', budget: { maxFailed: { count: 3 }, maxOutageMs: 30 } });
    expect(outage.verdict).to.equal('fail');
    expect(outage.problems).to.deep.equal(['40 ms without a successful response, over --max-outage 30 ms']);
  });
});
