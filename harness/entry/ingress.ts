/**
 * `--entry ingress`: the load enters as north-south traffic does behind an Ingress, through an
 * Ingress controller whose upstream list follows the EndpointSlices on its own schedule. zdt
 * installs Traefik (built offline, scripts/offline/build-ingress-image.sh) per run in a namespace
 * of its own, on a node no scenario drains, watching only the app's namespace, and exposes it on
 * a NodePort; the load goes there with each Ingress rule's Host and path. Traefik sends to pod
 * addresses, not to the Service's cluster IP, so kube-proxy is not on this path: the controller's
 * own lag is. Why Traefik: README ("--entry ingress").
 */
import { ErrorCode, ZdtError } from '../errors.ts';
import type { KubeObject } from '../kube/types.ts';
import type { LoadedManifest } from '../manifests/load.ts';
import { placeOf } from '../manifests/render.ts';
import { podPlacement, RESTRICTED, type LoadPlacement } from './placement.ts';

/** The controller IngressClass objects name for Traefik (its kubernetesIngress provider takes only those). */
export const TRAEFIK_CONTROLLER = 'traefik.io/ingress-controller';
/** The controller's Deployment and Service, in the run's ingress namespace. */
export const INGRESS_CONTROLLER_NAME = 'zdt-ingress';
const WEB_PORT = 8000;
/** Traefik's own entry point, where /ping answers once its providers have started. */
const PING_PORT = 9000;

/** Where one Service is reached through the Ingresses: a rule's host (none: any) and path, first match in manifest order. */
export interface IngressRoute {
  readonly service: string;
  /** The Ingress and where it was written, for messages. */
  readonly ingress: string;
  readonly host?: string;
  readonly path: string;
}

const isIngress = (o: KubeObject) => o.kind === 'Ingress' && o.apiVersion === 'networking.k8s.io/v1';

interface IngressSpec {
  ingressClassName?: string;
  defaultBackend?: { service?: { name?: string } };
  rules?: { host?: string; http?: { paths?: { path?: string; backend?: { service?: { name?: string } } }[] } }[];
}

/**
 * Every (host, path) → Service pair the manifests' Ingresses (networking.k8s.io/v1) route, rules
 * before the default backend. A wildcard host (`*.example.com`) is given a name it matches.
 * Throws ZDT_INVALID_OPTION when there is no Ingress, naming what to add or use instead.
 */
