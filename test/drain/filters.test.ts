import { expect } from 'chai';
import { ErrorCode, isZdtError } from '../../harness/errors.ts';
import { decide, defaultFilters, drainFilteredError, planDrain, type FilterContext } from '../../harness/drain/filters.ts';
import { CLI_DRAIN_FLAGS, LIBRARY_DRAIN_FLAGS } from '../../harness/drain/options.ts';
import { makePod } from '../fakes/kube.ts';

const strict: FilterContext = { ignoreDaemonSets: false, deleteEmptyDirData: false, force: false, optionNames: LIBRARY_DRAIN_FLAGS };
const lenient: FilterContext = { ignoreDaemonSets: true, deleteEmptyDirData: true, force: true, optionNames: LIBRARY_DRAIN_FLAGS };
const node = 'n1';

describe('drain/filters', () => {
  it('evicts controller-managed pods', () => {
    expect(decide(makePod('web', { node }), defaultFilters, strict)).to.include({ action: 'evict', filter: 'default' });
  });

  it('DaemonSet pods: fail unless ignoreDaemonSets, then skip', () => {
    const ds = makePod('ds', { node, owner: 'DaemonSet' });
    expect(decide(ds, defaultFilters, strict)).to.include({ action: 'fail', filter: 'daemonset' });
    expect(decide(ds, defaultFilters, lenient)).to.include({ action: 'skip', filter: 'daemonset' });
  });

  it('a refusal names the option that lets the pod through, as the caller spells it', () => {
    const bare = makePod('legacy', { node, owner: null });
    const cache = makePod('cache', { node, emptyDir: true });
    const cli = { ...strict, optionNames: CLI_DRAIN_FLAGS };
    expect(decide(bare, defaultFilters, strict).reason).to.contain('force: true').and.contain('Deployment');
    expect(decide(bare, defaultFilters, cli).reason).to.contain('--force');
    expect(decide(cache, defaultFilters, strict).reason).to.contain('deleteEmptyDirData: true');
    expect(decide(cache, defaultFilters, cli).reason).to.contain('--delete-emptydir-data').and.not.contain('deleteEmptyDirData');
  });

  it('mirror pods are skipped', () => {
    expect(decide(makePod('static', { node, owner: 'Node', mirror: true }), defaultFilters, strict)).to.include({ action: 'skip', filter: 'mirror' });
  });

  it('emptyDir pods: fail unless deleteEmptyDirData', () => {
    const pod = makePod('cache', { node, emptyDir: true });
    expect(decide(pod, defaultFilters, strict)).to.include({ action: 'fail', filter: 'local-storage' });
    expect(decide(pod, defaultFilters, lenient)).to.include({ action: 'evict', filter: 'local-storage' });
  });

  it('pods without controller: fail unless force', () => {
    const bare = makePod('bare', { node, owner: null });
    expect(decide(bare, defaultFilters, strict)).to.include({ action: 'fail', filter: 'unreplicated' });
    expect(decide(bare, defaultFilters, lenient)).to.include({ action: 'evict', filter: 'unreplicated' });
  });

  it('finished pods are evicted even when bare or using emptyDir', () => {
    for (const phase of ['Succeeded', 'Failed'] as const) {
      const pod = makePod('job', { node, owner: null, emptyDir: true, phase });
      expect(decide(pod, defaultFilters, strict)).to.include({ action: 'evict', filter: 'finished', reason: `finished (${phase})` });
    }
  });

  it('already-terminating pods are waited for, not evicted', () => {
    expect(decide(makePod('going', { node, owner: null, deleting: true }), defaultFilters, strict)).to.include({ action: 'wait', filter: 'terminating' });
  });

  it('planDrain splits pods and a failure becomes ZDT_DRAIN_FILTERED listing pods and reasons', () => {
    const pods = [
      makePod('web', { node }),
      makePod('ds', { node, owner: 'DaemonSet' }),
      makePod('bare1', { node, owner: null }),
      makePod('bare2', { node, owner: null, namespace: 'x' }),
      makePod('going', { node, deleting: true }),
    ];
    const plan = planDrain(pods, defaultFilters, { ...strict, ignoreDaemonSets: true });
    expect(plan.evict.map((p) => p.metadata?.name)).to.deep.equal(['web']);
    expect(plan.wait.map((p) => p.metadata?.name)).to.deep.equal(['going']);
    expect(plan.skipped.map((d) => d.pod.metadata?.name)).to.deep.equal(['ds']);
    expect(plan.failed.map((d) => d.pod.metadata?.name)).to.deep.equal(['bare1', 'bare2']);
    expect(plan.decisions).to.have.length(5);

    const err = drainFilteredError('n1', plan.failed);
    expect(isZdtError(err, ErrorCode.DrainFiltered)).to.equal(true);
    expect(err.message).to.equal(
      'cannot drain node n1: declares no controller, nothing would recreate it: run it from a Deployment or StatefulSet (force: true deletes it for good): default/bare1, x/bare2',
    );
    expect(err.details.pods).to.have.length(2);
  });

  it('filters compose: a custom filter placed first decides first', () => {
    const keep = { name: 'keep-db', check: (p: ReturnType<typeof makePod>) => (p.metadata?.labels?.app === 'db' ? { action: 'skip' as const, reason: 'database' } : undefined) };
    const plan = planDrain([makePod('db-0', { node, labels: { app: 'db' } }), makePod('web', { node })], [keep, ...defaultFilters], strict);
    expect(plan.skipped[0]).to.include({ filter: 'keep-db', reason: 'database' });
    expect(plan.evict.map((p) => p.metadata?.name)).to.deep.equal(['web']);
  });
});
