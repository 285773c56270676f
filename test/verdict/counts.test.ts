import { expect } from 'chai';
import { increment, ranked } from '../../harness/verdict/counts.ts';

describe('verdict/counts', () => {
  it('adds one by default and any amount when asked', () => {
    const counts = new Map<string, number>();
    increment(counts, 'a');
    increment(counts, 'a');
    increment(counts, 'b', 5);
    expect([...counts]).to.deep.equal([['a', 2], ['b', 5]]);
  });

  it('ranks most frequent first, ties by key, whatever the insertion order', () => {
    const counts = new Map<string, number>([['ECONNRESET', 2], ['timeout', 7], ['ECONNREFUSED', 2]]);
    expect(ranked(counts)).to.deep.equal([['timeout', 7], ['ECONNREFUSED', 2], ['ECONNRESET', 2]]);
    expect(ranked(new Map())).to.deep.equal([]);
  });
});
