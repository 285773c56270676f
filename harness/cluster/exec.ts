import { spawn } from 'node:child_process';
import { ErrorCode, type ErrorCodeValue, ZdtError } from '../errors.ts';

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
}

export interface ExecOptions {
  readonly signal?: AbortSignal;
  readonly input?: string;
  /** Each line of stderr/stdout as it arrives (progress for long commands such as kind create). */
  readonly onLine?: (line: string) => void;
  /** Error code when the command fails. */
  readonly code?: ErrorCodeValue;
  /** What to tell the user when the binary is missing. */
  readonly missingHint?: string;
  /**
   * Run in a process group of its own and, on abort, stop the whole group: `kind create`'s own
   * `docker run` would otherwise outlive it and make a node after the cluster was deleted.
   */
  readonly processGroup?: boolean;
}

/** After SIGTERM, how long an aborted command has to exit before SIGKILL. */
const ABORT_GRACE_MS = 5000;

/**
 * Runs a command to completion; a non-zero exit rejects with the tail of its output. An abort
 * rejects with ZDT_ABORTED once the command (with processGroup, everything it started) has exited.
 */
export function execFile(file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const code = options.code ?? ErrorCode.Kind;
  const aborted = () => new ZdtError(ErrorCode.Aborted, `${file} ${args[0] ?? ''} aborted`);
  if (options.signal?.aborted) return Promise.reject(aborted());
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: options.processGroup === true });
    const kill = (sig: NodeJS.Signals) => {
      try {
        if (options.processGroup && child.pid !== undefined) process.kill(-child.pid, sig);
        else child.kill(sig);
      } catch {
        // Already gone.
      }
    };
    let forceKill: NodeJS.Timeout | undefined;
    const onAbort = () => {
      kill('SIGTERM');
      forceKill = setTimeout(() => kill('SIGKILL'), ABORT_GRACE_MS);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // Out of the terminal's process group, it would not see the Ctrl-C that ends zdt at once.
    const onExit = () => kill('SIGKILL');
    if (options.processGroup) process.once('exit', onExit);
    let stdout = '';
    let stderr = '';
    let partial = '';
    const feed = (chunk: string) => {
      if (!options.onLine) return;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) options.onLine(l);
    };
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      feed(c);
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      feed(c);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') {
        reject(new ZdtError(code, `${file} not found${options.missingHint ? `: ${options.missingHint}` : ''}`, { cause: err }));
      } else reject(new ZdtError(code, `${file} failed to start: ${err.message}`, { cause: err }));
    });
    child.on('close', (exit) => {
      options.signal?.removeEventListener('abort', onAbort);
      process.removeListener('exit', onExit);
      clearTimeout(forceKill);
      if (options.signal?.aborted) {
        // The group may outlive its leader for a moment: whatever is left goes with it.
        if (options.processGroup) kill('SIGKILL');
        return reject(aborted());
      }
      if (exit === 0) return resolve({ stdout, stderr });
      const tail = (stderr || stdout).trim().split('\n').slice(-15).join('\n');
      reject(new ZdtError(code, `${file} ${args.join(' ')} exited with ${exit}:\n${tail}`, { details: { exit, args } }));
    });
    child.stdin.end(options.input ?? '');
  });
}
