/**
 * `--entry ingress`: the load enters as north-south traffic does behind an Ingress, through an
 * Ingress controller whose upstream list follows the EndpointSlices on its own schedule. zdt
 * installs Traefik (built offline, scripts/offline/build-ingress-image.sh) per run in a namespace
 * of its own, on a node no scenario drains, watching only the app's namespace, and exposes it on
 * a NodePort; the load goes there with each Ingress rule's Host and path. Traefik sends to pod
 * addresses, not to the Service's cluster IP, so kube-proxy is not on this path: the controller's
 * own lag is. Why Traefik: README ("--entry ingress").
 */
import { FIELD_MANAGER } from '../deploy/apply.ts';
import { MAX_SERVICES } from '../deploy/service.ts';
import { waitForApp } from '../deploy/wait.ts';
import { ErrorCode, ZdtError } from '../errors.ts';
import type { KubeApi } from '../kube/api.ts';
import type { KubeObject, Node, Service, ServicePort } from '../kube/types.ts';
import type { LoadedManifest } from '../manifests/load.ts';
import { placeOf } from '../manifests/render.ts';
import { poll } from '../wait.ts';
import { podPlacement, RESTRICTED, type LoadPlacement } from './placement.ts';

/** The controller IngressClass objects name for Traefik (its kubernetesIngress provider takes only those). */
export const TRAEFIK_CONTROLLER = 'traefik.io/ingress-controller';
/** The controller's Deployment and Service, in the run's ingress namespace. */
export const INGRESS_CONTROLLER_NAME = 'zdt-ingress';
const WEB_PORT = 8000;
/** Traefik's own entry point, where /ping answers once Traefik runs (its routes may come a moment later). */
const PING_PORT = 9000;

/** Where one Service is reached through the Ingresses: a rule's host (none: any) and path, first match in manifest order. */
export interface IngressRoute {
  readonly service: string;
  /** The Ingress and where it was written, for messages. */
  readonly ingress: string;
  readonly host?: string;
  readonly path: string;
  /** The backend's Service port, by number or name. */
  readonly port?: number | string;
}

const isIngress = (o: KubeObject) => o.kind === 'Ingress' && o.apiVersion === 'networking.k8s.io/v1';

interface Backend {
  service?: { name?: string; port?: { number?: number; name?: string } };
}
interface IngressSpec {
  ingressClassName?: string;
  defaultBackend?: Backend;
  rules?: { host?: string; http?: { paths?: { path?: string; backend?: Backend }[] } }[];
}
const specOf = (m: LoadedManifest): IngressSpec => (m.object as KubeObject & { spec?: IngressSpec }).spec ?? {};
const portOf = (b: Backend) => b.service?.port?.number ?? b.service?.port?.name;

/**
 * Every (host, path) → Service pair the manifests' Ingresses (networking.k8s.io/v1) route, as
 * Traefik serves them: each rule's paths, and the default backend of the first Ingress that has
 * no rules (Traefik ignores the default backend of one with rules, and of any later one). A
 * wildcard host (`*.example.com`) is given a name it matches.
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
  const name = (m: LoadedManifest) => `Ingress ${m.object.metadata?.name ?? ''} (${placeOf(m)})`;
  const withPort = (b: Backend) => (portOf(b) !== undefined ? { port: portOf(b)! } : {});
  const rules = ingresses.flatMap((m) =>
    (specOf(m).rules ?? []).flatMap((rule) =>
      (rule.http?.paths ?? []).flatMap((p) => {
        const service = p.backend?.service?.name;
        return service ? [{ service, ingress: name(m), ...(rule.host ? { host: rule.host.replace(/^\*\./, 'zdt.') } : {}), path: p.path ?? '/', ...withPort(p.backend!) }] : [];
      }),
    ),
  );
  const fallback = ingresses.find((m) => (specOf(m).rules ?? []).length === 0 && specOf(m).defaultBackend?.service?.name);
  const backend = fallback && specOf(fallback).defaultBackend!;
  return [...rules, ...(backend ? [{ service: backend.service!.name!, ingress: name(fallback), path: '/', ...withPort(backend) }] : [])];
}

/**
 * The route each loaded Service is reached by. Throws ZDT_SERVICE naming a Service no Ingress
 * routes to (with the Services they do route to), or one whose route names a port the Service
 * (when `ports` are known) does not have, which Traefik answers with 404s ("service port not found").
 */
