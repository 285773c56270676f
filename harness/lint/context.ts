import type { LoadedManifest } from '../manifests/load.ts';
import { matchesSelector, matchesServiceSelector } from '../manifests/select.ts';
import { namespaceOf, podSources, refOf, type PodSource } from '../manifests/workloads.ts';
import type { PodDisruptionBudget, Service } from '../kube/types.ts';
import type { Finding, Rule } from './types.ts';

export type { PodSource };

export interface LintContext {
  manifests: readonly LoadedManifest[];
  /**
   * Every serving pod source: Deployments, StatefulSets, DaemonSets, ReplicaSets and bare
   * Pods. `replicas` is undefined for a DaemonSet (one pod per node), so rules that count
   * pods decide what a DaemonSet means to them; a bare Pod counts as 1.
   */
  workloads: readonly PodSource[];
  pdbs: readonly LoadedManifest[];
  services: readonly LoadedManifest[];
  /** PDBs whose selector matches the source's pod labels. */
  pdbsFor(source: PodSource): LoadedManifest[];
  /** Pod sources a PDB selects, Jobs included (an absent policy/v1 selector selects none). */
  podSourcesForPdb(pdb: LoadedManifest): PodSource[];
  /** Services whose selector matches the source's pod labels. */
  servicesFor(source: PodSource): LoadedManifest[];
  /** Pod sources a Service selects, Jobs included (a Service without selector selects none). */
  podSourcesForService(service: LoadedManifest): PodSource[];
}

/** A finding about `manifest`, located at its document. */
export function finding(rule: Rule, manifest: LoadedManifest, message: string, fix: string): Finding {
  return { ruleId: rule.id, severity: rule.severity, message, object: refOf(manifest.object), file: manifest.file, line: manifest.line, ...(manifest.rendered ? { rendered: manifest.rendered } : {}), fix };
}

export function buildContext(manifests: readonly LoadedManifest[]): LintContext {
  const sources = podSources(manifests);
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
    workloads: sources.filter((source) => source.serving),
    pdbs,
    services,
    pdbsFor: (source) => pdbs.filter((pdb) => pdbSelects(pdb, source)),
    podSourcesForPdb: (pdb) => sources.filter((source) => pdbSelects(pdb, source)),
    servicesFor: (source) => services.filter((service) => serviceSelects(service, source)),
    podSourcesForService: (service) => sources.filter((source) => serviceSelects(service, source)),
  };
}
