import { expect } from 'chai';
import { mergeLogs } from '../../harness/load/merge.ts';
import { errorOutcome, OUTCOME_DROPPED } from '../../harness/load/types.ts';
import { makeLog } from '../verdict/fixtures.ts';

describe('load/merge', () => {
  it('orders the rows of several logs by schedule and renumbers their pods into one table', () => {
    const web = makeLog([
      { at: 0, pod: 'web-1' },
      { at: 20, outcome: 'ECONNREFUSED' },
      { at: 40, pod: 'web-2' },
    ]);
    const api = makeLog([
      { at: 10, pod: 'api-1' },
      { at: 30, pod: 'web-2' },
      { at: 50, outcome: OUTCOME_DROPPED },
    ], { lateStarts: 2 });
    const merged = mergeLogs([web, api]);
    expect(merged.count).to.equal(6);
    expect([...merged.scheduledAt]).to.deep.equal([0, 10, 20, 30, 40, 50]);
    expect([...merged.pod].map((i) => merged.pods[i])).to.deep.equal(['web-1', 'api-1', '', 'web-2', 'web-2', '']);
    expect(merged.pods).to.deep.equal(['', 'web-1', 'web-2', 'api-1']);
    expect([...merged.outcome]).to.deep.equal([200, 200, errorOutcome('ECONNREFUSED'), 200, 200, OUTCOME_DROPPED]);
    expect(merged).to.include({ lateStarts: 2, dropped: 1 });
  });

  it('keeps which requests went on new connections only when every log recorded it', () => {
    const a = makeLog([{ at: 0, newConnection: false }, { at: 20, newConnection: true }]);
    const b = makeLog([{ at: 10, newConnection: true }]);
    expect([...mergeLogs([a, b]).newConnection!]).to.deep.equal([0, 1, 1]);
    expect(mergeLogs([a, makeLog([{ at: 10 }])]).newConnection).to.equal(undefined);
  });

  it('keeps local ports, and the pods conntrack routed to renumbered like the header\'s, only when every log has them', () => {
    const pods = ['', 'web-1', 'web-2'];
    const a = { ...makeLog([{ at: 0, localPort: 40001 }, { at: 20, localPort: 40002 }]), pods, routedTo: Uint16Array.from([2, 1]) };
    const b = { ...makeLog([{ at: 10, localPort: 40003, pod: 'api-1' }]), routedTo: Uint16Array.from([1]) };
    const merged = mergeLogs([a, b]);
    expect([...merged.localPort!]).to.deep.equal([40001, 40003, 40002]);
    expect([...merged.routedTo!].map((i) => merged.pods[i])).to.deep.equal(['web-2', 'api-1', 'web-1']);
    expect(mergeLogs([a, makeLog([{ at: 10 }])])).to.not.have.any.keys('localPort', 'routedTo');
  });

  it("keeps the generators' health, the worst of each figure, only when every log has it", () => {
    const a = { ...makeLog([{ at: 0 }]), generator: { loopDelayP99Ms: 4, loopDelayMaxMs: 90, cpuPercent: 20, cpuPressurePercent: 50, nice: -10, autogroupNice: -10 } };
    const b = { ...makeLog([{ at: 10 }]), generator: { loopDelayP99Ms: 6, loopDelayMaxMs: 30, cpuPercent: 25, cpuPressurePercent: 40, nice: 0, autogroupNice: null } };
    expect(mergeLogs([a, b]).generator).to.deep.equal({ loopDelayP99Ms: 6, loopDelayMaxMs: 90, cpuPercent: 25, cpuPressurePercent: 50, nice: 0, autogroupNice: null });
    expect(mergeLogs([a, makeLog([{ at: 10 }])])).to.not.have.any.keys('generator');
  });

  it('returns a single log as it is and refuses none', () => {
    const one = makeLog([{ at: 0 }]);
    expect(mergeLogs([one])).to.equal(one);
    expect(() => mergeLogs([])).to.throw(/at least one log/);
  });
});
