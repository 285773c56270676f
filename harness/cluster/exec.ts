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
}

/** Runs a command to completion; a non-zero exit rejects with the tail of its output. */
export function execFile(file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const code = options.code ?? ErrorCode.Kind;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], signal: options.signal });
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
      } else if (err.name === 'AbortError') {
        reject(new ZdtError(ErrorCode.Aborted, `${file} ${args[0] ?? ''} aborted`, { cause: err }));
      } else reject(new ZdtError(code, `${file} failed to start: ${err.message}`, { cause: err }));
    });
    child.on('close', (exit) => {
      if (exit === 0) return resolve({ stdout, stderr });
      const tail = (stderr || stdout).trim().split('\n').slice(-15).join('\n');
      reject(new ZdtError(code, `${file} ${args.join(' ')} exited with ${exit}:\n${tail}`, { details: { exit, args } }));
    });
    child.stdin.end(options.input ?? '');
  });
}
