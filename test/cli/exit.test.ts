import { expect } from 'chai';
import { combineExitCodes, exitCodeForError, exitCodeForReport } from '../../harness/cli/exit.ts';
import { ErrorCode, ZdtError } from '../../harness/errors.ts';
import { report } from './fakes.ts';

describe('exit codes', () => {
  it('could not verify (2) for input and environment errors', () => {
    for (const code of [ErrorCode.Kind, ErrorCode.ClusterNotReady, ErrorCode.InvalidOption, ErrorCode.Manifest, ErrorCode.Service, ErrorCode.AppNotReady, ErrorCode.NotKindCluster, ErrorCode.Timeout, ErrorCode.KubeApi]) {
      expect(exitCodeForError(new ZdtError(code, 'x')), code).to.equal(2);
    }
    expect(exitCodeForError(new Error('bug'))).to.equal(2);
  });

  it('fail (1) when the manifests blocked the maintenance', () => {
    for (const code of [ErrorCode.DrainBlocked, ErrorCode.DrainFiltered, ErrorCode.EvictionMultiplePdbs]) {
      expect(exitCodeForError(new ZdtError(code, 'x')), code).to.equal(1);
    }
  });

  it('matches on code, not class: an error from another copy of zdt maps the same', () => {
    expect(exitCodeForError(Object.assign(new Error('blocked'), { code: 'ZDT_DRAIN_BLOCKED' }))).to.equal(1);
    expect(exitCodeForError({ code: 'ZDT_ABORTED', message: 'aborted' })).to.equal(130);
  });

  it('maps verdicts: pass 0, fail 1, inconclusive 2; a pass without completed maintenance proves nothing', () => {
    expect(exitCodeForReport(report('a', 'pass'))).to.equal(0);
    expect(exitCodeForReport(report('a', 'fail'))).to.equal(1);
    expect(exitCodeForReport(report('a', 'inconclusive'))).to.equal(2);
    expect(exitCodeForReport(report('a', 'pass', false))).to.equal(1);
    expect(exitCodeForReport({ ...report('a', 'pass'), maintenance: null })).to.equal(2);
  });

  it('combines: interrupted, then fail, then could-not-verify, then pass', () => {
    expect(combineExitCodes([0, 0])).to.equal(0);
    expect(combineExitCodes([0, 2, 1])).to.equal(1);
    expect(combineExitCodes([0, 2])).to.equal(2);
    expect(combineExitCodes([1, 130])).to.equal(130);
  });
});
