import { ErrorCode, ZdtError } from '../errors.ts';
import type { KubeObject } from '../kube/types.ts';
import type { LoadedManifest } from './load.ts';
import { placeOf } from './render.ts';
import { namespaceOf, refOf } from './workloads.ts';

/**
 * What the API server tells objects apart by: API group (not version: apps/v1 and
 * apps/v1beta1 name one Deployment), kind, namespace and name.
 */
export function objectIdentity(object: KubeObject, namespace: string): string {
  const group = object.apiVersion?.includes('/') ? object.apiVersion.split('/')[0] : '';
  return `${group}/${object.kind}/${namespace}/${object.metadata?.name}`;
}

/** Manifests that share an identity (by `identify`), in groups of two or more, in manifest order. */
export function duplicates(manifests: readonly LoadedManifest[], identify: (m: LoadedManifest) => string): LoadedManifest[][] {
  const groups = new Map<string, LoadedManifest[]>();
  for (const m of manifests) {
    const key = identify(m);
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  return [...groups.values()].filter((group) => group.length > 1);
}

/** "a.yaml:1", "a.yaml:1 and b.yaml:20", "a.yaml:1, a.yaml:9 and b.yaml:20". */
export function places(group: readonly LoadedManifest[], describe: (m: LoadedManifest) => string = placeOf): string {
  const all = group.map(describe);
  return all.length === 1 ? all[0]! : `${all.slice(0, -1).join(', ')} and ${all.at(-1)}`;
}

/**
 * Refuses a loaded set that cannot be one release: no object at all (only comments, empty
 * documents or empty Lists), or an object defined twice, which `kubectl apply` would quietly
 * reduce to the last definition. `source` is the directory or file the set came from.
 */
export function checkManifestSet(manifests: readonly LoadedManifest[], source: string): void {
  if (manifests.length === 0) {
    throw new ZdtError(ErrorCode.Manifest, `no Kubernetes objects in ${source}: its YAML holds only comments or empty documents`, { details: { path: source } });
  }
  const twice = duplicates(manifests, (m) => objectIdentity(m.object, namespaceOf(m.object)));
  if (twice.length === 0) return;
  // Located at the last definition, the one kubectl would keep, like every other file:line error.
  const lines = twice.map((group) => `${placeOf(group.at(-1)!)}: ${refOf(group[0]!.object)} is also defined at ${places(group.slice(0, -1))}`);
  throw new ZdtError(ErrorCode.Manifest, `${lines.join('; ')}: kubectl apply would keep only the last definition, so remove or rename the others`, {
    details: { duplicates: twice.map((group) => ({ object: refOf(group[0]!.object), places: group.map(({ file, line }) => ({ file, line })) })) },
  });
}