export function routeOf(routes: readonly IngressRoute[], service: string, ports?: readonly ServicePort[]): IngressRoute {
  const route = routes.find((r) => r.service === service);
  if (!route) {
    const reached = [...new Set(routes.map((r) => r.service))].join(', ') || 'no Service: a default backend counts only in an Ingress without rules';
    throw new ZdtError(ErrorCode.Service, `--entry ingress: no Ingress rule leads to Service ${service} (they lead to ${reached}): add a rule, or choose the Services to load with --service`, { details: { service } });
  }
  const { port } = route;
  if (ports !== undefined && port !== undefined && !ports.some((p) => (typeof port === 'number' ? p.port === port : p.name === port))) {
    const has = ports.map((p) => (p.name ? `${p.name} (${p.port})` : String(p.port))).join(', ');
    throw new ZdtError(ErrorCode.Service, `--entry ingress: ${route.ingress} sends to port ${port} of Service ${service}, which has ${has}: name one of those in the Ingress backend`, { details: { service, port } });
  }
  return route;
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
      const byName = specOf(m).ingressClassName;
      const byAnnotation = m.object.metadata?.annotations?.['kubernetes.io/ingress.class'];
      // The API server refuses such an Ingress; said here, before a cluster is made for nothing.
      if (byName !== undefined && byAnnotation !== undefined && byName !== byAnnotation) {
        throw new ZdtError(ErrorCode.InvalidOption, `${placeOf(m)}: Ingress ${m.object.metadata?.name ?? ''} has ingressClassName ${byName} and annotation kubernetes.io/ingress.class ${byAnnotation}, which the API server refuses unless they match: drop the annotation`, {
          details: { option: '--entry', value: 'ingress' },
        });
      }
      return { name: byName ?? byAnnotation, byClassName: byName !== undefined, at: placeOf(m) };
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
  const portsOf = (name: string) => (manifests.find((m) => m.object.kind === 'Service' && m.object.metadata?.name === name)?.object as Service | undefined)?.spec?.ports;
  return { routes: services.map((s) => routeOf(all, s, portsOf(s))), ingressClass: ingressClassOf(manifests) };
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

/**
 * The first NodePort of those kind publishes (`first` and the MAX_SERVICES after it) that no
 * Service claims, in the manifests or live on the cluster (one a killed run left, say): the
 * Ingress controller's. Throws ZDT_INVALID_OPTION naming what holds each when all are taken.
 */
export async function freeNodePort(api: KubeApi, manifests: readonly LoadedManifest[], first: number, signal?: AbortSignal): Promise<number> {
  const holders = new Map<number, string>();
  const claim = (s: Service, where: string) => (s.spec?.ports ?? []).forEach((p) => p.nodePort !== undefined && holders.set(p.nodePort, where));
  for (const s of await api.list<Service>({ apiVersion: 'v1', kind: 'Service' }, {}, signal)) claim(s, `Service ${s.metadata?.name} in namespace ${s.metadata?.namespace}`);
  for (const m of manifests) if (m.object.kind === 'Service') claim(m.object as Service, `Service ${m.object.metadata?.name} (${placeOf(m)})`);
  const ports = Array.from({ length: MAX_SERVICES }, (_, i) => first + i);
  const port = ports.find((p) => !holders.has(p));
  if (port !== undefined) return port;
  throw new ZdtError(ErrorCode.InvalidOption, `--entry ingress: every NodePort kind publishes is taken (${ports.map((p) => `${p} by ${holders.get(p)}`).join('; ')}), and the Ingress controller needs one: delete what a finished run left (kubectl delete namespace <name>), or free one in the manifests`, {
    details: { option: '--entry', value: 'ingress' },
  });
}

export interface StartIngressOptions extends Omit<IngressControllerOptions, 'namespaceUid'> {
  readonly readyTimeoutMs: number;
  readonly signal?: AbortSignal;
  /** 'expose' as it installs, 'ready' while it waits (ScenarioStep's names). */
  readonly onProgress?: (step: 'expose' | 'ready', message: string) => void;
}

/**
 * Installs the controller in `namespace` (which must exist) and waits until it is ready; whether
 * it serves the Ingress yet is the reachability probe's to find. Its cluster-scoped objects go
 * with `namespace`, its Role and binding with the app's. Throws ZDT_INVALID_OPTION, before
 * applying anything, when the nodes lack the image (an attached kind cluster: the `kind load`
 * command to run) or an IngressClass of the name the Ingresses ask for is someone else's; and
 * ZDT_APP_NOT_READY (waitForApp) when it does not become ready.
 */
export async function startIngressController(api: KubeApi, o: StartIngressOptions, kindName?: string): Promise<void> {
  const { signal } = o;
  const nodes = await api.list<Node>({ apiVersion: 'v1', kind: 'Node' }, {}, signal);
  if (!nodes.some((n) => (n.status?.images ?? []).some((i) => (i.names ?? []).some((name) => name === o.image || name.endsWith(`/${o.image}`))))) {
    throw new ZdtError(ErrorCode.InvalidOption, `--entry ingress: no node has the image ${o.image}, and zdt pulls none: load it with \`kind load docker-image ${o.image}${kindName ? ` --name ${kindName}` : ''}\` (scripts/offline/setup.sh builds it)`, { details: { option: '--entry', value: 'ingress' } });
  }
  const className = o.ingressClass.byClassName ? o.ingressClass.name : undefined;
  if (className !== undefined) {
    const ref = { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', name: className };
    const live = await api.get<KubeObject>(ref, signal);
    if (live && live.metadata?.labels?.['app.kubernetes.io/managed-by'] !== 'zdt') {
      throw new ZdtError(ErrorCode.InvalidOption, `--entry ingress: this cluster has IngressClass ${className} of its own, which zdt's controller would take over: give --url, where that class's controller takes the app's traffic, or run on a cluster zdt creates`, {
        details: { option: '--entry', value: 'ingress' },
      });
    }
    // One a previous run's namespace still owns goes with it: wait rather than take it over.
    if (live) await poll(async () => ((await api.get(ref, signal)) ? undefined : true), { timeoutMs: 60_000, intervalMs: 500, signal, what: `IngressClass ${className} of a previous run to be deleted` });
  }
  const uid = (await api.get<KubeObject>({ apiVersion: 'v1', kind: 'Namespace', name: o.namespace }, signal))?.metadata?.uid;
  if (uid === undefined) throw new ZdtError(ErrorCode.KubeApi, `namespace ${o.namespace} was gone as soon as it was made: is something deleting zdt's namespaces?`);
  o.onProgress?.('expose', `installing Traefik (${o.image}) in ${o.namespace}, serving the Ingresses of ${o.watch}${o.ingressClass.name !== undefined ? ` (class ${o.ingressClass.name})` : ''} on NodePort ${o.nodePort}`);
  for (const object of ingressControllerObjects({ ...o, namespaceUid: uid })) await api.apply(object, FIELD_MANAGER, signal);
  await waitForApp(api, {
    namespace: o.namespace,
    workloads: [{ kind: 'Deployment', name: INGRESS_CONTROLLER_NAME }],
    services: [INGRESS_CONTROLLER_NAME],
    timeoutMs: o.readyTimeoutMs,
    signal,
    onProgress: (s) => o.onProgress?.('ready', `Ingress controller: ${s}`),
  });
}

/** The command that shows what the controller says of the Ingresses (why a route is missing). */
export const controllerLogsCommand = (namespace: string): string => `kubectl -n ${namespace} logs deploy/${INGRESS_CONTROLLER_NAME}`;
