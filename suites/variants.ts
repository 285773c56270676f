/**
 * Known-bad twins are the bundled example with one thing taken away or changed: each helper
 * below is a named mutation of the loaded manifests, so every twin differs from the good
 * configuration in exactly the way its suite says.
 */
import { fileURLToPath } from 'node:url';
import type { Container, Deployment, PodSpec } from '../harness/kube/types.ts';
import { loadManifests, type LoadedManifest } from '../harness/manifests/load.ts';

export const PRODUCTION = fileURLToPath(new URL('./manifests/production', import.meta.url));

export type Mutation = (manifests: LoadedManifest[]) => LoadedManifest[];

export async function variant(...mutations: Mutation[]): Promise<LoadedManifest[]> {
  let m = structuredClone(await loadManifests(PRODUCTION));
  for (const mutate of mutations) m = mutate(m);
  return m;
}

/** The example's one workload, whichever controller runs it (see asStatefulSet). */
const deployment = (m: LoadedManifest[]) => m.find((x) => x.object.kind === 'Deployment' || x.object.kind === 'StatefulSet')!.object as Deployment;
const podSpec = (m: LoadedManifest[]) => deployment(m).spec!.template!.spec as PodSpec;
const nginx = (m: LoadedManifest[]) => podSpec(m).containers[0] as Container;
const edit = (f: (m: LoadedManifest[]) => void): Mutation => (m) => {
  f(m);
  return m;
};

export const withoutPdb: Mutation = (m) => m.filter((x) => x.object.kind !== 'PodDisruptionBudget');
export const withoutPreStop: Mutation = edit((m) => void delete nginx(m).lifecycle);
export const withoutReadiness: Mutation = edit((m) => void delete nginx(m).readinessProbe);
/** Part 2 of the series: stop nginx gracefully in preStop, but with no delay for propagation. */
export const preStopQuitOnly: Mutation = edit((m) => {
  nginx(m).lifecycle = { preStop: { exec: { command: ['/bin/sh', '-c', 'nginx -s quit && while pgrep -x nginx >/dev/null; do sleep 0.2; done'] } } };
});
/**
 * The example's preStop, first freezing nginx for `seconds` (under the readiness probe's 1 s
 * timeout, so the pod keeps serving), then waiting `delaySeconds` before quitting: requests
 * routed to the terminating pod wait, then succeed. A latency fault, not an availability one.
 * SIGSTOP reaches the worker, which serves; the master is the container's PID 1, which its PID
 * namespace shields.
 */
export const stallInPreStop = (seconds: number, delaySeconds: number): Mutation =>
  edit((m) => {
    preStopDelay(delaySeconds)(m);
    const command = nginx(m).lifecycle!.preStop!.exec!.command!;
    command[2] = `pkill -STOP -x nginx; sleep ${seconds}; pkill -CONT -x nginx; ${command[2]}`;
  });
/** nginx without `keepalive_time`: a kept-alive connection stays open until nginx quits and closes it, idle or about to be reused. */
export const withoutKeepaliveTime: Mutation = edit((m) => {
  const conf = m.find((x) => x.object.kind === 'ConfigMap')!.object as { data: Record<string, string> };
  const before = conf.data['nginx.conf']!;
  conf.data['nginx.conf'] = before.replace(/^\s*keepalive_time .*\n/m, '');
  if (conf.data['nginx.conf'] === before) throw new Error('the example has no keepalive_time line to remove');
});
/** The example's preStop with a delay of `seconds` before nginx quits, instead of its own. */
export const preStopDelay = (seconds: number): Mutation =>
  edit((m) => {
    const command = nginx(m).lifecycle!.preStop!.exec!.command!;
    command[2] = command[2]!.replace(/^sleep \d+/, `sleep ${seconds}`);
  });
export const gracePeriod = (seconds: number): Mutation => edit((m) => void (podSpec(m).terminationGracePeriodSeconds = seconds));
export const replicas = (n: number): Mutation => edit((m) => void (deployment(m).spec!.replicas = n));
export const recreateStrategy: Mutation = edit((m) => void (deployment(m).spec!.strategy = { type: 'Recreate' }));
/** nginx warms up for `seconds` before it serves (and so before its readiness probe passes), instead of the example's 8. */
export const slowStart = (seconds: number): Mutation =>
  edit((m) => {
    const command = nginx(m).command!;
    const before = command[2]!;
    command[2] = before.replace(/sleep \d+ &/, `sleep ${seconds} &`);
    if (command[2] === before) throw new Error('the example has no warm-up sleep to change');
  });
/** Pods leave a node the control plane lost (unreachable or not ready) after `seconds` instead of the default 300. */
export const tolerateLostNodeFor = (seconds: number): Mutation =>
  edit((m) => {
    const keys = ['node.kubernetes.io/unreachable', 'node.kubernetes.io/not-ready'];
    podSpec(m).tolerations = keys.map((key) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds }));
  });
export const pdb = (spec: Record<string, unknown>): Mutation =>
  edit((m) => {
    const p = m.find((x) => x.object.kind === 'PodDisruptionBudget')!.object as { spec: Record<string, unknown> };
    p.spec = { ...spec, selector: p.spec.selector };
  });
export const clusterIpService: Mutation = edit((m) => {
  const svc = m.find((x) => x.object.kind === 'Service')!.object as { spec: { type?: string; ports: { nodePort?: number }[] } };
  svc.spec.type = 'ClusterIP';
  for (const p of svc.spec.ports) delete p.nodePort;
});

/**
 * The same pods run by a StatefulSet (RollingUpdate: one pod at a time, highest ordinal first,
 * the next only once the replacement is Ready), behind the same Service and PDB.
 */
export const asStatefulSet: Mutation = edit((m) => {
  const workload = deployment(m);
  workload.kind = 'StatefulSet';
  workload.metadata = { ...workload.metadata, name: 'nginx' };
  delete workload.spec!.strategy;
  workload.spec!.serviceName = 'nginx-service';
});
/** The Service's externalTrafficPolicy: Local keeps a node's external traffic on that node's own pods. */
export const externalTrafficPolicy = (policy: 'Cluster' | 'Local'): Mutation =>
  edit((m) => void ((m.find((x) => x.object.kind === 'Service')!.object as { spec: Record<string, unknown> }).spec.externalTrafficPolicy = policy));

/**
 * The example with an Ingress in front of its Service, as a team adds one: Host-routed, under
 * the class their platform names (`ingressClassName`), which zdt's controller then serves.
 */
export const withIngress: Mutation = (m) => [
  ...m,
  {
    file: 'ingress.yaml',
    line: 1,
    object: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'nginx' },
      spec: {
        ingressClassName: 'nginx',
        rules: [{ host: 'web.example.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'nginx-service', port: { number: 80 } } } }] } }],
      },
    } as LoadedManifest['object'],
  },
];
