import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { clockOrigin } from '../clock.ts';
import { ErrorCode, ZdtError } from '../errors.ts';
import { abortError } from '../wait.ts';
import { invalid, NO_COUNTS, reportedLoad, resolveLoadOptions, type LoadCounts, type LoadHandle, type LoadOptions } from './loop.ts';
import { GENERATOR_NICE, holdSessionPriority } from './priority.ts';
import type { RequestLog } from './types.ts';
import type { ThreadInput, ThreadMessage } from './thread-main.ts';

/**
 * Loads the entry in the worker. Run from the sources (a clone, through tsx), the worker needs
 * tsx's loader of its own: a worker does not inherit the hooks register() put on the main
 * thread, and Node 24's own type stripping refuses the sources' parameter properties.
 */
// Only dynamic imports: the worker evaluates it as CommonJS or, under --input-type=module, as ESM.
const BOOT = `
(async () => {
  const { workerData } = await import('node:worker_threads');
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})();
`;
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const ENTRY = new URL(FROM_SOURCE ? './thread-main.ts' : './thread-main.js', import.meta.url).href;

/** tsx's ESM API (its `register()`), for a worker that runs the sources; undefined for the built package. */
function tsxApi(): string | undefined {
  if (!FROM_SOURCE) return undefined;
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(manifest), exports['./esm/api']!.import.default)).href;
}

export interface LoadThreadOptions extends LoadOptions {
  /** The nice value the generator's thread asks for (-20 .. 19); default GENERATOR_NICE. */
  readonly nice?: number;
}

/**
 * startLoad on a thread of its own (a worker), with the same options, log and errors. The run's
 * other work (the watcher's JSON, drain calls, reports, a test runner) and the garbage collection
 * of their heap then never hold the generator's timers. On the 2-core CI machine, a CPU profile of
 * a rollout showed the main thread busy for up to 130 ms at a stretch, garbage collection among
 * it; late in a full end-to-end run such holds came to 1-3% late starts (an inconclusive run).
 * `clock` must advance with performance.now() (as createClock's does): the worker rebuilds it
 * from the same origin. The counters (sent, ok, ...) are the worker's as of its last report, at
 * most PROGRESS_MS old; `done` has the exact log.
 * `started` resolves once the schedule has begun in the worker (a few hundred ms after the call
 * when tsx compiles the sources): wait for it before timing a warm-up.
 * The thread asks for nice `options.nice` (default GENERATOR_NICE, priority.ts), and this
 * process's autogroup is raised to it while the thread runs (holdSessionPriority), so the cluster
 * it shares the machine with does not hold its timers; where that is not allowed both keep what
 * they had, and its health (RequestLog.generator: nice, autogroupNice) says which.
 * Throws ZDT_INVALID_OPTION and ZDT_ABORTED as startLoad does; `done` rejects with ZDT_LOAD if
 * the worker fails.
 */
export function startLoadThread(options: LoadThreadOptions): LoadHandle & { readonly started: Promise<void> } {
  const resolved = resolveLoadOptions(options);
  if (resolved.signal?.aborted) throw abortError(resolved.signal);
  const { clock, signal, nice = GENERATOR_NICE, ...plain } = options;
  if (!Number.isInteger(nice) || nice < -20 || nice > 19) throw invalid('nice', nice, 'must be an integer from -20 to 19');
  const input: ThreadInput = { options: plain, origin: clockOrigin(clock), t0Wall: clock.t0Wall, nice };
  const worker = new Worker(BOOT, { eval: true, workerData: { ...input, entry: ENTRY, tsx: tsxApi() } });
  // Once the worker exists: `done` below releases it, whatever becomes of the worker.
  const priority = holdSessionPriority(nice);
  let counts: LoadCounts = NO_COUNTS;
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    worker.postMessage('stop');
  };
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const done = new Promise<RequestLog>((resolve, reject) => {
    worker.on('message', (m: ThreadMessage) => {
      markStarted();
      if (m.type === 'progress') {
        counts = m.counts;
        return;
      }
      resolve(m.log);
      // Its work is done; nothing it still holds may keep this process alive.
      void worker.terminate();
    });
    worker.on('error', (err) => reject(new ZdtError(ErrorCode.Load, `the load generator's thread failed: ${err.message}`, { cause: err })));
    // After the log, a no-op.
    worker.on('exit', (code) => reject(new ZdtError(ErrorCode.Load, `the load generator's thread exited (code ${code}) without its log`)));
  });
  // A thread that failed before starting has nothing more to start.
  void done.finally(() => (signal?.removeEventListener('abort', stop), priority.release(), markStarted())).catch(() => undefined);
  signal?.addEventListener('abort', stop, { once: true });
  return Object.assign(reportedLoad(() => counts, done, stop), { started });
}
