import type { ClusterOptions } from '../cluster/cluster.ts';
import type { ScenarioOptions, ScenarioResult } from '../scenario/types.ts';

/** The cluster side of `zdt verify`, injectable so tests can run the command against a fake. */
export interface VerifyDeps {
  /** Creates or attaches to the one cluster every selected scenario runs on. */
  startCluster(options: ClusterOptions): Promise<VerifySession>;
}

export interface VerifySession {
  /** The kind cluster's name (or the kubeconfig context when attached). */
  readonly name: string;
  /** delete() will delete the cluster: this run created it. */
  readonly deletesCluster: boolean;
  runScenario(options: ScenarioOptions): Promise<ScenarioResult>;
  /** Deletes the cluster if this run created it (and was not asked to keep it). */
  delete(): Promise<void>;
}

/** The real cluster, imported on first use so `zdt lint` never loads the Kubernetes client. */
export const clusterDeps: VerifyDeps = {
  async startCluster(options) {
    const [{ Cluster }, { runScenario }] = await Promise.all([import('../cluster/cluster.ts'), import('../scenario/run.ts')]);
    const cluster = await Cluster.start(options);
    return { name: cluster.name, deletesCluster: cluster.deletesCluster, runScenario: (scenario) => runScenario(cluster, scenario), delete: () => cluster.delete() };
  },
};
