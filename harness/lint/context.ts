import type { LoadedManifest } from '../manifests/load.ts';
import { matchesSelector, matchesServiceSelector } from '../manifests/select.ts';
import type { KubeObject, PodDisruptionBudget, PodSpec, Service } from '../kube/types.ts';
import type { Finding, Rule } from './types.ts';

/** Anything that creates pods from a template (or a bare Pod): what selectors can match. */
export interface PodSource {
  manifest: LoadedManifest;
  /** `Kind/namespace/name`. */
  ref: string;
  namespace: string;
  labels: Record<string, string> | undefined;
  spec: PodSpec | undefined;
}

/** A Deployment or StatefulSet: the workloads whose drains zdt verifies. */
export interface Workload extends PodSource {
  /** spec.replicas, 1 when unset as the API server defaults it. */
  replicas: number;
}

export interface LintContext {
  manifests: readonly LoadedManifest[];
  workloads: readonly Workload[];
  pdbs: readonly LoadedManifest[];
  services: readonly LoadedManifest[];
  /** PDBs whose selector matches the workload's pod template labels. */
  pdbsFor(workload: Workload): LoadedManifest[];
  /** Pod sources a PDB selects (an absent policy/v1 selector selects none). */
  podSourcesForPdb(pdb: LoadedManifest): PodSource[];
  /** Services whose selector matches the workload's pod template labels. */
  servicesFor(workload: Workload): LoadedManifest[];
  /** Pod sources a Service selects (a Service without selector selects none). */
  podSourcesForService(service: LoadedManifest): PodSource[];
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet']);
const TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

/** Unnamespaced manifests are assumed to land together in `default` (kubectl without `-n`). */
export function namespaceOf(object: KubeObject): string {
  return object.metadata?.namespace ?? 'default';
}

export function refOf(object: KubeObject): string {
  return `${object.kind}/${namespaceOf(object)}/${object.metadata?.name}`;
}

/** A finding about `manifest`, located at its document. */
export function finding(rule: Rule, manifest: LoadedManifest, message: string, fix: string): Finding {
  return { ruleId: rule.id, severity: rule.severity, message, object: refOf(manifest.object), file: manifest.file, line: manifest.line, fix };
}

interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec?: PodSpec;
}

function podTemplateOf(object: KubeObject): PodTemplate | undefined {
  const spec = object.spec as { template?: PodTemplate; jobTemplate?: { spec?: { template?: PodTemplate } } } | undefined;
  if (object.kind === 'Pod') return { metadata: object.metadata, spec: object.spec as PodSpec | undefined };
  if (object.kind === 'CronJob') return spec?.jobTemplate?.spec?.template;
  if (TEMPLATE_KINDS.has(object.kind ?? '')) return spec?.template;
  return undefined;
}

export function buildContext(manifests: readonly LoadedManifest[]): LintContext {
  const podSources: PodSource[] = [];
  const workloads: Workload[] = [];
  for (const manifest of manifests) {
    const template = podTemplateOf(manifest.object);
    if (!template) continue;
    const source: PodSource = {
      manifest,
      ref: refOf(manifest.object),
      namespace: namespaceOf(manifest.object),
      labels: template.metadata?.labels,
      spec: template.spec,
    };
    podSources.push(source);
    if (WORKLOAD_KINDS.has(manifest.object.kind ?? '')) {
      const replicas = (manifest.object.spec as { replicas?: unknown } | undefined)?.replicas;
      workloads.push({ ...source, replicas: typeof replicas === 'number' ? replicas : 1 });
    }
  }
  const ofKind = (kind: string) => manifests.filter((m) => m.object.kind === kind);
  const pdbs = ofKind('PodDisruptionBudget');
  const services = ofKind('Service');

  const pdbSelects = (pdb: LoadedManifest, source: PodSource): boolean => {
    const selector = (pdb.object as PodDisruptionBudget).spec?.selector;
    return selector !== undefined && namespaceOf(pdb.object) === source.namespace && matchesSelector(source.labels, selector);
  };
  const serviceSelects = (service: LoadedManifest, source: PodSource): boolean =>
    namespaceOf(service.object) === source.namespace &&
    matchesServiceSelector(source.labels, (service.object as Service).spec?.selector);

  return {
    manifests,
    workloads,
    pdbs,
    services,
    pdbsFor: (workload) => pdbs.filter((pdb) => pdbSelects(pdb, workload)),
    podSourcesForPdb: (pdb) => podSources.filter((source) => pdbSelects(pdb, source)),
    servicesFor: (workload) => services.filter((service) => serviceSelects(service, workload)),
    podSourcesForService: (service) => podSources.filter((source) => serviceSelects(service, source)),
  };
}
