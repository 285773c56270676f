/** The worker side of startLoadThread (thread.ts): runs startLoad, reports its counters, posts the log. */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { clockAt } from '../clock.ts';
import { countsOf, startLoad, type LoadCounts, type LoadOptions } from './loop.ts';
import { setThreadNice } from './priority.ts';
import type { RequestLog } from './types.ts';

export interface ThreadInput {
  readonly options: Omit<LoadOptions, 'clock' | 'signal'>;
  /** The run clock's t0 (clockOrigin). */
  readonly origin: number;
  readonly t0Wall: number;
  /** The nice value to ask for (setThreadNice). */
  readonly nice: number;
}

export type ThreadMessage = { readonly type: 'progress'; readonly counts: LoadCounts } | { readonly type: 'done'; readonly log: RequestLog };

/** How often the worker reports its counters, ms: for progress lines only. */
const PROGRESS_MS = 200;

if (!isMainThread && parentPort) {
  const port = parentPort;
  const { options, origin, t0Wall, nice } = workerData as ThreadInput;
  setThreadNice(nice);
  const load = startLoad({ ...options, clock: clockAt(origin, t0Wall) });
  const report = () => port.postMessage({ type: 'progress', counts: countsOf(load) } satisfies ThreadMessage);
  report(); // started: the caller's warm-up counts from here
  const timer = setInterval(report, PROGRESS_MS);
  port.on('message', (m) => {
    if (m === 'stop') void load.stop();
  });
  void load.done.then((log) => {
    clearInterval(timer);
    report();
    const columns = [log.scheduledAt, log.startedAt, log.latencyMs, log.outcome, log.pod, log.newConnection, log.localPort, log.reusedUnanswered];
    port.postMessage({ type: 'done', log } satisfies ThreadMessage, columns.flatMap((c) => (c ? [c.buffer as ArrayBuffer] : [])));
  });
}
