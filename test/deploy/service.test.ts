import { expect } from 'chai';
import { findService } from '../../harness/deploy/service.ts';
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
  it('takes the only Service, or the named one', () => {
    expect(findService(app(service('web', '{app: web}'))).object.metadata?.name).to.equal('web');
    expect(findService(app(service('a', '{app: web}') + service('b', '{app: web}')), 'b').object.metadata?.name).to.equal('b');
  });

  it('names the problem: none, several, unknown, or a selector matching no pod template (with file:line)', () => {
    expect(errorOf(() => findService(app('')))).to.match(/define no Service/);
    expect(errorOf(() => findService(app(service('a', '{app: web}') + service('b', '{app: web}'))))).to.match(/2 Services \(a, b\): choose one with --service/);
    expect(errorOf(() => findService(app(service('a', '{app: web}')), 'nope'))).to.match(/no Service named nope .*found: a/);
    expect(errorOf(() => findService(app(service('a', '{app: api}'))))).to.match(/^app\.yaml:\d+: Service a selects \{"app":"api"\}, which matches no pod template/);
  });
});
