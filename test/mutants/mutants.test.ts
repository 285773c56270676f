import { expect } from 'chai';
import { EXAMPLE_MANIFESTS } from '../../harness/cli/example.ts';
import type { Container, Deployment, PodSpec } from '../../harness/kube/types.ts';
import { loadManifests, parseManifests, type LoadedManifest } from '../../harness/manifests/load.ts';
import { deriveMutants, MUTANT_NAMES, SHORT_GRACE_SECONDS, type Mutant } from '../../harness/mutants/mutants.ts';

const deployment = (m: readonly LoadedManifest[]) => m.find((x) => x.object.kind === 'Deployment')!.object as Deployment;
const podSpec = (m: readonly LoadedManifest[]) => deployment(m).spec!.template!.spec as PodSpec;
const container = (m: readonly LoadedManifest[]) => podSpec(m).containers[0] as Container;
const kinds = (m: readonly LoadedManifest[]) => m.map((x) => x.object.kind);

describe('mutants', () => {
  it('derives all five twins of the bundled example, each with one thing taken away, leaving the original as it was', async () => {
    const original = await loadManifests(EXAMPLE_MANIFESTS);
    const before = structuredClone(original);
    const { mutants, notApplicable } = deriveMutants(original);
    expect(notApplicable).to.deep.equal([]);
    expect(mutants.map((m) => m.name)).to.deep.equal([...MUTANT_NAMES]);
    const twin = (name: string) => mutants.find((m) => m.name === name) as Mutant;

    expect(container(twin('no-prestop').manifests).lifecycle).to.equal(undefined);
    expect(container(twin('no-prestop').manifests).readinessProbe, 'only the hook goes').to.not.equal(undefined);
    expect(kinds(twin('no-pdb').manifests)).to.deep.equal(['ConfigMap', 'Deployment', 'Service']);
    expect(container(twin('no-readiness-probe').manifests).readinessProbe).to.equal(undefined);
    expect(podSpec(twin('short-grace').manifests).terminationGracePeriodSeconds).to.equal(SHORT_GRACE_SECONDS);
    expect(deployment(twin('one-replica').manifests).spec!.replicas).to.equal(1);

    expect(twin('no-prestop').change).to.equal('no preStop hook on Deployment/default/nginx-deployment');
    expect(twin('short-grace').change).to.equal('terminationGracePeriodSeconds 1 on Deployment/default/nginx-deployment, shorter than its preStop delay');
    for (const m of mutants) {
      expect(m.ifMissed, m.name).to.match(/^nothing failed /);
      expect(kinds(m.manifests).filter((k) => k !== 'PodDisruptionBudget'), m.name).to.deep.equal(['ConfigMap', 'Deployment', 'Service']);
    }
    expect(original).to.deep.equal(before);
  });

  it('says why a twin does not apply when there is nothing to take away', () => {
    const bare = parseManifests(
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
      - name: web
        image: zdt.local/nginx:1.22
        lifecycle: { preStop: { exec: { command: ["sleep", "1"] } } }
`,
      'web.yaml',
    );
    const { mutants, notApplicable } = deriveMutants(bare);
    expect(mutants.map((m) => m.name)).to.deep.equal(['no-prestop']);
    expect(notApplicable).to.deep.equal([
      { name: 'no-pdb', reason: 'the manifests have no PodDisruptionBudget' },
      { name: 'no-readiness-probe', reason: 'no serving container has a readiness probe' },
      { name: 'short-grace', reason: 'no serving workload has a preStop delay longer than 1 s to cut short' },
      { name: 'one-replica', reason: 'no serving workload runs more than one replica' },
    ]);
  });

  it("takes an autoscaled workload to one replica through its HorizontalPodAutoscaler's minReplicas, and leaves Jobs alone", () => {
    const manifests = parseManifests(
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: api }
spec:
  replicas: 3
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec: { containers: [{ name: api, image: zdt.local/nginx:1.22, readinessProbe: { tcpSocket: { port: 80 } } }] }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: api }
spec: { scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: api }, minReplicas: 2, maxReplicas: 5 }
---
apiVersion: batch/v1
kind: Job
metadata: { name: migrate }
spec: { template: { spec: { restartPolicy: Never, containers: [{ name: m, image: zdt.local/nginx:1.22, readinessProbe: { tcpSocket: { port: 80 } } }] } } }
`,
      'api.yaml',
    );
    const { mutants } = deriveMutants(manifests);
    const oneReplica = mutants.find((m) => m.name === 'one-replica')!;
    expect((oneReplica.manifests[1]!.object.spec as { minReplicas: number }).minReplicas).to.equal(1);
    expect(oneReplica.change).to.equal('one replica of Deployment/default/api');
    const noProbe = mutants.find((m) => m.name === 'no-readiness-probe')!;
    expect(noProbe.change).to.equal('no readiness probe on Deployment/default/api');
    const job = noProbe.manifests[2]!.object.spec as { template: { spec: PodSpec } };
    expect(job.template.spec.containers[0]!.readinessProbe, 'a Job serves no Service').to.not.equal(undefined);
  });
});
