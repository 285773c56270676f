/**
 * `zdt verify` as a separate process, as a user runs it, interrupted with SIGINT when its
 * progress reaches a given step: what the interrupt suites drive.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { say } from './hooks.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface Interrupted {
  /** Exit code (130 expected). */
  readonly code: number | null;
  readonly stderr: string;
  /** Milliseconds from the (first) SIGINT to the exit. */
  readonly exitAfterMs: number;
}

/**
 * Runs `zdt verify ARGS`; once a stderr line matches `when`, waits `delayMs`, then sends SIGINT
 * (and, with `twice`, a second SIGINT right after). Rejects if the step never comes.
 */
export function interruptVerify(args: readonly string[], when: RegExp, options: { delayMs?: number; twice?: boolean; timeoutMs?: number } = {}): Promise<Interrupted> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'harness/cli/main.ts', 'verify', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: process.env });
    let stderr = '';
    let sentAt: number | undefined;
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`zdt verify did not reach ${when} and exit in time:\n${stderr.slice(-3000)}`));
    }, options.timeoutMs ?? 400_000);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      for (const line of chunk.split('\n')) if (line.trim()) say(`  zdt: ${line.trimEnd()}`);
      if (sentAt === undefined && when.test(stderr)) {
        sentAt = -1;
        setTimeout(() => {
          sentAt = performance.now();
          child.kill('SIGINT');
          if (options.twice) setTimeout(() => child.kill('SIGINT'), 200);
        }, options.delayMs ?? 0);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(guard);
      if (sentAt === undefined || sentAt < 0) return reject(new Error(`zdt verify exited ${code} before ${when}:\n${stderr.slice(-3000)}`));
      resolve({ code, stderr, exitAfterMs: performance.now() - sentAt });
    });
  });
}
