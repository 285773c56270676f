import { failedAt, type RequestLog } from '../load/types.ts';
import type { TimelineEvent } from '../observe/events.ts';

/**
 * What an involuntary disruption (a node crashed, frozen or cut off; scenario node-crash,
 * node-freeze, node-partition) did, measured on the run clock (ms). Every `…Ms` figure is
 * counted from `startMs`, when the fault began; null when it did not happen while zdt watched.
 */
export interface FaultFigures {
  readonly node: string;
  /** 'kill', 'pause' or 'disconnect' (harness/cluster/docker.ts NodeFault). */
  readonly fault: string;
  readonly startMs: number;
  /** The node given back (started, unpaused, reconnected). */
  readonly restoredMs: number | null;
  /** Time to detect: the control plane marked the node NotReady (its pods leave the endpoints then, not before). */
  readonly detectMs: number | null;
  /** The first and last failed request started after the fault began. */
  readonly firstFailureMs: number | null;
  readonly lastFailureMs: number | null;
  /** Time to recover: from the first failed request to the last one. */
  readonly recoverMs: number | null;
  /** Ready endpoints back at their count before the fault, after having dropped below it (pods replaced elsewhere or back on the node). */
  readonly fullStrengthMs: number | null;
  /** The node Ready again after it was given back. */
  readonly nodeReadyMs: number | null;
  /** What sets these times, with the values in force, one sentence each (filled by the scenario, which knows the manifests and the cluster). */
  readonly settings: readonly string[];
}

/** A series of ready endpoints over time (Report.readyEndpoints.series). */
type Series = readonly { readonly t: number; readonly ready: number }[];

/**
 * The figures of the run's node fault, found by its 'node-fault' and 'node-restored' events
 * (subject node/<name>, detail the fault); null when the run had none.
 */
export function faultFigures(log: RequestLog, timeline: readonly TimelineEvent[], series: Series, settings: readonly string[] = []): FaultFigures | null {
  const start = timeline.find((e) => e.kind === 'node-fault');
  if (!start) return null;
  const subject = start.subject;
  const after = (kind: TimelineEvent['kind'], from: number) => timeline.find((e) => e.kind === kind && e.subject === subject && e.t >= from)?.t ?? null;
  const restored = after('node-restored', start.t);
  const detected = after('node-not-ready', start.t);
  let first: number | null = null;
  let last: number | null = null;
  for (let i = 0; i < log.count; i++) {
    const t = log.startedAt[i]!;
    if (t < start.t || !failedAt(log, i)) continue;
    first = first === null ? t : Math.min(first, t);
    last = last === null ? t : Math.max(last, t);
  }
  const since = (t: number | null) => (t === null ? null : t - start.t);
  return {
    node: subject.replace(/^node\//, ''),
    fault: start.detail ?? '',
    startMs: start.t,
    restoredMs: since(restored),
    detectMs: since(detected),
    firstFailureMs: since(first),
    lastFailureMs: since(last),
    recoverMs: first === null || last === null ? null : last - first,
    fullStrengthMs: since(backToStrength(series, start.t)),
    nodeReadyMs: restored === null ? null : since(after('node-ready', restored)),
    settings: [...settings],
  };
}

/** The first time after `from` that the ready count is back at its level at `from`, having dropped below it. */
function backToStrength(series: Series, from: number): number | null {
  let before = 0;
  for (const p of series) if (p.t <= from) before = p.ready;
  let dropped = false;
  for (const p of series) {
    if (p.t <= from) continue;
    if (p.ready < before) dropped = true;
    else if (dropped) return p.t;
  }
  return null;
}
