import { ErrorCode, ZdtError } from '../errors.ts';

/**
 * How much unavailability a run may show and still pass: a drain or a rollout is voluntary, so
 * it gets none (the default); a crashed node cannot be drained first, so a team states what its
 * availability target allows, as `--max-failed` and `--max-outage`.
 */
export interface AvailabilityBudget {
  /** Failed requests allowed: a count, or a percent of those sent. Default 0. */
  readonly maxFailed?: { readonly count: number } | { readonly percent: number };
  /** Longest stretch without a successful response allowed (Report.longestGap), in ms. Default: not judged. */
  readonly maxOutageMs?: number;
}

/** The budget as a report states it: "--max-failed 1%", "--max-outage 5000 ms"; null fields were not given. */
export interface BudgetStatement {
  /** "0" (the default), "12" or "1.5%". */
  readonly maxFailed: string;
  readonly maxOutageMs: number | null;
}

/**
 * `--max-failed` as typed: a whole number of requests ("12") or a percent of those sent
 * ("1.5%"). Throws ZDT_INVALID_OPTION naming the value.
 */
export function parseMaxFailed(value: string): NonNullable<AvailabilityBudget['maxFailed']> {
  const text = value.trim();
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent) {
    const n = Number(percent[1]);
    if (n <= 100) return { percent: n };
  } else if (/^\d+$/.test(text)) {
    return { count: Number(text) };
  }
  throw new ZdtError(ErrorCode.InvalidOption, `--max-failed takes a number of requests (12) or a percent of those sent (0.5%), got "${value}"`, { details: { option: 'maxFailed', value } });
}

/** Checks the budget's values early; throws ZDT_INVALID_OPTION naming the bad one. */
export function checkBudget(budget: AvailabilityBudget | undefined): void {
  const m = budget?.maxFailed;
  const bad = (option: string, value: unknown, rule: string) =>
    new ZdtError(ErrorCode.InvalidOption, `budget ${option} ${rule}, got ${JSON.stringify(value)}`, { details: { option, value } });
  if (m && 'count' in m && !(Number.isInteger(m.count) && m.count >= 0)) throw bad('maxFailed.count', m.count, 'must be a whole number >= 0');
  if (m && 'percent' in m && !(m.percent >= 0 && m.percent <= 100)) throw bad('maxFailed.percent', m.percent, 'must be 0-100');
  const o = budget?.maxOutageMs;
  if (o !== undefined && !(Number.isFinite(o) && o >= 0)) throw bad('maxOutageMs', o, 'must be a number of ms >= 0');
}

export function stateBudget(budget: AvailabilityBudget | undefined): BudgetStatement {
  const m = budget?.maxFailed;
  return { maxFailed: !m ? '0' : 'count' in m ? String(m.count) : `${m.percent}%`, maxOutageMs: budget?.maxOutageMs ?? null };
}

/**
 * The sentences that fail a run against its budget (empty: within it). `failedNote` names the
 * Services the failures were on, when there are several.
 */
export function overBudget(budget: AvailabilityBudget | undefined, failed: number, sent: number, longestOutageMs: number | null, failedNote = ''): string[] {
  const problems: string[] = [];
  const m = budget?.maxFailed;
  const allowed = !m ? 0 : 'count' in m ? m.count : (m.percent / 100) * sent;
  const stated = stateBudget(budget).maxFailed;
  if (failed > allowed) problems.push(`${failed} of ${sent} requests failed${failedNote}${m ? `, over --max-failed ${stated}` : ''}`);
  const maxOutage = budget?.maxOutageMs;
  if (maxOutage !== undefined && longestOutageMs !== null && longestOutageMs > maxOutage) {
    problems.push(`${Math.round(longestOutageMs)} ms without a successful response, over --max-outage ${maxOutage} ms`);
  }
  return problems;
}
