import { expect } from 'chai';
import { matchesSelector, matchesServiceSelector } from '../../harness/manifests/select.ts';

describe('manifests/select', () => {
  const labels = { app: 'web', tier: 'front' };

  it('matchLabels needs every pair; an empty selector matches everything', () => {
    expect(matchesSelector(labels, { matchLabels: { app: 'web' } })).to.equal(true);
    expect(matchesSelector(labels, { matchLabels: { app: 'web', tier: 'back' } })).to.equal(false);
    expect(matchesSelector(undefined, { matchLabels: { app: 'web' } })).to.equal(false);
    expect(matchesSelector(labels, {})).to.equal(true);
  });

  it('matchExpressions follow In/NotIn/Exists/DoesNotExist semantics, ANDed with matchLabels', () => {
    const expr = (operator: string, key = 'tier', values?: string[]) => ({ matchExpressions: [{ key, operator, values }] });
    expect(matchesSelector(labels, expr('In', 'tier', ['front', 'edge']))).to.equal(true);
    expect(matchesSelector(labels, expr('In', 'tier', ['back']))).to.equal(false);
    expect(matchesSelector(labels, expr('In', 'zone', ['a']))).to.equal(false);
    expect(matchesSelector(labels, expr('NotIn', 'tier', ['back']))).to.equal(true);
    expect(matchesSelector(labels, expr('NotIn', 'tier', ['front']))).to.equal(false);
    // NotIn matches objects lacking the key, as in Kubernetes.
    expect(matchesSelector(labels, expr('NotIn', 'zone', ['a']))).to.equal(true);
    expect(matchesSelector(labels, expr('Exists'))).to.equal(true);
    expect(matchesSelector(labels, expr('Exists', 'zone'))).to.equal(false);
    expect(matchesSelector(labels, expr('DoesNotExist', 'zone'))).to.equal(true);
    expect(matchesSelector(labels, expr('DoesNotExist'))).to.equal(false);
    expect(matchesSelector(labels, { matchLabels: { app: 'api' }, ...expr('Exists') })).to.equal(false);
  });

  it('an unknown operator matches nothing', () => {
    expect(matchesSelector(labels, { matchExpressions: [{ key: 'app', operator: 'Gt', values: ['1'] }] })).to.equal(false);
  });

  it('a Service selector matches on every pair, and an absent or empty one selects no pods', () => {
    expect(matchesServiceSelector(labels, { app: 'web' })).to.equal(true);
    expect(matchesServiceSelector(labels, { app: 'web', tier: 'back' })).to.equal(false);
    expect(matchesServiceSelector(labels, {})).to.equal(false);
    expect(matchesServiceSelector(labels, undefined)).to.equal(false);
  });
});
