import type { Leftovers } from './leftovers.ts';

/** Where a command writes and what it reads from the process; tests pass their own. */
export interface Io {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM: commands stop, clean up, then exit 130. */
  readonly signal: AbortSignal;
  /** Filled by commands with what they made and have not undone yet (see leftovers.ts). */
  readonly leftovers?: Leftovers;
}

export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** What a command's action gets: where to write, and how to set the process exit code. */
export interface CommandContext {
  readonly io: Io;
  exit(code: number): void;
}
