/**
 * `zdt verify` as a separate process, as a user runs it: started, watched until its progress
 * reaches a step, interrupted with SIGINT. What the interrupt and two-run suites drive.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { say } from './hooks.ts';
import { onNodePortUnlessChosen } from './cli.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface Exited {
  readonly code: number | null;
  readonly stderr: string;
}

export interface VerifyProcess {
  /** Resolves once a stderr line matches; rejects if the process exits first. */
  reached(step: RegExp): Promise<void>;
  signal(sig: NodeJS.Signals): void;
  readonly exited: Promise<Exited>;
}

/** Starts `zdt verify ARGS` (on the NodePort path unless ARGS choose, as attachedCli's); `viaShell` starts it from a shell, so it is not this process's child (signals then reach the shell). */
export function runVerify(args: readonly string[], options: { viaShell?: boolean; timeoutMs?: number } = {}): VerifyProcess {
  const argv = [process.execPath, '--import', 'tsx', 'harness/cli/main.ts', 'verify', ...onNodePortUnlessChosen(args)];
  const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  // A command after zdt keeps the shell from exec'ing it, so zdt's parent is the shell, not us.
  const child = options.viaShell
    ? spawn('sh', ['-c', `${quoted}; status=$?; exit $status`], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(argv[0]!, argv.slice(1), { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const waiting: { step: RegExp; resolve: () => void }[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const line of chunk.split('\n')) if (line.trim()) say(`  zdt[${child.pid}]: ${line.trimEnd()}`);
    for (const w of [...waiting]) {
      if (!w.step.test(stderr)) continue;
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
  });
  const exited = new Promise<Exited>((resolve, reject) => {
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`zdt verify did not exit in time:\n${stderr.slice(-3000)}`));
    }, options.timeoutMs ?? 400_000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stderr });
    });
  });
  return {
    exited,
    signal: (sig) => child.kill(sig),
    reached: (step) =>
      new Promise<void>((resolve, reject) => {
        if (step.test(stderr)) return resolve();
        waiting.push({ step, resolve });
        void exited.then((e) => reject(new Error(`zdt verify exited ${e.code} before ${step}:\n${e.stderr.slice(-3000)}`)));
      }),
  };
}

export interface Interrupted extends Exited {
  /** Milliseconds from the (first) SIGINT to the exit. */
  readonly exitAfterMs: number;
}

/**
 * Runs `zdt verify ARGS`; once it reaches `when`, waits `delayMs`, then sends SIGINT (and, with
 * `twice`, a second SIGINT 20 ms later, while the first one's cleanup is under way).
 */
export async function interruptVerify(args: readonly string[], when: RegExp, options: { delayMs?: number; twice?: boolean } = {}): Promise<Interrupted> {
  const run = runVerify(args);
  await run.reached(when);
  await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 0));
  const sentAt = performance.now();
  run.signal('SIGINT');
  if (options.twice) setTimeout(() => run.signal('SIGINT'), 20);
  const exited = await run.exited;
  return { ...exited, exitAfterMs: performance.now() - sentAt };
}
