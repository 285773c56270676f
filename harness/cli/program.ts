import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { ExitCode } from './exit.ts';
import type { Io } from './io.ts';
import { registerK6 } from './k6.ts';
import { registerLint } from './lint.ts';
import type { VerifyDeps } from './session.ts';
import { registerVerify } from './verify.ts';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * Parses `argv` (the arguments after `zdt`), runs the command and resolves to the exit code;
 * never exits the process, so tests run it in-process with their own Io and VerifyDeps.
 */
export async function runCli(argv: readonly string[], io: Io, deps?: VerifyDeps): Promise<number> {
  let code: number = ExitCode.Pass;
  const ctx = { io, exit: (c: number) => void (code = c) };
  const program = new Command('zdt')
    .description('prove Kubernetes manifests survive node maintenance without dropping a request')
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run zdt <command> --help for usage)');
  registerVerify(program, ctx, deps);
  registerLint(program, ctx);
  registerK6(program, ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    // exitOverride turns commander's exits into errors: help/version exit 0, a usage error is bad input.
    const exitCode = (err as { code?: unknown; exitCode?: unknown }).code;
    if (typeof exitCode === 'string' && exitCode.startsWith('commander.')) return (err as { exitCode: number }).exitCode === 0 ? ExitCode.Pass : ExitCode.CouldNotVerify;
    throw err;
  }
  return code;
}
