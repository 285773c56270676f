import { expect } from 'chai';
import { podLanes } from '../../harness/report/lanes.ts';
import { drainStory, ev } from '../verdict/fixtures.ts';

describe('report: a lane per pod (serving, terminating, gone)', () => {
  it('follows each pod from its first event: web-b terminating until gone, web-d serving, web-a not ready', () => {
    expect(podLanes(drainStory().timeline, 11_000)).to.deep.equal([
      { pod: 'pod/web-b', node: 'zdt-worker2', goneAtMs: 9800, segments: [{ state: 'terminating', startMs: 4120, endMs: 9800 }] },
      { pod: 'pod/web-d', node: null, goneAtMs: null, segments: [{ state: 'serving', startMs: 6000, endMs: 11_000 }] },
      { pod: 'pod/web-a', node: 'zdt-worker', goneAtMs: null, segments: [{ state: 'not-ready', startMs: 6990, endMs: 11_000 }] },
    ]);
  });

  it('walks a whole life, keeps terminating through readiness changes, and gives a reused name a lane of its own', () => {
    const timeline = [
      ev(100, 'pod-scheduled', 'pod/db-0', 'zdt-worker'),
      ev(900, 'pod-ready', 'pod/db-0', 'zdt-worker'),
      ev(2000, 'pod-not-ready', 'pod/db-0', 'zdt-worker'),
      ev(2500, 'pod-ready', 'pod/db-0', 'zdt-worker'),
      ev(3000, 'pod-terminating', 'pod/db-0', 'zdt-worker'),
      ev(3100, 'pod-not-ready', 'pod/db-0', 'zdt-worker'),
      ev(4000, 'pod-deleted', 'pod/db-0', 'zdt-worker'),
      ev(4200, 'pod-scheduled', 'pod/db-0', 'zdt-worker3 (observed after an observer gap)'),
      ev(4000, 'endpoint-ready', 'endpoint/db/10.0.0.1'),
    ];
    const lanes = podLanes(timeline, 5000);
    expect(lanes.map((l) => [l.pod, l.node, l.goneAtMs, l.segments.map((s) => `${s.state} ${s.startMs}-${s.endMs}`)])).to.deep.equal([
      ['pod/db-0', 'zdt-worker', 4000, ['starting 100-900', 'serving 900-2000', 'not-ready 2000-2500', 'serving 2500-3000', 'terminating 3000-4000']],
      ['pod/db-0', 'zdt-worker3', null, ['starting 4200-5000']],
    ]);
  });
});
