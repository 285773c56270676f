import { expect } from 'chai';
import { displacedPods, unmeasuredExits } from '../../harness/verdict/displaced.ts';
import { ev } from './fixtures.ts';

describe('verdict/displaced', () => {
  it('pairs each exit with the next deletion of the same pod, also when a StatefulSet reuses the name', () => {
    const timeline = [
      ev(100, 'pod-terminating', 'pod/web-0', 'zdt-worker'),
      ev(150, 'pod-terminating', 'pod/web-1', 'zdt-worker2 (observed after a 12.4 s observer gap)'),
      ev(5000, 'pod-deleted', 'pod/web-0', 'zdt-worker'),
      ev(6000, 'pod-scheduled', 'pod/web-0', 'zdt-worker3'),
      ev(9000, 'pod-terminating', 'pod/web-0', 'zdt-worker3'),
      ev(9500, 'pod-deleted', 'pod/web-0', 'zdt-worker3'),
      ev(9600, 'pod-deleted', 'pod/other', 'zdt-worker'),
    ];
    expect(displacedPods(timeline)).to.deep.equal([
      { pod: 'pod/web-0', node: 'zdt-worker', terminatingAtMs: 100, goneAtMs: 5000 },
      { pod: 'pod/web-1', node: 'zdt-worker2', terminatingAtMs: 150, goneAtMs: null },
      { pod: 'pod/web-0', node: 'zdt-worker3', terminatingAtMs: 9000, goneAtMs: 9500 },
    ]);
  });

  it('an exit the load did not cover: still there, or gone only after load-stop', () => {
    const timeline = [
      ev(100, 'pod-terminating', 'pod/a'),
      ev(200, 'pod-terminating', 'pod/b'),
      ev(300, 'pod-terminating', 'pod/c'),
      ev(1000, 'pod-deleted', 'pod/a'),
      ev(2000, 'load-stop', 'load'),
      ev(2500, 'pod-deleted', 'pod/b'),
    ];
    expect(unmeasuredExits(displacedPods(timeline), timeline).map((d) => d.pod)).to.deep.equal(['pod/b', 'pod/c']);
    expect(unmeasuredExits(displacedPods(timeline), timeline.filter((e) => e.kind !== 'load-stop'))).to.deep.equal([]);
  });
});
