import { ErrorCode, ZdtError } from '../errors.ts';

/**
 * The HTTP statuses a run expects: any other status is a failed request. Written as in
 * `zdt verify --expect-status`: "200-399" (the default) or a comma list such as "200,204,301-308".
 * Plain data, so it can travel in a RequestLog and be printed.
 */
export interface ExpectedStatuses {
  /** Canonical form: ranges sorted and merged, e.g. "200-204,301-308". */
  readonly spec: string;
  /** Inclusive [low, high] pairs, sorted, not overlapping or adjacent. */
  readonly ranges: readonly (readonly [number, number])[];
}

const STATUS = /^([1-5]\d\d)(?:-([1-5]\d\d))?$/;

/**
 * Parses and validates an expected-status list; throws ZDT_INVALID_OPTION naming `option` and
 * the bad element, e.g. `invalid --expect-status: "200,2x" ("2x" is not a status 100-599 or a range like 200-399)`.
 */
export function parseExpectStatus(spec: string, option = 'expectStatus'): ExpectedStatuses {
  const fail = (why: string) =>
    new ZdtError(ErrorCode.InvalidOption, `invalid ${option}: ${JSON.stringify(spec)} (${why})`, { details: { option, value: spec } });
  if (typeof spec !== 'string') throw fail('must be a string such as "200-399" or "200,204,301-308"');
  const ranges: [number, number][] = [];
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    const m = STATUS.exec(part);
    if (!m) throw fail(`${JSON.stringify(part)} is not a status 100-599 or a range like 200-399`);
    const low = Number(m[1]);
    const high = m[2] === undefined ? low : Number(m[2]);
    if (high < low) throw fail(`${JSON.stringify(part)} is a range whose end is below its start`);
    ranges.push([low, high]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged.at(-1);
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push(r);
  }
  return { spec: merged.map(([l, h]) => (l === h ? String(l) : `${l}-${h}`)).join(','), ranges: merged };
}

/** 2xx and 3xx: a redirect is the application's answer; 4xx and 5xx are failures. */
export const DEFAULT_EXPECT_STATUS: ExpectedStatuses = parseExpectStatus('200-399');

export function isExpectedStatus(status: number, expected: ExpectedStatuses): boolean {
  for (const [low, high] of expected.ranges) if (status >= low && status <= high) return true;
  return false;
}
