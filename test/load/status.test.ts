import { expect } from 'chai';
import { isZdtError } from '../../harness/errors.ts';
import { DEFAULT_EXPECT_STATUS, isExpectedStatus, parseExpectStatus } from '../../harness/load/status.ts';
import { errorOutcome, failedAt, isFailure, OUTCOME_DROPPED } from '../../harness/load/types.ts';
import { makeLog } from '../verdict/fixtures.ts';

describe('load/status', () => {
  describe('parseExpectStatus', () => {
    const good: Array<[string, string, Array<[number, number]>]> = [
      ['200-399', '200-399', [[200, 399]]],
      ['200,204,301-308', '200,204,301-308', [[200, 200], [204, 204], [301, 308]]],
      // Spaces allowed; sorted; overlapping and adjacent ranges merged.
      [' 300-399 , 200-299,250 ', '200-399', [[200, 399]]],
      ['503,500-502', '500-503', [[500, 503]]],
      ['100-599', '100-599', [[100, 599]]],
    ];
    for (const [spec, canonical, ranges] of good) {
      it(`parses ${JSON.stringify(spec)} as ${canonical}`, () => {
        expect(parseExpectStatus(spec)).to.deep.equal({ spec: canonical, ranges });
      });
    }

    const bad: Array<[string, string]> = [
      ['', '"" is not a status'],
      ['20', '"20" is not a status'],
      ['600', '"600" is not a status'],
      ['099', '"099" is not a status'],
      ['2xx', '"2xx" is not a status'],
      ['200,,204', '"" is not a status'],
      ['200-', '"200-" is not a status'],
      ['399-200', '"399-200" is a range whose end is below its start'],
      ['200-399-500', '"200-399-500" is not a status'],
    ];
    for (const [spec, why] of bad) {
      it(`rejects ${JSON.stringify(spec)}, naming the bad element`, () => {
        let err: unknown;
        try {
          parseExpectStatus(spec, '--expect-status');
        } catch (e) {
          err = e;
        }
        expect(isZdtError(err, 'ZDT_INVALID_OPTION'), String(err)).to.equal(true);
        expect((err as Error).message).to.equal(`invalid --expect-status: ${JSON.stringify(spec)} (${why}${why.endsWith('start') ? '' : ' 100-599 or a range like 200-399'})`);
      });
    }

    it('defaults to 200-399', () => {
      expect(DEFAULT_EXPECT_STATUS.spec).to.equal('200-399');
      expect([199, 200, 302, 399, 400].map((s) => isExpectedStatus(s, DEFAULT_EXPECT_STATUS))).to.deep.equal([false, true, true, true, false]);
    });
  });

  describe('isFailure', () => {
    const expected = parseExpectStatus('200,204,301-308');
    it('fails statuses outside the set, errors always, a dropped request never', () => {
      const cases: Array<[number, boolean]> = [
        [200, false],
        [204, false],
        [301, false],
        [308, false],
        [201, true],
        [302 + 7, true],
        [404, true],
        [503, true],
        [errorOutcome('ECONNREFUSED'), true],
        [errorOutcome('OTHER'), true],
        [OUTCOME_DROPPED, false],
      ];
      expect(cases.map(([o]) => isFailure(o, expected))).to.deep.equal(cases.map(([, f]) => f));
    });

    it("judges a log by its own expectStatus, and a log without one by the default 200-399", () => {
      const log = makeLog([{ at: 0, outcome: 200 }, { at: 1, outcome: 404 }, { at: 2, outcome: 301 }]);
      expect([0, 1, 2].map((i) => failedAt(log, i))).to.deep.equal([false, true, false]);
      const own = { ...log, expectStatus: parseExpectStatus('200-299,404') };
      expect([0, 1, 2].map((i) => failedAt(own, i))).to.deep.equal([false, false, true]);
    });
  });
});
