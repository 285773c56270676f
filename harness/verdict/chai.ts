import { ErrorCode, ZdtError } from '../errors.ts';
import { formatReport, seconds } from './format.ts';
import { REPORT_SCHEMA, type Report } from './report.ts';

declare global {
  namespace Chai {
    interface Assertion {
      /** None of the requests failed and the run was conclusive; the failure message is the formatted report. */
      zeroFailedRequests(): Assertion;
      /** At least one request failed (for suites proving a broken manifest is caught). */
      failedRequests(): Assertion;
      /** The Service never had fewer than `n` ready endpoints while load ran. */
      minReadyEndpointsAtLeast(n: number): Assertion;
      /** At least one eviction was refused with 429 (a PodDisruptionBudget held the drain). */
      evictionRefusals(): Assertion;
    }
  }
}

/*
 * The slice of chai's plugin API used here, typed locally so this module does not depend on
 * chai's type package; chai's own ChaiStatic/ChaiUtils satisfy it, so `use(zdtChai)` type-checks.
 */
interface PluginAssertion {
  assert(expression: boolean, message: string, negatedMessage: string): void;
}
interface PluginChai {
  Assertion: { addMethod(name: string, method: (this: PluginAssertion, ...args: any[]) => void): void };
  AssertionError: new (message: string) => Error;
}
interface PluginUtils {
  flag(assertion: object, key: string): unknown;
}

/** `use(zdtChai)`, then `expect(report).to.have.zeroFailedRequests()`. */
export function zdtChai(chai: PluginChai, utils: PluginUtils): void {
  const subject = (assertion: PluginAssertion, name: string): { report: Report; negated: boolean } => {
    const value = utils.flag(assertion, 'object');
    if (!isReport(value)) {
      throw new chai.AssertionError(`${name}() expects a zdt Report from buildReport(), got ${describe(value)}`);
    }
    return { report: value, negated: utils.flag(assertion, 'negate') === true };
  };
  /** Negating these would hide the report a reader needs; each names the assertion to use instead. */
  const rejectNegation = (negated: boolean, name: string, instead: string) => {
    if (negated) throw new ZdtError(ErrorCode.InvalidOption, `.not.${name}() is not supported: use .${instead}() instead`);
  };

  chai.Assertion.addMethod('zeroFailedRequests', function (this: PluginAssertion) {
    const { report, negated } = subject(this, 'zeroFailedRequests');
    rejectNegation(negated, 'zeroFailedRequests', 'failedRequests');
    const { sent, failed } = report.totals;
    // An inconclusive run (nothing sent, generator behind) must not read as green.
    const why = failed > 0 ? `${failed} of ${sent} requests failed` : `the run is inconclusive: ${report.problems.join('; ')}`;
    this.assert(failed === 0 && report.verdict !== 'inconclusive', `expected zero failed requests, but ${why}\n${formatReport(report)}`, '');
  });

  chai.Assertion.addMethod('failedRequests', function (this: PluginAssertion) {
    const { report, negated } = subject(this, 'failedRequests');
    rejectNegation(negated, 'failedRequests', 'zeroFailedRequests');
    this.assert(
      report.totals.failed > 0,
      `expected at least one failed request, but all ${report.totals.sent} requests succeeded\n${formatReport(report)}`,
      '',
    );
  });

  chai.Assertion.addMethod('minReadyEndpointsAtLeast', function (this: PluginAssertion, n: unknown) {
    const { report } = subject(this, 'minReadyEndpointsAtLeast');
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
      throw new ZdtError(ErrorCode.InvalidOption, `minReadyEndpointsAtLeast(n) needs an integer n >= 0, got ${String(n)}`);
    }
    const { min, minAtMs } = report.readyEndpoints;
    // Without data neither the assertion nor its negation is proven.
    if (min === null) throw new chai.AssertionError(`expected ready-endpoint data for ${report.scenario}, but none was observed`);
    const seen = `the minimum was ${min} at ${seconds(minAtMs!)}`;
    this.assert(
      min >= n,
      `expected at least ${n} ready endpoints while load ran, but ${seen}\n${formatReport(report)}`,
      `expected fewer than ${n} ready endpoints at some point while load ran, but ${seen}`,
    );
  });

  chai.Assertion.addMethod('evictionRefusals', function (this: PluginAssertion) {
    const { report } = subject(this, 'evictionRefusals');
    const refused = report.timeline.filter((e) => e.kind === 'eviction-refused');
    const accepted = report.timeline.filter((e) => e.kind === 'eviction-accepted').length;
    const first = refused[0];
    this.assert(
      refused.length > 0,
      `expected at least one eviction refused with 429, but none was (${accepted} accepted)`,
      `expected no eviction refused with 429, but ${refused.length} ${refused.length === 1 ? 'was' : 'were'}` +
        (first ? `, first at ${seconds(first.t)} for ${first.subject}${first.detail ? ` (${first.detail})` : ''}` : ''),
    );
  });
}

function isReport(value: unknown): value is Report {
  return typeof value === 'object' && value !== null && (value as { schema?: unknown }).schema === REPORT_SCHEMA;
}

function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  const keys = Object.keys(value).slice(0, 5);
  return `an object with keys ${keys.length ? keys.join(', ') : '(none)'}`;
}