export function ingressRoutes(manifests: readonly LoadedManifest[]): IngressRoute[] {
  const ingresses = manifests.filter((m) => isIngress(m.object));
  if (ingresses.length === 0) {
    const routes = manifests.filter((m) => m.object.kind === 'HTTPRoute').map(placeOf);
    throw new ZdtError(
      ErrorCode.InvalidOption,
      `--entry ingress loads the app through its Ingress, and the manifests hold no Ingress (networking.k8s.io/v1)${routes.length > 0 ? ` (Gateway API HTTPRoutes, at ${routes.join(', ')}, are not served by zdt's controller)` : ''}: add one, or give --url, where the app's traffic enters`,
      { details: { option: '--entry', value: 'ingress' } },
    );
  }
  return ingresses.flatMap((m) => {
    const spec = (m.object as KubeObject & { spec?: IngressSpec }).spec ?? {};
    const ingress = `Ingress ${m.object.metadata?.name ?? ''} (${placeOf(m)})`;
    const rules = (spec.rules ?? []).flatMap((rule) =>
      (rule.http?.paths ?? []).flatMap((p) => {
        const service = p.backend?.service?.name;
        return service ? [{ service, ingress, ...(rule.host ? { host: rule.host.replace(/^\*\./, 'zdt.') } : {}), path: p.path ?? '/' }] : [];
      }),
    );
    const fallback = spec.defaultBackend?.service?.name;
    return [...rules, ...(fallback ? [{ service: fallback, ingress, path: '/' }] : [])];
  });
}

/**
 * The route each loaded Service is reached by. Throws ZDT_SERVICE naming a Service no Ingress
 * routes to, with the Services they do route to.
 */
export function routeOf(routes: readonly IngressRoute[], service: string): IngressRoute {
  const route = routes.find((r) => r.service === service);
  if (route) return route;
  const reached = [...new Set(routes.map((r) => r.service))].join(', ');
  throw new ZdtError(ErrorCode.Service, `--entry ingress: no Ingress rule leads to Service ${service} (they lead to ${reached}): add a rule, or choose the Services to load with --service`, { details: { service } });
}

/**
 * The class the Ingresses ask for (spec.ingressClassName, or the older kubernetes.io/ingress.class
 * annotation), and whether it is asked for by name (then an IngressClass of that name must name
 * Traefik's controller). Throws ZDT_INVALID_OPTION when they ask for different classes, which
 * one controller would not all serve.
 */
export function ingressClassOf(manifests: readonly LoadedManifest[]): { readonly name?: string; readonly byClassName: boolean } {
  const asked = manifests
    .filter((m) => isIngress(m.object))
    .map((m) => {
      const byName = (m.object as KubeObject & { spec?: IngressSpec }).spec?.ingressClassName;
      return { name: byName ?? m.object.metadata?.annotations?.['kubernetes.io/ingress.class'], byClassName: byName !== undefined, at: placeOf(m) };
    });
  const names = [...new Set(asked.map((a) => a.name ?? '(none)'))];
  if (names.length > 1) {
    throw new ZdtError(ErrorCode.InvalidOption, `--entry ingress: the Ingresses ask for different classes (${asked.map((a) => `${a.name ?? '(none)'} at ${a.at}`).join(', ')}), and one controller serves one: give them one class`, {
      details: { option: '--entry', value: 'ingress' },
    });
  }
  return { ...(asked[0]?.name !== undefined ? { name: asked[0].name } : {}), byClassName: asked.some((a) => a.byClassName) };
}

/**
 * What `--entry ingress` needs of the manifests, checked before anything is deployed: the route
 * of each loaded Service (in `services`' order) and the class to serve. Throws as ingressRoutes,
 * routeOf and ingressClassOf do.
 */
export function ingressEntryOf(manifests: readonly LoadedManifest[], services: readonly string[]): { readonly routes: IngressRoute[]; readonly ingressClass: ReturnType<typeof ingressClassOf> } {
  const all = ingressRoutes(manifests);
  return { routes: services.map((s) => routeOf(all, s)), ingressClass: ingressClassOf(manifests) };
}

export interface IngressControllerOptions {
  /** zdt's namespace for the controller. */
  readonly namespace: string;
  /** The namespace whose Ingresses it serves (the app's). */
  readonly watch: string;
  /** The namespace object's uid: the cluster-scoped objects are owned by it, so deleting the namespace deletes them. */
  readonly namespaceUid: string;
  readonly image: string;
  readonly placement: LoadPlacement;
  /** The NodePort the load enters on (published on kind's control-plane node). */
  readonly nodePort: number;
  readonly ingressClass: ReturnType<typeof ingressClassOf>;
}

/**
 * What zdt applies to run the controller: a ServiceAccount, the Role to read the app namespace's
 * Ingresses, Services, EndpointSlices and Secrets (and its binding there), a ClusterRole to read
 * IngressClasses and Nodes (its informers list both, whatever it serves; cluster-scoped, as its binding and the IngressClass zdt adds when the Ingresses
 * name one; all owned by the controller's namespace), the Deployment and its NodePort Service.
 */
export function ingressControllerObjects(o: IngressControllerOptions): KubeObject[] {
  const labels = { 'app.kubernetes.io/name': INGRESS_CONTROLLER_NAME, 'app.kubernetes.io/managed-by': 'zdt' };
  const clusterName = `${o.namespace}-${INGRESS_CONTROLLER_NAME}`;
  const owned = (name: string) => ({ name, labels, ownerReferences: [{ apiVersion: 'v1', kind: 'Namespace', name: o.namespace, uid: o.namespaceUid }] });
  const subjects = [{ kind: 'ServiceAccount', name: INGRESS_CONTROLLER_NAME, namespace: o.namespace }];
  const read = ['get', 'list', 'watch'];
  const { name: className, byClassName } = o.ingressClass;
  const args = [
    `--entryPoints.web.address=:${WEB_PORT}`,
    `--entryPoints.traefik.address=:${PING_PORT}`,
    '--ping=true',
    '--providers.kubernetesIngress=true',
    `--providers.kubernetesIngress.namespaces=${o.watch}`,
    ...(className !== undefined ? [`--providers.kubernetesIngress.ingressClass=${className}`] : []),
    // No network but the cluster's: Traefik must not look for updates or report usage.
    '--global.checkNewVersion=false',
    '--global.sendAnonymousUsage=false',
    '--log.level=INFO',
    '--log.noColor=true',
  ];
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: INGRESS_CONTROLLER_NAME, namespace: o.namespace, labels } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: INGRESS_CONTROLLER_NAME, namespace: o.watch, labels },
      rules: [
        { apiGroups: [''], resources: ['services', 'secrets'], verbs: read },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: read },
        { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: read },
        { apiGroups: ['networking.k8s.io'], resources: ['ingresses/status'], verbs: ['update'] },
      ],
    },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: INGRESS_CONTROLLER_NAME, namespace: o.watch, labels }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: INGRESS_CONTROLLER_NAME }, subjects },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: owned(clusterName), rules: [{ apiGroups: ['networking.k8s.io'], resources: ['ingressclasses'], verbs: read }, { apiGroups: [''], resources: ['nodes'], verbs: read }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: owned(clusterName), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterName }, subjects },
    ...(className !== undefined && byClassName ? [{ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: owned(className), spec: { controller: TRAEFIK_CONTROLLER } }] : []),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: INGRESS_CONTROLLER_NAME, namespace: o.namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: INGRESS_CONTROLLER_NAME,
            ...podPlacement(o.placement),
            // Traefik listens on unprivileged ports and writes nothing.
            securityContext: RESTRICTED.pod,
            containers: [
              {
                name: 'traefik',
                image: o.image,
                imagePullPolicy: 'IfNotPresent',
                args,
                ports: [
                  { name: 'web', containerPort: WEB_PORT },
                  { name: 'ping', containerPort: PING_PORT },
                ],
                readinessProbe: { httpGet: { path: '/ping', port: PING_PORT }, periodSeconds: 1 },
                securityContext: RESTRICTED.container,
                resources: { requests: { cpu: '100m', memory: '64Mi' } },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: INGRESS_CONTROLLER_NAME, namespace: o.namespace, labels },
      spec: { type: 'NodePort', selector: labels, ports: [{ name: 'web', port: 80, targetPort: WEB_PORT, nodePort: o.nodePort }] },
    },
  ];
}
