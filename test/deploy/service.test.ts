import { expect } from 'chai';
import { findServices, MAX_SERVICES } from '../../harness/deploy/service.ts';
import { ErrorCode, isZdtError } from '../../harness/errors.ts';
import { parseManifests } from '../../harness/manifests/load.ts';

const app = (svc: string) =>
  parseManifests(
    `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
${svc}`,
    'app.yaml',
  );
const service = (name: string, selector: string) => `---\napiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: {selector: ${selector}, ports: [{port: 80}]}\n`;
const errorOf = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    expect(isZdtError(err, ErrorCode.Service)).to.equal(true);
    return (err as Error).message;
  }
  throw new Error('expected ZDT_SERVICE');
};

describe('deploy/service', () => {
  const names = (found: { object: { metadata?: { name?: string } } }[]) => found.map((s) => s.object.metadata?.name);

  it('takes every Service that selects a workload, in manifest order, or the named ones', () => {
    expect(names(findServices(app(service('web', '{app: web}'))))).to.deep.equal(['web']);
    const three = app(service('b', '{app: web}') + service('other', '{app: db}') + service('a', '{app: web}'));
    expect(names(findServices(three))).to.deep.equal(['b', 'a']);
    expect(names(findServices(three, ['a']))).to.deep.equal(['a']);
    expect(names(findServices(three, ['a', 'b', 'a']))).to.deep.equal(['a', 'b']);
  });

  it('names the problem: none, unknown, or a selector matching no pod template (with file:line)', () => {
    expect(errorOf(() => findServices(app('')))).to.match(/define no Service/);
    expect(errorOf(() => findServices(app(service('a', '{app: web}')), ['nope']))).to.match(/no Service named nope .*found: a/);
    expect(errorOf(() => findServices(app(service('a', '{app: api}'))))).to.match(/^app\.yaml:\d+: Service a selects \{"app":"api"\}, which matches no pod template/);
    expect(errorOf(() => findServices(app(service('a', '{app: web}') + service('b', '{app: api}')), ['a', 'b']))).to.match(/Service b selects \{"app":"api"\}/);
  });

  it('loads at most MAX_SERVICES, one per published NodePort, and asks for --service beyond', () => {
    const five = app(['a', 'b', 'c', 'd', 'e'].map((n) => service(n, '{app: web}')).join(''));
    expect(MAX_SERVICES).to.equal(4);
    expect(names(findServices(five, ['e', 'a']))).to.deep.equal(['e', 'a']);
    try {
      findServices(five);
      expect.fail('expected ZDT_INVALID_OPTION');
    } catch (err) {
      expect(isZdtError(err, ErrorCode.InvalidOption)).to.equal(true);
      expect((err as Error).message).to.equal('5 Services to load (a, b, c, d, e), and the kind configs publish 4 NodePorts: choose up to 4 with --service a,b');
    }
  });
});
