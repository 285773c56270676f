import { expect } from 'chai';
import { ErrorCode, isZdtError } from '../../harness/errors.ts';
import { DEFAULT_NEW_NODE_TAINT_KEY, resolveDrainOptions, resolveReplaceOptions } from '../../harness/drain/options.ts';

function invalidMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(isZdtError(err, ErrorCode.InvalidOption), String(err)).to.equal(true);
    return (err as Error).message;
  }
  throw new Error('expected ZDT_INVALID_OPTION');
}

describe('drain/options', () => {
  it('resolves kubectl-like defaults in one place', () => {
    expect(resolveDrainOptions()).to.deep.include({
      timeoutMs: 120_000,
      retryDelayMs: 5_000,
      pollIntervalMs: 1_000,
      gracePeriodSeconds: undefined,
      ignoreDaemonSets: true,
      deleteEmptyDirData: false,
      force: false,
      keepCordoned: false,
    });
    expect(resolveReplaceOptions().newNodeTaintKey).to.equal(DEFAULT_NEW_NODE_TAINT_KEY);
  });

  it('keeps given values', () => {
    const o = resolveDrainOptions({ timeoutMs: 5, retryDelayMs: 1, gracePeriodSeconds: 0, force: true });
    expect(o).to.deep.include({ timeoutMs: 5, retryDelayMs: 1, gracePeriodSeconds: 0, force: true });
  });

  it('rejects bad values naming the option and the value', () => {
    expect(invalidMessage(() => resolveDrainOptions({ retryDelayMs: 0 }))).to.equal('retryDelayMs must be > 0, got 0');
    expect(invalidMessage(() => resolveDrainOptions({ retryDelayMs: -5 }))).to.equal('retryDelayMs must be > 0, got -5');
    expect(invalidMessage(() => resolveDrainOptions({ timeoutMs: Number.NaN }))).to.equal('timeoutMs must be > 0, got null');
    expect(invalidMessage(() => resolveDrainOptions({ pollIntervalMs: 0 }))).to.equal('pollIntervalMs must be > 0, got 0');
    expect(invalidMessage(() => resolveDrainOptions({ gracePeriodSeconds: 1.5 }))).to.equal('gracePeriodSeconds must be an integer >= 0, got 1.5');
    expect(invalidMessage(() => resolveDrainOptions({ force: 'yes' as unknown as boolean }))).to.equal('force must be a boolean, got "yes"');
    expect(invalidMessage(() => resolveReplaceOptions({ newNodeTaintKey: '' }))).to.equal('newNodeTaintKey must be a non-empty string, got ""');
  });
});
