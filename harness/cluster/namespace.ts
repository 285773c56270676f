import { randomBytes } from 'node:crypto';
import type { KubeApi } from '../kube/api.ts';

export const RUN_LABEL = 'zdt.dev/run';

/** A namespace one run works in; delete() removes it and everything in it. */
export interface Namespace extends AsyncDisposable {
  readonly name: string;
  delete(): Promise<void>;
}

/** Deletes the Services of a namespace now, releasing their NodePorts. */
async function deleteServices(api: KubeApi, namespace: string, signal?: AbortSignal): Promise<void> {
  const services = await api.list({ apiVersion: 'v1', kind: 'Service', namespace }, {}, signal).catch(() => []);
  await Promise.all(services.map((s) => api.delete({ apiVersion: 'v1', kind: 'Service', namespace, name: s.metadata?.name ?? '' }, {}, signal).catch(() => false)));
}

export async function createNamespace(api: KubeApi, prefix: string, signal?: AbortSignal): Promise<Namespace> {
  // An earlier run that was killed may have left a namespace terminating with its NodePort
  // Service still in place: release those ports before this run claims one.
  const stale = await api.list({ apiVersion: 'v1', kind: 'Namespace' }, { labelSelector: RUN_LABEL }, signal);
  for (const ns of stale) if (ns.metadata?.deletionTimestamp) await deleteServices(api, ns.metadata.name ?? '', signal);
  const slug = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'run';
  const name = `zdt-${slug}-${randomBytes(3).toString('hex')}`;
  await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { [RUN_LABEL]: 'true' } } }, signal);
  const del = async () => {
    // Services first: the namespace controller may take a while to reach them, and until then
    // their NodePort stays allocated and the next run could not claim it.
    await deleteServices(api, name);
    // Do not wait for pods' grace periods: the run is over and the next one uses a new name.
    await api.delete({ apiVersion: 'v1', kind: 'Namespace', name }, { gracePeriodSeconds: 0 });
  };
  return { name, delete: del, [Symbol.asyncDispose]: del };
}
