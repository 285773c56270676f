import { expect } from 'chai';
import { freeNodePort, ingressClassOf, ingressControllerObjects, ingressEntryOf, ingressRoutes, routeOf, startIngressController, TRAEFIK_CONTROLLER } from '../../harness/entry/ingress.ts';
import { FakeKubeApi } from '../fakes/kube.ts';
import { ErrorCode, isZdtError } from '../../harness/errors.ts';
import type { KubeObject } from '../../harness/kube/types.ts';
import type { LoadedManifest } from '../../harness/manifests/load.ts';

const at = (object: KubeObject, line = 1): LoadedManifest => ({ object, file: 'app.yaml', line });
const backend = (name: string) => ({ service: { name, port: { number: 80 } } });
const ingress = (name: string, spec: object, annotations?: Record<string, string>) => at({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, ...(annotations ? { annotations } : {}) }, spec } as KubeObject);
const service = (name: string) => at({ apiVersion: 'v1', kind: 'Service', metadata: { name } });

describe('entry/ingress', () => {
  it('reads every (host, path) -> Service of the Ingresses as Traefik serves them, a wildcard host given a name it matches', () => {
    const routes = ingressRoutes([
      service('web'),
      // Traefik serves a default backend only from the first Ingress without rules.
      ingress('fallback', { defaultBackend: backend('fallback') }),
      ingress('second-fallback', { defaultBackend: backend('other') }),
      ingress('a', {
        defaultBackend: backend('ignored'),
        rules: [
          { host: 'web.example.test', http: { paths: [{ path: '/app', pathType: 'Prefix', backend: backend('web') }] } },
          { host: '*.api.example.test', http: { paths: [{ pathType: 'ImplementationSpecific', backend: backend('api') }] } },
          { http: { paths: [{ path: '/x', pathType: 'Exact', backend: { resource: { kind: 'Bucket', name: 'b' } } }] } },
        ],
      }),
    ]);
    expect(routes.map(({ service, host, path, port }) => ({ service, host, path, port }))).to.deep.equal([
      { service: 'web', host: 'web.example.test', path: '/app', port: 80 },
      { service: 'api', host: 'zdt.api.example.test', path: '/', port: 80 },
      { service: 'fallback', host: undefined, path: '/', port: 80 },
    ]);
    expect(routes[0]!.ingress).to.equal('Ingress a (app.yaml:1)');
    expect(() => routeOf(routes, 'ignored')).to.throw(/no Ingress rule leads to Service ignored/);
    expect(routeOf(routes, 'api').host).to.equal('zdt.api.example.test');
  });

  it('names a Service no rule leads to, and manifests without an Ingress, with what to do', () => {
    const routes = ingressRoutes([ingress('a', { rules: [{ http: { paths: [{ path: '/', backend: backend('web') }] } }] })]);
    try {
      routeOf(routes, 'admin');
      expect.fail('routeOf accepted a Service no rule leads to');
    } catch (err) {
      expect(isZdtError(err, ErrorCode.Service)).to.equal(true);
      expect((err as Error).message).to.equal('--entry ingress: no Ingress rule leads to Service admin (they lead to web): add a rule, or choose the Services to load with --service');
    }
    expect(() => ingressRoutes([service('web')])).to.throw(/^--entry ingress loads the app through its Ingress, and the manifests hold no Ingress \(networking\.k8s\.io\/v1\): add one, or give --url/);
    // An HTTPRoute is named, so its author knows why it was not used.
    const route = at({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'web' } }, 7);
    expect(() => ingressRoutes([route])).to.throw(/Gateway API HTTPRoutes, at app\.yaml:7, are not served by zdt's controller/);
    // The old extensions/v1beta1 Ingress is not served by any current API server: not an Ingress here.
    expect(() => ingressRoutes([at({ apiVersion: 'extensions/v1beta1', kind: 'Ingress', metadata: { name: 'old' } })])).to.throw(/hold no Ingress/);
  });

  it('takes the class by ingressClassName or the older annotation, and refuses Ingresses that ask for two', () => {
    const rules = { rules: [] };
    expect(ingressClassOf([ingress('a', rules)])).to.deep.equal({ byClassName: false });
    expect(ingressClassOf([ingress('a', { ...rules, ingressClassName: 'nginx' }), ingress('b', { ...rules, ingressClassName: 'nginx' })])).to.deep.equal({ name: 'nginx', byClassName: true });
    expect(ingressClassOf([ingress('a', rules, { 'kubernetes.io/ingress.class': 'public' })])).to.deep.equal({ name: 'public', byClassName: false });
    expect(ingressClassOf([ingress('a', { ...rules, ingressClassName: 'nginx' }, { 'kubernetes.io/ingress.class': 'nginx' })])).to.deep.equal({ name: 'nginx', byClassName: true });
    expect(() => ingressClassOf([ingress('a', { ...rules, ingressClassName: 'nginx' }, { 'kubernetes.io/ingress.class': 'traefik' })])).to.throw(
      /^app\.yaml:1: Ingress a has ingressClassName nginx and annotation kubernetes\.io\/ingress\.class traefik, which the API server refuses unless they match: drop the annotation$/,
    );
    expect(() => ingressClassOf([ingress('a', { ...rules, ingressClassName: 'nginx' }), ingress('b', rules)])).to.throw(/the Ingresses ask for different classes \(nginx at app\.yaml:1, \(none\) at app\.yaml:1\), and one controller serves one/);
  });

  it("runs Traefik on the app namespace only, on the NodePort given, its cluster-scoped objects owned by its namespace, an IngressClass only when one is named", () => {
    const options = { namespace: 'run-ingress', watch: 'run', namespaceUid: 'uid-1', image: 'zdt.local/traefik:v3.6.12', placement: { avoid: ['zdt-worker'] }, nodePort: 30081 };
    const objects = ingressControllerObjects({ ...options, ingressClass: { name: 'nginx', byClassName: true } });
    const of = (kind: string) => objects.filter((o) => o.kind === kind) as (KubeObject & Record<string, any>)[];
    const deployment = of('Deployment')[0]!;
    const container = deployment.spec.template.spec.containers[0];
    expect(container.args).to.include.members(['--providers.kubernetesIngress.namespaces=run', '--providers.kubernetesIngress.ingressClass=nginx', '--global.checkNewVersion=false', '--global.sendAnonymousUsage=false']);
    expect(container.readinessProbe.httpGet).to.deep.equal({ path: '/ping', port: 9000 });
    expect(deployment.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields).to.deep.equal([{ key: 'metadata.name', operator: 'NotIn', values: ['zdt-worker'] }]);
    expect(of('Service')[0]!.spec).to.deep.include({ type: 'NodePort', ports: [{ name: 'web', port: 80, targetPort: 8000, nodePort: 30081 }] });
    // Read access in the app's namespace only; what is cluster-scoped goes when zdt's namespace is deleted.
    expect(of('Role')[0]!.metadata?.namespace).to.equal('run');
    for (const o of [...of('ClusterRole'), ...of('ClusterRoleBinding'), ...of('IngressClass')]) {
      expect(o.metadata?.ownerReferences, o.kind).to.deep.equal([{ apiVersion: 'v1', kind: 'Namespace', name: 'run-ingress', uid: 'uid-1' }]);
    }
    expect(of('IngressClass')[0]).to.deep.include({ metadata: of('IngressClass')[0]!.metadata, spec: { controller: TRAEFIK_CONTROLLER } });
    expect(of('IngressClass')[0]!.metadata?.name).to.equal('nginx');
    // By annotation, or by no class: Traefik's own flag, and no IngressClass.
    expect(ingressControllerObjects({ ...options, ingressClass: { name: 'public', byClassName: false } }).some((o) => o.kind === 'IngressClass')).to.equal(false);
    const unclassed = ingressControllerObjects({ ...options, ingressClass: { byClassName: false } }).find((o) => o.kind === 'Deployment') as Record<string, any>;
    expect(unclassed.spec.template.spec.containers[0].args.some((a: string) => a.includes('ingressClass'))).to.equal(false);
  });

  it("checks the backend's port against the Service's, by number or name", () => {
    const svc = at({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ name: 'http', port: 80 }] } } as KubeObject);
    const withPort = (port: object) => ingress('a', { rules: [{ http: { paths: [{ path: '/', backend: { service: { name: 'web', port } } }] } }] });
    expect(ingressEntryOf([svc, withPort({ number: 80 })], ['web']).routes[0]!.port).to.equal(80);
    expect(ingressEntryOf([svc, withPort({ name: 'http' })], ['web']).routes[0]!.port).to.equal('http');
    expect(() => ingressEntryOf([svc, withPort({ number: 8080 })], ['web'])).to.throw(/^--entry ingress: Ingress a \(app\.yaml:1\) sends to port 8080 of Service web, which has http \(80\): name one of those in the Ingress backend$/);
    expect(() => ingressEntryOf([svc, withPort({ name: 'web' })], ['web'])).to.throw(/sends to port web of Service web/);
  });

  it('takes the first published NodePort no Service holds, in the manifests or live, and names the holders when none is left', async () => {
    const live = (name: string, namespace: string, nodePort: number) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { type: 'NodePort', ports: [{ port: 80, nodePort }] } });
    const api = new FakeKubeApi([live('left', 'zdt-old-run', 30081)]);
    const mine = at({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80, nodePort: 30080 }] } } as KubeObject);
    expect(await freeNodePort(api, [mine], 30080)).to.equal(30082);
    api.put(live('b', 'x', 30082));
    api.put(live('c', 'x', 30083));
    await freeNodePort(api, [mine], 30080).then(
      () => expect.fail('a taken NodePort was given'),
      (err: Error) => expect(err.message, err.message).to.match(/^--entry ingress: every NodePort kind publishes is taken \(30080 by Service web \(app\.yaml:1\); 30081 by Service left in namespace zdt-old-run; .*\), and the Ingress controller needs one: delete what a finished run left/),
    );
  });

  it('refuses, before applying anything, nodes without the image and an IngressClass that is not its own', async () => {
    const node = (images: string[]) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'zdt-control-plane' }, status: { images: [{ names: images }] } });
    const options = { namespace: 'run-ingress', watch: 'run', image: 'zdt.local/traefik:v3.6.12', placement: { avoid: [] }, nodePort: 30081, ingressClass: { name: 'nginx', byClassName: true }, readyTimeoutMs: 1000 };
    const bare = new FakeKubeApi([node(['zdt.local/nginx:1.22'])]);
    await startIngressController(bare, options, 'zdt').then(
      () => expect.fail('started without the image'),
      (err: Error) => expect(err.message).to.equal('--entry ingress: no node has the image zdt.local/traefik:v3.6.12, and zdt pulls none: load it with `kind load docker-image zdt.local/traefik:v3.6.12 --name zdt` (scripts/offline/setup.sh builds it)'),
    );
    const theirs = new FakeKubeApi([node(['docker.io/library/x:1', 'zdt.local/traefik:v3.6.12']), { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } } as KubeObject]);
    await startIngressController(theirs, options, 'zdt').then(
      () => expect.fail("took over the cluster's own IngressClass"),
      (err: Error) => expect(err.message).to.match(/^--entry ingress: this cluster has IngressClass nginx of its own, which zdt's controller would take over: give --url/),
    );
    expect((await theirs.list({ apiVersion: 'apps/v1', kind: 'Deployment' })).length, 'nothing applied').to.equal(0);
  });
});
