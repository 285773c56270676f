import { ZdtError, ErrorCode } from '../errors.ts';
import type { RequestLog } from './types.ts';

/**
 * One RequestLog of several taken on the same clock (one per Service, say), rows ordered by
 * scheduledAt as a single generator would have written them; pod indices are renumbered into
 * one `pods` table; `newConnection`, `localPort`, `routedTo` and `reusedUnanswered` are kept when every log has them. The logs must expect the same statuses (they come from one run's options).
 * Throws ZDT_INVALID_OPTION for an empty list or differing expectStatus.
 */
export function mergeLogs(logs: readonly RequestLog[]): RequestLog {
  const first = logs[0];
  if (!first) throw new ZdtError(ErrorCode.InvalidOption, 'mergeLogs needs at least one log');
  if (logs.length === 1) return first;
  const spec = first.expectStatus?.spec;
  if (logs.some((l) => l.expectStatus?.spec !== spec)) throw new ZdtError(ErrorCode.InvalidOption, 'mergeLogs: the logs expect different statuses');
  const pods = [''];
  const podIndex = new Map<string, number>([['', 0]]);
  const rows: { log: RequestLog; i: number; pod: number[] }[] = [];
  const remaps = logs.map((log) =>
    log.pods.map((name) => {
      if (!podIndex.has(name)) {
        podIndex.set(name, pods.length);
        pods.push(name);
      }
      return podIndex.get(name)!;
    }),
  );
  logs.forEach((log, l) => {
    for (let i = 0; i < log.count; i++) rows.push({ log, i, pod: remaps[l]! });
  });
  rows.sort((a, b) => a.log.scheduledAt[a.i]! - b.log.scheduledAt[b.i]!);
  const count = rows.length;
  const merged = {
    count,
    scheduledAt: new Float64Array(count),
    startedAt: new Float64Array(count),
    latencyMs: new Float32Array(count),
    outcome: new Uint16Array(count),
    pod: new Uint16Array(count),
    pods,
    lateStarts: logs.reduce((n, l) => n + l.lateStarts, 0),
    dropped: logs.reduce((n, l) => n + l.dropped, 0),
    ...(first.expectStatus ? { expectStatus: first.expectStatus } : {}),
  };
  const newConnection = logs.every((l) => l.newConnection) ? new Uint8Array(count) : undefined;
  const localPort = logs.every((l) => l.localPort) ? new Uint16Array(count) : undefined;
  const routedTo = logs.every((l) => l.routedTo) ? new Uint16Array(count) : undefined;
  const reusedUnanswered = logs.every((l) => l.reusedUnanswered) ? new Uint8Array(count) : undefined;
  rows.forEach(({ log, i, pod }, r) => {
    merged.scheduledAt[r] = log.scheduledAt[i]!;
    merged.startedAt[r] = log.startedAt[i]!;
    merged.latencyMs[r] = log.latencyMs[i]!;
    merged.outcome[r] = log.outcome[i]!;
    merged.pod[r] = pod[log.pod[i]!]!;
    if (newConnection) newConnection[r] = log.newConnection![i]!;
    if (localPort) localPort[r] = log.localPort![i]!;
    if (routedTo) routedTo[r] = pod[log.routedTo![i]!]!;
    if (reusedUnanswered) reusedUnanswered[r] = log.reusedUnanswered![i]!;
  });
  return { ...merged, ...(newConnection && { newConnection }), ...(localPort && { localPort }), ...(routedTo && { routedTo }), ...(reusedUnanswered && { reusedUnanswered }) };
}
