import { expect } from 'chai';
import { clockAt, clockOrigin, createClock, estimateClockOffset } from '../harness/clock.ts';

describe('clock', () => {
  it('a clock rebuilt from its origin (as a worker thread does) reads the same time and wall time', async () => {
    const clock = createClock();
    await new Promise((r) => setTimeout(r, 20));
    const rebuilt = clockAt(clockOrigin(clock), clock.t0Wall);
    const [a, b, c] = [clock.now(), rebuilt.now(), clock.now()];
    expect(a).to.be.at.least(19);
    // Epoch-sized sums round to some microseconds: far finer than the records' millisecond use.
    expect(b).to.be.within(a - 0.05, c + 0.05);
    expect(rebuilt.wall(1500)).to.equal(clock.t0Wall + 1500);
  });

  it('gives a clock’s origin exactly, however long the thread is held while it reads it', () => {
    const clock = createClock();
    const origin = clockOrigin(clock);
    // Hold the thread between readings, as a preemption or garbage collection would.
    const held: typeof clock = {
      ...clock,
      now: () => {
        const until = performance.now() + 15;
        while (performance.now() < until);
        return clock.now();
      },
    };
    expect(clockOrigin(clock)).to.equal(origin);
    expect(clockOrigin(clockAt(origin, clock.t0Wall))).to.equal(origin);
    // A clock made elsewhere is measured: the hold shows.
    expect(Math.abs(clockOrigin(held) - origin)).to.be.at.least(10);
  });
});

describe('clock: estimateClockOffset', () => {
  it('takes the round trip with the shortest duration: the other clock read at its midpoint', () => {
    // The other clock runs 250 ms ahead; answers take varying time one way.
    const samples = [
      { sentAt: 1000, remoteAt: 1000 + 250 + 40, receivedAt: 1050 },
      { sentAt: 2000, remoteAt: 2000 + 250 + 2, receivedAt: 2004 },
      { sentAt: 3000, remoteAt: 3000 + 250 + 1, receivedAt: 3030 },
    ];
    const c = estimateClockOffset(samples);
    expect(c.offsetMs).to.equal(250);
    expect(c.uncertaintyMs).to.equal(2);
    expect(c.samples).to.equal(3);
  });

  it('without round trips: ZDT_INVALID_OPTION', () => {
    expect(() => estimateClockOffset([])).to.throw().with.property('code', 'ZDT_INVALID_OPTION');
  });
});
