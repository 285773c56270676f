import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { autogroupNice, GENERATOR_NICE, holdSessionPriority } from '../../harness/load/priority.ts';

/** Whether this process may raise priority (root or CAP_SYS_NICE): the effective capability set holds CAP_SYS_NICE (bit 23). */
const mayRaise = (): boolean => {
  const eff = /^CapEff:\s*([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return eff ? (BigInt(`0x${eff[1]}`) & (1n << 23n)) !== 0n : false;
};

describe('load/priority: the generator outranks the cluster where allowed', () => {
  it('raises the session’s autogroup while held, by every holder, and puts it back when the last one releases', function () {
    const before = autogroupNice();
    const first = holdSessionPriority();
    const second = holdSessionPriority();
    const raised = before !== null && mayRaise() && before > GENERATOR_NICE;
    expect(first.nice).to.equal(raised ? GENERATOR_NICE : before);
    expect(second.nice).to.equal(first.nice);
    first.release();
    first.release(); // twice is once
    expect(autogroupNice(), 'still held by the second').to.equal(first.nice);
    second.release();
    expect(autogroupNice()).to.equal(before);
    expect(getPriority(), 'the thread’s own nice is not the session’s').to.equal(0);
  });

  it('never lowers a session already above the asked nice', () => {
    const before = autogroupNice();
    const held = holdSessionPriority(19);
    expect(held.nice).to.equal(before);
    held.release();
    expect(autogroupNice()).to.equal(before);
  });
});
