import { expect } from 'chai';
import fc from 'fast-check';
import { parseK6Duration } from '../../harness/load/profile.ts';
import { ArrivalCursor, arrivalsBy, finalRate, peakRate, scheduleProblem, type RateSchedule } from '../../harness/load/schedule.ts';
import { runs } from '../manifests/yaml-arbitraries.ts';

/** Schedules as a profile gives them: whole rates per second, stages of 0-5 s, the last rate > 0. */
const schedules: fc.Arbitrary<RateSchedule> = fc
  .record({
    startRate: fc.integer({ min: 0, max: 2000 }),
    stages: fc.array(fc.record({ durationMs: fc.integer({ min: 0, max: 5000 }), target: fc.integer({ min: 0, max: 2000 }) }), { maxLength: 6 }),
    last: fc.integer({ min: 1, max: 2000 }),
  })
  .map(({ startRate, stages, last }) =>
    stages.length === 0 ? { startRate: last, stages: [] } : { startRate, stages: [...stages.slice(0, -1), { durationMs: stages.at(-1)!.durationMs, target: last }] },
  );

describe('load/schedule', () => {
  it('spaces a constant rate evenly: request n at n/rate', () => {
    const cursor = new ArrivalCursor({ startRate: 200, stages: [] });
    for (let n = 0; n < 1000; n++) expect(cursor.offsetOf(n)).to.be.closeTo(n * 5, 1e-9);
  });

  it('follows a linear ramp from 0 as k6 does: n requests due once the rate has integrated to n', () => {
    // 0 to 400 req/s over 500 ms: 100 requests in the ramp, arrival n at 500·sqrt(n/100) ms, then 2.5 ms apart.
    const cursor = new ArrivalCursor({ startRate: 0, stages: [{ durationMs: 500, target: 400 }] });
    for (const [n, ms] of [[0, 0], [1, 50], [4, 100], [25, 250], [100, 500], [101, 502.5]] as const) expect(cursor.offsetOf(n), `request ${n}`).to.be.closeTo(ms, 1e-9);
    expect(cursor.offsetOf(140)).to.be.closeTo(600, 1e-9);
    expect(arrivalsBy({ startRate: 0, stages: [{ durationMs: 500, target: 400 }] }, 800)).to.be.closeTo(220, 1e-9);
  });

  it('pauses through a stage at rate 0 and jumps at a stage of no duration', () => {
    const schedule = { startRate: 100, stages: [{ durationMs: 0, target: 0 }, { durationMs: 1000, target: 0 }, { durationMs: 0, target: 1000 }] };
    const cursor = new ArrivalCursor(schedule);
    // Request 0 waits out the pause; then 1 ms apart.
    for (const n of [0, 1, 2]) expect(cursor.offsetOf(n)).to.be.closeTo(1000 + n, 1e-9);
    expect(arrivalsBy(schedule, 1000)).to.equal(0);
  });

  it('due times never go back, and request n is due where the rate has integrated to n', () => {
    fc.assert(
      fc.property(schedules, fc.integer({ min: 1, max: 2000 }), (schedule, count) => {
        const cursor = new ArrivalCursor(schedule);
        let previous = 0;
        for (let n = 0; n < count; n++) {
          const t = cursor.offsetOf(n);
          if (!(t >= previous) || Math.abs(arrivalsBy(schedule, t) - n) > 1e-6 * Math.max(1, n)) return false;
          previous = t;
        }
        return true;
      }),
      runs(200),
    );
  });

  it('refuses a schedule that would leave the rest of the run without load, naming the field', () => {
    expect(scheduleProblem({ startRate: 100, stages: [{ durationMs: 1000, target: 0 }] })).to.deep.equal(['stages[0].target', 0, 'must be > 0: the last rate holds until the load stops']);
    expect(scheduleProblem({ startRate: 0, stages: [] })?.[0]).to.equal('startRate');
    expect(scheduleProblem({ startRate: 1, stages: [{ durationMs: -1, target: 5 }] })?.[0]).to.equal('stages[0].durationMs');
    expect(scheduleProblem({ startRate: Number.NaN, stages: [] })?.[0]).to.equal('startRate');
    expect(scheduleProblem({ startRate: 0, stages: [{ durationMs: 10, target: 5 }] })).to.equal(undefined);
    expect(finalRate({ startRate: 3, stages: [{ durationMs: 10, target: 5 }] })).to.equal(5);
    expect(peakRate({ startRate: 3, stages: [{ durationMs: 10, target: 9 }, { durationMs: 10, target: 5 }] })).to.equal(9);
  });
});

describe('load/profile: k6 durations', () => {
  it('parses what k6 takes and nothing else', () => {
    const cases: [string, number | undefined][] = [
      ['30s', 30_000],
      ['1m30s', 90_000],
      ['500ms', 500],
      ['1.5h', 5_400_000],
      ['2d', 172_800_000],
      ['1h2m3s4ms', 3_723_004],
      ['.5s', 500],
      ['0', 0],
      ['0s', 0],
      ['abc', undefined],
      ['', undefined],
      ['30', undefined],
      ['-1s', undefined],
      ['1 s', undefined],
      ['1s ', undefined],
      ['1w', undefined],
      ['s', undefined],
    ];
    for (const [text, ms] of cases) expect(parseK6Duration(text), text).to.equal(ms);
  });

  it('reads any sum of parts back as the sum of their lengths', () => {
    const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
    const part = fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.constantFrom(...(Object.keys(units) as (keyof typeof units)[])));
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), (parts) => {
        const text = parts.map(([n, unit]) => `${n}${unit}`).join('');
        expect(parseK6Duration(text)).to.equal(parts.reduce((ms, [n, unit]) => ms + n * units[unit], 0));
      }),
      runs(300),
    );
  });
});
