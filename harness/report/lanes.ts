import type { TimelineEvent } from '../observe/events.ts';

/** What a pod was doing for traffic, as the watcher saw it. */
export type PodState = 'starting' | 'serving' | 'not-ready' | 'terminating';

export interface LaneSegment {
  readonly state: PodState;
  /** Run-clock ms. */
  readonly startMs: number;
  readonly endMs: number;
}

/** One pod's life during the run: a row under the request chart of report.html. */
export interface PodLane {
  /** "pod/web-5d9c-abcde". */
  readonly pod: string;
  readonly node: string | null;
  readonly segments: readonly LaneSegment[];
  /** When its object was gone (pod-deleted); null when it outlived the run. */
  readonly goneAtMs: number | null;
}

const POD_KINDS = new Set<TimelineEvent['kind']>(['pod-scheduled', 'pod-ready', 'pod-not-ready', 'pod-terminating', 'pod-deleted']);

/** The state each pod event begins. */
const STATE_AFTER: Partial<Record<TimelineEvent['kind'], PodState>> = {
  'pod-scheduled': 'starting',
  'pod-ready': 'serving',
  'pod-not-ready': 'not-ready',
  'pod-terminating': 'terminating',
};

/**
 * A lane per pod from the watcher's pod events, in order of first appearance: starting until
 * Ready, serving while Ready, not-ready when it lost readiness, terminating from its deletion's
 * start until it was gone (once terminating, readiness changes do not end that). A pod already
 * running when the watcher started begins at its first event. Lanes end at `endMs` (the run's
 * last moment) unless the pod was gone before. A name reused after its pod was gone (a
 * StatefulSet's replacement) starts a lane of its own.
 */
export function podLanes(timeline: readonly TimelineEvent[], endMs: number): PodLane[] {
  type Open = { pod: string; node: string | null; segments: LaneSegment[]; state: PodState; since: number; goneAtMs: number | null };
  const all: Open[] = [];
  const current = new Map<string, Open>();
  for (const e of timeline) {
    const next = STATE_AFTER[e.kind];
    if (next === undefined && e.kind !== 'pod-deleted') continue;
    const node = e.detail?.split(' (')[0] || null;
    let lane = current.get(e.subject);
    if (!lane) {
      if (next === undefined) continue;
      lane = { pod: e.subject, node, segments: [], state: next, since: e.t, goneAtMs: null };
      current.set(e.subject, lane);
      all.push(lane);
      continue;
    }
    lane.node ??= node;
    if (next === undefined) {
      lane.segments.push({ state: lane.state, startMs: lane.since, endMs: e.t });
      lane.goneAtMs = e.t;
      current.delete(e.subject);
    } else if (next !== lane.state && lane.state !== 'terminating') {
      if (e.t > lane.since) lane.segments.push({ state: lane.state, startMs: lane.since, endMs: e.t });
      lane.state = next;
      lane.since = e.t;
    }
  }
  return all.map((l) => ({
    pod: l.pod,
    node: l.node,
    goneAtMs: l.goneAtMs,
    segments: l.goneAtMs === null && endMs > l.since ? [...l.segments, { state: l.state, startMs: l.since, endMs }] : l.segments,
  }));
}
