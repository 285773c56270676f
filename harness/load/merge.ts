import { ZdtError, ErrorCode } from '../errors.ts';
import { worstHealth, type GeneratorHealth } from './health.ts';
import type { RequestLog } from './types.ts';

/** Columns a log may lack; a merged log keeps one when every log has it. Pod columns are renumbered. */
const OPTIONAL_COLUMNS: readonly { name: 'newConnection' | 'localPort' | 'routedTo' | 'reusedUnanswered'; make: (n: number) => Uint8Array | Uint16Array; remapsPod: boolean }[] = [
  { name: 'newConnection', make: (n) => new Uint8Array(n), remapsPod: false },
  { name: 'localPort', make: (n) => new Uint16Array(n), remapsPod: false },
  { name: 'routedTo', make: (n) => new Uint16Array(n), remapsPod: true },
  { name: 'reusedUnanswered', make: (n) => new Uint8Array(n), remapsPod: false },
];

/**
 * One RequestLog of several taken on the same clock (one per Service, say), rows ordered by
 * scheduledAt as a single generator would have written them; pod indices are renumbered into
 * one `pods` table; the optional columns are kept when every log has them. The logs must expect the same statuses (they come from one run's options).
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
    ...(logs.every((l) => l.generator) ? { generator: worstHealth(logs.map((l) => l.generator as GeneratorHealth)) } : {}),
    ...(first.expectStatus ? { expectStatus: first.expectStatus } : {}),
  };
  const optional = OPTIONAL_COLUMNS.filter(({ name }) => logs.every((l) => l[name])).map(({ name, make, remapsPod }) => ({ name, remapsPod, to: make(count) }));
  rows.forEach(({ log, i, pod }, r) => {
    merged.scheduledAt[r] = log.scheduledAt[i]!;
    merged.startedAt[r] = log.startedAt[i]!;
    merged.latencyMs[r] = log.latencyMs[i]!;
    merged.outcome[r] = log.outcome[i]!;
    merged.pod[r] = pod[log.pod[i]!]!;
    for (const { name, remapsPod, to } of optional) {
      const value = log[name]![i]!;
      to[r] = remapsPod ? pod[value]! : value;
    }
  });
  return { ...merged, ...Object.fromEntries(optional.map(({ name, to }) => [name, to])) };
}
