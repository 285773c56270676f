import { expect } from 'chai';
import { applyManifests } from '../../harness/deploy/apply.ts';
import { exposeService, selectPort } from '../../harness/deploy/expose.ts';
import { ErrorCode, isZdtError } from '../../harness/errors.ts';
import type { KubeObject, Service } from '../../harness/kube/types.ts';
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

  it('applies what workloads refer to first (file order within a kind, unknown kinds last) and returns the objects whose namespace it replaced', async () => {
    const api = new FakeKubeApi();
    const text = [
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: prod}\n',
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n',
      'apiVersion: v1\nkind: Service\nmetadata: {name: web}\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: zdt-run}\n',
      'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: prod}\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n',
    ].join('---\n');
    const { applied, remapped } = await applyManifests(api, parseManifests(text, 'app.yaml'), 'zdt-run');
    const order = ['ServiceAccount/web', 'ConfigMap/b', 'ConfigMap/a', 'Service/web', 'Deployment/web', 'Widget/w'];
    expect(api.calls.filter((c) => c.verb === 'apply').map((c) => `${(c.body as KubeObject).kind}/${(c.body as KubeObject).metadata?.name}`)).to.deep.equal(order);
    expect(applied.map((o) => `${o.kind}/${o.metadata?.name} ${o.metadata?.namespace}`)).to.deep.equal(order.map((o) => `${o} zdt-run`));
    expect(remapped).to.deep.equal([
      { file: 'app.yaml', line: 1, kind: 'Deployment', name: 'web', namespace: 'prod' },
      { file: 'app.yaml', line: 17, kind: 'ServiceAccount', name: 'web', namespace: 'prod' },
    ]);
  });

  it('refuses, before applying anything, objects that differ only in namespace (the run has one)', async () => {
    const api = new FakeKubeApi();
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: prod}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n';
    const err = await rejection(applyManifests(api, parseManifests(text, 'c.yaml'), 'zdt-run'));
    expect([err.code, err.message]).to.deep.equal([
      ErrorCode.Manifest,
      "c.yaml:9: ConfigMap/c (no namespace) would be one object in the run's namespace with c.yaml:5 (namespace prod): verify one namespace's objects at a time",
    ]);
    expect(api.calls.filter((c) => c.verb === 'apply')).to.deep.equal([]);
  });

  it("uses a NodePort Service on the published port as it is, and otherwise adds one beside it with the same routing", async () => {
    const api = new FakeKubeApi();
    const nodePort: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30080 }] } };
    expect(await exposeService(api, 'ns', nodePort, { nodePort: 30080 })).to.deep.equal({ service: 'web', created: false, nodePort: 30080 });
    const clusterIp: Service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 8080, targetPort: 'http' }], sessionAffinity: 'ClientIP', internalTrafficPolicy: 'Local' },
    };
    expect(await exposeService(api, 'ns', clusterIp, { nodePort: 30080 })).to.deep.equal({ service: 'web-zdt-nodeport', created: true, nodePort: 30080 });
    const made = api.peek<Service>({ apiVersion: 'v1', kind: 'Service', namespace: 'ns', name: 'web-zdt-nodeport' })!;
    expect(made.spec).to.deep.equal({
      sessionAffinity: 'ClientIP',
      internalTrafficPolicy: 'Local',
      type: 'NodePort',
      selector: { app: 'web' },
      ports: [{ name: 'http', protocol: 'TCP', port: 8080, targetPort: 'http', nodePort: 30080 }],
    });
  });

  it('for a load balancer, uses a LoadBalancer Service with the ports the API server gave it, and otherwise adds one beside it', async () => {
    const api = new FakeKubeApi();
    const lb: Service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'ns' },
      spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 32100, selector: { app: 'web' }, ports: [{ port: 80, nodePort: 31999 }] },
    };
    await api.apply(lb, 'test');
    // The manifest has no nodePort: the live object does.
    const manifest: Service = { ...lb, spec: { ...lb.spec, healthCheckNodePort: undefined, ports: [{ port: 80 }] } };
    expect(await exposeService(api, 'ns', manifest, { nodePort: 30080, type: 'LoadBalancer' })).to.deep.equal({ service: 'web', created: false, nodePort: 31999, healthCheckNodePort: 32100 });

    // Beside a ClusterIP Service, or a NodePort one (which may hold the published port already): the API server picks the ports.
    const clusterIp: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' }, spec: { selector: { app: 'api' }, externalTrafficPolicy: 'Local', ports: [{ port: 8080 }] } };
    const exposed = await exposeService(api, 'ns', clusterIp, { nodePort: 30080, type: 'LoadBalancer' });
    const made = api.peek<Service>({ apiVersion: 'v1', kind: 'Service', namespace: 'ns', name: 'api-zdt-loadbalancer' })!;
    expect(made.spec).to.deep.include({ type: 'LoadBalancer', externalTrafficPolicy: 'Local' });
    expect(made.spec?.ports?.[0]?.nodePort).to.not.equal(30080);
    expect(exposed).to.deep.equal({ service: 'api-zdt-loadbalancer', created: true, nodePort: made.spec?.ports?.[0]?.nodePort, healthCheckNodePort: made.spec?.healthCheckNodePort });
    expect(exposed.healthCheckNodePort).to.be.a('number');

    // allocateLoadBalancerNodePorts: false leaves nothing on the nodes for a load balancer in front of them.
    await api.apply({ ...lb, metadata: { name: 'bare', namespace: 'ns' }, spec: { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [{ port: 80 }] } } as Service, 'test');
    const err = await exposeService(api, 'ns', { ...lb, metadata: { name: 'bare' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } }, { nodePort: 30080, type: 'LoadBalancer' }).catch((e: unknown) => e);
    expect(isZdtError(err, ErrorCode.Service), String(err)).to.equal(true);
    expect((err as Error).message).to.equal('Service bare (type LoadBalancer) has no NodePort for port 80 (allocateLoadBalancerNodePorts: false), so no load balancer in front of the nodes can reach it: allow NodePorts, or give --url');
  });

  it('picks the Service port by name or number (an unknown one is an error naming the ports), else the web port', async () => {
    const svc: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ name: 'http', port: 80 }, { name: 'admin', port: 9090 }] } };
    expect(selectPort(svc, 'admin')?.port).to.equal(9090);
    expect(selectPort(svc, 80)?.name).to.equal('http');
    expect(selectPort(svc, '80')?.name).to.equal('http');
    expect(() => selectPort(svc, 'grpc')).to.throw(/Service web has no port grpc \(ports: http \(80\), admin \(9090\)\): pass --port/);
    // Without a choice: the web port by name, else by number, else the first.
    const ports = (...list: { name?: string; port: number }[]): Service => ({ ...svc, spec: { ports: list } });
    expect(selectPort(ports({ name: 'metrics', port: 9090 }, { name: 'http', port: 8000 }))?.port).to.equal(8000);
    expect(selectPort(ports({ name: 'metrics', port: 9090 }, { name: 'x', port: 8080 }))?.port).to.equal(8080);
    expect(selectPort(ports({ name: 'a', port: 7000 }, { name: 'b', port: 7001 }))?.port).to.equal(7000);
    const api = new FakeKubeApi();
    await exposeService(api, 'ns', svc, { nodePort: 30080, port: 'admin' });
    const made = api.peek<Service>({ apiVersion: 'v1', kind: 'Service', namespace: 'ns', name: 'web-zdt-nodeport' })!;
    expect(made.spec?.ports).to.deep.equal([{ name: 'admin', protocol: 'TCP', port: 9090, targetPort: 9090, nodePort: 30080 }]);
  });
});
