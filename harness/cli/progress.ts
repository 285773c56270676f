import { Listr, ListrLogger, PRESET_TIMER, ProcessOutput } from 'listr2';
import type { Io, Output } from './io.ts';

/** Shows long-running steps (cluster, lint, each scenario) with their progress lines and elapsed time. */
export interface Progress {
  step<T>(title: string, run: (log: (line: string) => void) => Promise<T>): Promise<T>;
}

/** 'tasks': listr2's live task list (a terminal); 'lines': timestamped lines (CI logs, pipes); 'none': --quiet. */
export type ProgressStyle = 'tasks' | 'lines' | 'none';

export function progressStyle(io: Io, quiet: boolean): ProgressStyle {
  if (quiet) return 'none';
  // listr2 renders live only when stdout is a terminal too; CI terminals keep every redraw, so plain lines there.
  return io.stdout.isTTY === true && io.stderr.isTTY === true && !io.env.CI ? 'tasks' : 'lines';
}

/** Progress goes to stderr in every style, so stdout carries only results (and stays pure JSON with --json). */
export function createProgress(style: ProgressStyle, out: Output, now: () => number = () => performance.now()): Progress {
  if (style === 'tasks') return taskProgress(out);
  if (style === 'none') return { step: (_title, run) => run(() => {}) };
  return lineProgress(out, now);
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** `[  12.3s] parallel-drain deploy: applying 3 objects`, elapsed since the command started. */
function lineProgress(out: Output, now: () => number): Progress {
  const t0 = now();
  const print = (text: string) => out.write(`[${secs(now() - t0).padStart(7)}] ${text}\n`);
  return {
    async step(title, run) {
      const began = now();
      print(`${title} ...`);
      try {
        const result = await run((line) => print(`${title} ${line}`));
        print(`${title} done in ${secs(now() - began)}`);
        return result;
      } catch (err) {
        print(`${title} failed after ${secs(now() - began)}`);
        throw err;
      }
    },
  };
}

function taskProgress(out: Output): Progress {
  const stream = out as NodeJS.WriteStream;
  const logger = new ListrLogger({ useIcons: true, processOutput: new ProcessOutput(stream, stream) });
  return {
    async step(title, run) {
      let result: Awaited<ReturnType<typeof run>> | undefined;
      await new Listr([{ title, task: async (_ctx, task) => void (result = await run((line) => (task.output = line))), rendererOptions: { outputBar: 1 } }], {
        renderer: 'default',
        rendererOptions: { logger, timer: PRESET_TIMER },
        // zdt's own SIGINT handler aborts the run and cleans up; listr2's would exit at once.
        registerSignalListeners: false,
        exitOnError: true,
      }).run();
      return result as Awaited<ReturnType<typeof run>>;
    },
  };
}
