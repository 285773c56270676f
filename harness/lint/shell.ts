import { spawnSync } from 'node:child_process';
import { posix } from 'node:path';

/** An exec array's program and arguments, past an `env [NAME=value...]` or `busybox` prefix that runs it. */
export function programOf(command: readonly string[]): { name: string; args: readonly string[] } {
  let i = 0;
  const name = (at: number) => posix.basename(command[at] ?? '');
  if (name(0) === 'env') for (i = 1; /^[A-Za-z_][A-Za-z0-9_]*=/.test(command[i] ?? ''); i++);
  else if (name(0) === 'busybox') i = 1;
  return { name: name(i), args: command.slice(i + 1) };
}

const SHELLS = new Set(['sh', 'ash', 'dash', 'bash', 'ksh', 'mksh', 'zsh']);

export interface ShellScript {
  /** The shell's name, e.g. `sh` for `/bin/sh`. */
  shell: string;
  /** The command string of `-c`; later array items are $0, $1... and never run as code. */
  script: string;
}

/**
 * The script of an exec array that runs a shell with `-c`: `["/bin/sh", "-c", SCRIPT]`,
 * `["bash", "-euo", "pipefail", "-c", SCRIPT]`, `["sh", "-e", "-c", "--", SCRIPT]`. As in
 * sh(1), -c may sit in any option cluster (`-ec`, `-xc`) and the script is the first operand
 * after all options. Undefined for anything else.
 */
export function shellScript(command: readonly string[]): ShellScript | undefined {
  const { name, args } = programOf(command);
  if (!SHELLS.has(name)) return undefined;
  let readsString = false;
  let i = 0;
  for (; i < args.length; i++) {
    const word = args[i] as string;
    if (word === '--') {
      i++;
      break;
    }
    if (!/^(?:--|[-+])[A-Za-z]/.test(word)) break; // the first operand
    if (word.startsWith('--')) continue; // bash's --login, --norc: no argument, no -c
    if (word.startsWith('-') && word.includes('c')) readsString = true;
    // -o / -O take the next word as their argument (`-o pipefail`, `-euo pipefail`).
    if (/[oO]/.test(word)) i++;
  }
  const script = args[i];
  return readsString && script !== undefined ? { shell: name, script } : undefined;
}

/**
 * Which program checks a shell's syntax. The sh family is checked with dash, the /bin/sh of
 * Debian-based images and the strictest common one, falling back to the host's sh; other
 * shells with themselves.
 */
const CHECKERS: Record<string, readonly string[]> = { sh: ['dash', 'sh'], ash: ['dash', 'sh'], dash: ['dash', 'sh'] };

const CHECK_TIMEOUT_MS = 2_000;
const verdicts = new Map<string, string | undefined>();

/**
 * The shell's own complaint when `script` does not parse (`sh -n`, which reads without
 * running anything), else undefined. Also undefined when no checker for that shell is
 * installed or it does not answer in time: lint cannot tell, so it does not claim a fault.
 * Cached, so each distinct script spawns one shell per run.
 */
export function shellSyntaxError({ shell, script }: ShellScript): string | undefined {
  const key = `${shell}\0${script}`;
  if (verdicts.has(key)) return verdicts.get(key);
  let verdict: string | undefined;
  for (const checker of CHECKERS[shell] ?? [shell]) {
    const run = spawnSync(checker, ['-n'], { input: script, encoding: 'utf8', timeout: CHECK_TIMEOUT_MS });
    if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') continue;
    if (!run.error && run.status !== 0 && run.status !== null) {
      verdict = run.stderr.trim().split(/\s*\n\s*/).join(' / ') || `${checker} -n exited ${run.status}`;
    }
    break;
  }
  verdicts.set(key, verdict);
  return verdict;
}

/**
 * The script without `#` comments (a `#` that starts a word, outside quotes), so
 * commented-out text is not read as something the script does.
 */
export function withoutComments(script: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < script.length; i++) {
    const ch = script[i] as string;
    if (ch === '\\' && quote !== "'") {
      out += script.slice(i, i + 2);
      i++;
    } else if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '#' && (i === 0 || /[\s;&|()]/.test(script[i - 1] as string))) {
      while (i + 1 < script.length && script[i + 1] !== '\n') i++;
    } else {
      out += ch;
    }
  }
  return out;
}
