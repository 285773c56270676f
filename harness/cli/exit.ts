import { ErrorCode, isZdtError, type ErrorCodeValue } from '../errors.ts';
import type { Io } from './io.ts';
import type { Report } from '../verdict/report.ts';

export const ExitCode = {
  /** Every scenario passed and its maintenance completed (zdt lint: no error finding). */
  Pass: 0,
  /** Requests failed or maintenance was blocked (zdt lint: an error finding). */
  Fail: 1,
  /** Nothing proven: bad input, environment trouble, or an inconclusive run. */
  CouldNotVerify: 2,
  /** Interrupted by SIGINT/SIGTERM (128 + SIGINT, as shells report it). */
  Interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Errors that mean the manifests kept the maintenance from finishing: a finding about them, not about the environment. */
const BLOCKED: readonly ErrorCodeValue[] = [ErrorCode.DrainBlocked, ErrorCode.DrainFiltered, ErrorCode.EvictionMultiplePdbs];

/** By `code`, never instanceof: the error may come from another copy of zdt. Anything unknown could not verify. */
export function exitCodeForError(err: unknown): ExitCodeValue {
  if (isZdtError(err, ErrorCode.Aborted)) return ExitCode.Interrupted;
  if (isZdtError(err) && BLOCKED.includes(err.code)) return ExitCode.Fail;
  return ExitCode.CouldNotVerify;
}

/** A failed report decides the run; a pass counts only with maintenance recorded as completed. */
export function exitCodeForReport(report: Report): ExitCodeValue {
  if (report.verdict === 'fail') return ExitCode.Fail;
  if (report.verdict === 'pass' && report.maintenance?.completed === true) return ExitCode.Pass;
  return ExitCode.CouldNotVerify;
}

/** Why a report did not yield exit 0, one line ("" when it did). */
export function reportReason(report: Report): string {
  if (report.problems.length > 0) return report.problems.join('; ');
  return exitCodeForReport(report) === ExitCode.Pass ? '' : 'the maintenance outcome was not recorded, so nothing was proven';
}

/** Several outcomes: an interrupt wins, then a failure (the manifests are unsafe), then could-not-verify. */
export function combineExitCodes(codes: readonly ExitCodeValue[]): ExitCodeValue {
  for (const code of [ExitCode.Interrupted, ExitCode.Fail, ExitCode.CouldNotVerify] as const) {
    if (codes.includes(code)) return code;
  }
  return ExitCode.Pass;
}

/** Prints why the command could not finish (stack only for errors that are not zdt's) and returns the exit code. */
export function reportError(io: Io, err: unknown): ExitCodeValue {
  const code = exitCodeForError(err);
  if (code === ExitCode.Interrupted) io.stderr.write('zdt: interrupted\n');
  else if (isZdtError(err)) io.stderr.write(`zdt: ${err.message} [${err.code}]\n`);
  else io.stderr.write(`zdt: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return code;
}
