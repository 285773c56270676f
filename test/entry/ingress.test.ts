import { expect } from 'chai';
import { ingressClassOf, ingressControllerObjects, ingressRoutes, routeOf, TRAEFIK_CONTROLLER } from '../../harness/entry/ingress.ts';
import { ErrorCode, isZdtError } from '../../harness/errors.ts';
import type { KubeObject } from '../../harness/kube/types.ts';
import type { LoadedManifest } from '../../harness/manifests/load.ts';

const at = (object: KubeObject, line = 1): LoadedManifest => ({ object, file: 'app.yaml', line });
const backend = (name: string) => ({ service: { name, port: { number: 80 } } });
const ingress = (name: string, spec: object, annotations?: Record<string, string>) => at({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, ...(annotations ? { annotations } : {}) }, spec } as KubeObject);
const service = (name: string) => at({ apiVersion: 'v1', kind: 'Service', metadata: { name } });

describe('entry/ingress', () => {
  it('reads every (host, path) -> Service of the Ingresses, rules before the default backend, a wildcard host given a name it matches', () => {
    const routes = ingressRoutes([
      service('web'),
      ingress('a', {
        defaultBackend: backend('fallback'),
        rules: [
          { host: 'web.example.test', http: { paths: [{ path: '/app', pathType: 'Prefix', backend: backend('web') }] } },
          { host: '*.api.example.test', http: { paths: [{ pathType: 'ImplementationSpecific', backend: backend('api') }] } },
          { http: { paths: [{ path: '/x', pathType: 'Exact', backend: { resource: { kind: 'Bucket', name: 'b' } } }] } },
        ],
      }),
    ]);
    expect(routes.map(({ service, host, path }) => ({ service, host, path }))).to.deep.equal([
      { service: 'web', host: 'web.example.test', path: '/app' },
      { service: 'api', host: 'zdt.api.example.test', path: '/' },
      { service: 'fallback', host: undefined, path: '/' },
    ]);
    expect(routes[0]!.ingress).to.equal('Ingress a (app.yaml:1)');
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
});
