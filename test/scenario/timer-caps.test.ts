import { expect } from 'chai';
import { MAX_TIMER_MS, resolveDrainOptions } from '../../harness/drain/options.ts';
import { ErrorCode } from '../../harness/errors.ts';
import { resolveScenarioOptions } from '../../harness/scenario/options.ts';

const beyond = (option: string, value: number) => `${option} must be at most 2147483647 (ms, the longest timer Node.js keeps), got ${value}`;

// setTimeout fires after 1 ms when asked to wait longer than 2^31-1 ms, so a longer timeout would end at once.
describe('library timeouts: at most the longest timer Node.js keeps', () => {
  it('drain options: timeoutMs, retryDelayMs and pollIntervalMs up to the cap, refused beyond it naming option and value', () => {
    for (const option of ['timeoutMs', 'retryDelayMs', 'pollIntervalMs'] as const) {
      expect(resolveDrainOptions({ [option]: MAX_TIMER_MS })[option]).to.equal(MAX_TIMER_MS);
      expect(() => resolveDrainOptions({ [option]: MAX_TIMER_MS + 1 }))
        .to.throw(beyond(option, MAX_TIMER_MS + 1))
        .with.property('code', ErrorCode.InvalidOption);
    }
  });

  it('scenario options: warmupMs, settleMs and readyTimeoutMs up to the cap, refused beyond it naming option and value', () => {
    const base = { name: 'drain', manifests: 'x', maintenance: { kind: 'drain' } } as const;
    for (const option of ['warmupMs', 'settleMs', 'readyTimeoutMs'] as const) {
      expect(resolveScenarioOptions({ ...base, [option]: MAX_TIMER_MS })[option]).to.equal(MAX_TIMER_MS);
      expect(() => resolveScenarioOptions({ ...base, [option]: 1e12 }))
        .to.throw(beyond(option, 1e12))
        .with.property('code', ErrorCode.InvalidOption);
    }
  });
});
