import { expect } from 'chai';
import { clockAt, clockOrigin, createClock } from '../harness/clock.ts';

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
});
