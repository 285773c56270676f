import { expect } from 'chai';
import { applyManifests } from '../../harness/deploy/apply.ts';
import { exposeService } from '../../harness/deploy/expose.ts';
import { deploymentProblem } from '../../harness/deploy/wait.ts';
import { ErrorCode } from '../../harness/errors.ts';
import type { Service } from '../../harness/kube/types.ts';
import { parseManifests } from '../../harness/manifests/load.ts';
import { FakeKubeApi, rejection } from '../fakes/kube.ts';

describe('deploy/apply, expose, wait', () => {
  it('applies every object into the run namespace, whatever namespace the file names', async () => {
    const api = new FakeKubeApi();
    await applyManifests(api, parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: prod}\n', 'c.yaml'), 'zdt-run');
    expect(api.peek({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'zdt-run', name: 'c' })).to.not.equal(undefined);
    expect(api.peek({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'prod', name: 'c' })).to.equal(undefined);
  });

  it('refuses cluster-scoped objects and names file:line of an object the server rejects', async () => {
    const api = new FakeKubeApi();
    const scoped = await rejection(applyManifests(api, parseManifests('apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n', 'ns.yaml'), 'zdt-run'));
    expect([scoped.code, scoped.message]).to.deep.equal([ErrorCode.Manifest, 'ns.yaml:1: Namespace/x is cluster-scoped; zdt deploys into a namespace of its own per run, so remove it from the directory']);
    api.failNext('apply', { status: 422, reason: 'Invalid', message: 'spec.replicas: Invalid value: -1' });
    const rejected = await rejection(applyManifests(api, parseManifests('---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n', 'c.yaml'), 'zdt-run'));
    expect(rejected.message).to.equal('c.yaml:2: ConfigMap/c was rejected by the API server: spec.replicas: Invalid value: -1');
  });

  it("uses a NodePort Service on the published port as it is, and otherwise adds one beside it with the same routing", async () => {
    const api = new FakeKubeApi();
    const nodePort: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30080 }] } };
    expect(await exposeService(api, 'ns', nodePort, 30080)).to.deep.equal({ service: 'web', created: false });
    const clusterIp: Service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 8080, targetPort: 'http' }], sessionAffinity: 'ClientIP', internalTrafficPolicy: 'Local' },
    };
    expect(await exposeService(api, 'ns', clusterIp, 30080)).to.deep.equal({ service: 'web-zdt-nodeport', created: true });
    const made = api.peek<Service>({ apiVersion: 'v1', kind: 'Service', namespace: 'ns', name: 'web-zdt-nodeport' })!;
    expect(made.spec).to.deep.equal({
      sessionAffinity: 'ClientIP',
      internalTrafficPolicy: 'Local',
      type: 'NodePort',
      selector: { app: 'web' },
      ports: [{ name: 'http', protocol: 'TCP', port: 8080, targetPort: 'http', nodePort: 30080 }],
    });
  });

  it('says why a Deployment is not available yet', () => {
    const d = (status: object, generation = 1) => ({ metadata: { generation }, spec: { replicas: 2 }, status: { observedGeneration: 1, ...status } });
    expect(deploymentProblem(d({}, 2))).to.equal('rollout not observed yet');
    expect(deploymentProblem(d({ updatedReplicas: 1 }))).to.equal('1/2 replicas updated');
    expect(deploymentProblem(d({ updatedReplicas: 2, replicas: 3 }))).to.equal('1 old replica(s) still terminating');
    expect(deploymentProblem(d({ updatedReplicas: 2, replicas: 2, availableReplicas: 1 }))).to.equal('1/2 replicas available');
    expect(deploymentProblem(d({ updatedReplicas: 2, replicas: 2, availableReplicas: 2 }))).to.equal(undefined);
  });
});
