import type { TimelineEvent } from '../observe/events.ts';

/**
 * A pod the maintenance displaced: from the moment its deletion began (the kubelet then runs
 * its preStop hook and sends SIGTERM once the hook returns) until its object was gone. The
 * verdict only covers its exit when that happened while the load was still running.
 */
export interface DisplacedPod {
  /** "pod/web-5d9c-abcde". */
  readonly pod: string;
  /** The node it ran on, when the watcher saw it. */
  readonly node: string | null;
  /** Run-clock ms of the pod-terminating event. */
  readonly terminatingAtMs: number;
  /** Run-clock ms of the pod-deleted event; null when the watcher never saw it go. */
  readonly goneAtMs: number | null;
}

/**
 * Pairs each pod-terminating event with the next pod-deleted event of the same pod. A
 * StatefulSet's replacement reuses the name, so pairing goes in time order, one exit each.
 */
export function displacedPods(timeline: readonly TimelineEvent[]): DisplacedPod[] {
  /** Index in `out` of each pod's exit still under way. */
  const open = new Map<string, number>();
  const out: { pod: string; node: string | null; terminatingAtMs: number; goneAtMs: number | null }[] = [];
  for (const e of timeline) {
    if (e.kind === 'pod-terminating' && !open.has(e.subject)) {
      // The watcher's detail is the node, plus a note when the change was seen after an observer gap.
      open.set(e.subject, out.length);
      out.push({ pod: e.subject, node: e.detail?.split(' (')[0] || null, terminatingAtMs: e.t, goneAtMs: null });
    } else if (e.kind === 'pod-deleted') {
      const index = open.get(e.subject);
      if (index === undefined) continue;
      out[index]!.goneAtMs = e.t;
      open.delete(e.subject);
    }
  }
  return out;
}

/** Displaced pods whose exit the load did not cover: still there when the load stopped. */
export function unmeasuredExits(displaced: readonly DisplacedPod[], timeline: readonly TimelineEvent[]): DisplacedPod[] {
  const stop = timeline.find((e) => e.kind === 'load-stop')?.t;
  if (stop === undefined) return [];
  return displaced.filter((d) => d.goneAtMs === null || d.goneAtMs > stop);
}
