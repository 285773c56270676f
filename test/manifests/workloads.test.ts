import { expect } from 'chai';
import { parseManifests } from '../../harness/manifests/load.ts';
import { atAutoscalerFloor, podSources, rolloutEffect, workloadProblem } from '../../harness/manifests/workloads.ts';

const template = 'template: {metadata: {labels: {app: a}}, spec: {containers: [{name: c, image: i}]}}';
const manifests = parseManifests(
  [
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 3, ${template}}`,
    `apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s, namespace: db}\nspec: {${template}}`,
    `apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: ds}\nspec: {updateStrategy: {type: OnDelete}, ${template}}`,
    `apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: rs}\nspec: {replicas: 2, ${template}}`,
    `apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: a}}\nspec: {containers: [{name: c, image: i}]}`,
    `apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec: {${template}}`,
    `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}`,
  ].join('\n---\n'),
  'app.yaml',
);

describe('manifests/workloads', () => {
  it("puts each autoscaled workload at its HorizontalPodAutoscaler's minReplicas, and leaves the rest and the input alone", () => {
    const hpa = (name: string, target: string, min = '') =>
      `apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: ${name}}\nspec: {scaleTargetRef: {kind: Deployment, name: ${target}}, ${min} maxReplicas: 9}`;
    const input = parseManifests(
      [
        `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 5, ${template}}`,
        `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec: {${template}}`,
        `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db}\nspec: {replicas: 3, ${template}}`,
        hpa('web-hpa', 'web', 'minReplicas: 2,'),
        hpa('api-hpa', 'api'),
      ].join('\n---\n'),
      'app.yaml',
    );
    expect(podSources(input).map((s) => [s.name, s.replicas, s.autoscaler?.object.metadata?.name])).to.deep.equal([
      ['web', 2, 'web-hpa'],
      ['api', 1, 'api-hpa'],
      ['db', 3, undefined],
    ]);
    const { manifests: applied, floored } = atAutoscalerFloor(input);
    expect(applied.map((m) => (m.object.spec as { replicas?: number } | undefined)?.replicas)).to.deep.equal([2, 1, 3, undefined, undefined]);
    expect(floored.map((f) => [f.source.name, f.replicas])).to.deep.equal([['web', 2], ['api', 1]]);
    expect((input[0]!.object.spec as { replicas: number }).replicas, 'input unchanged').to.equal(5);
  });

  it('finds every pod source with its template, replicas and whether a controller owns it', () => {
    const sources = podSources(manifests).map((s) => [s.ref, s.serving, s.controlled, s.replicas, s.labels?.app]);
    expect(sources).to.deep.equal([
      ['Deployment/default/d', true, true, 3, 'a'],
      ['StatefulSet/db/s', true, true, 1, 'a'],
      ['DaemonSet/default/ds', true, true, undefined, 'a'],
      ['ReplicaSet/default/rs', true, true, 2, 'a'],
      ['Pod/default/p', true, false, 1, 'a'],
      ['Job/default/j', false, true, undefined, 'a'],
    ]);
  });

  it('says what a template change does to running pods, per kind and strategy', () => {
    expect(podSources(manifests).map((s) => `${s.kind}:${rolloutEffect(s)}`)).to.deep.equal([
      'Deployment:replaces-pods',
      'StatefulSet:replaces-pods',
      'DaemonSet:no-effect',
      'ReplicaSet:no-effect',
      'Pod:recreate-by-hand',
      'Job:no-effect',
    ]);
  });

  const live = (kind: string, status: object, spec: object = { replicas: 2 }, generation = 1) => ({
    kind,
    metadata: { generation },
    spec,
    status: { observedGeneration: 1, ...status },
  });

  it('Deployment: rolled out as kubectl rollout status says', () => {
    expect(workloadProblem(live('Deployment', {}, { replicas: 2 }, 2))).to.equal('change not observed by its controller yet');
    expect(workloadProblem(live('Deployment', { updatedReplicas: 1 }))).to.equal('1/2 replicas updated');
    expect(workloadProblem(live('Deployment', { updatedReplicas: 2, replicas: 3 }))).to.equal('1 old replica(s) still terminating');
    expect(workloadProblem(live('Deployment', { updatedReplicas: 2, replicas: 2, availableReplicas: 1 }))).to.equal('1/2 replicas available');
    expect(workloadProblem(live('Deployment', { updatedReplicas: 2, replicas: 2, availableReplicas: 2 }))).to.equal(undefined);
  });

  it('StatefulSet: ready and at its update revision (OnDelete: ready only)', () => {
    expect(workloadProblem(live('StatefulSet', { readyReplicas: 1 }))).to.equal('1/2 replicas ready');
    expect(workloadProblem(live('StatefulSet', { readyReplicas: 2, updatedReplicas: 1 }))).to.equal('1/2 replicas updated');
    expect(workloadProblem(live('StatefulSet', { readyReplicas: 2, updatedReplicas: 2, currentRevision: 'a', updateRevision: 'b' }))).to.match(/current revision a is not the update revision b/);
    expect(workloadProblem(live('StatefulSet', { readyReplicas: 2, updatedReplicas: 2, currentRevision: 'b', updateRevision: 'b' }))).to.equal(undefined);
    expect(workloadProblem(live('StatefulSet', { readyReplicas: 2, currentRevision: 'a', updateRevision: 'b' }, { replicas: 2, updateStrategy: { type: 'OnDelete' } }))).to.equal(undefined);
  });

  it('DaemonSet: updated and ready on every node it wants', () => {
    expect(workloadProblem(live('DaemonSet', { desiredNumberScheduled: 3, updatedNumberScheduled: 2, numberReady: 3 }))).to.equal('2/3 pods updated');
    expect(workloadProblem(live('DaemonSet', { desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberReady: 2 }))).to.equal('2/3 pods ready');
    expect(workloadProblem(live('DaemonSet', { desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberReady: 3 }))).to.equal(undefined);
  });

  it('ReplicaSet and bare Pod: ready', () => {
    expect(workloadProblem(live('ReplicaSet', { readyReplicas: 1 }))).to.equal('1/2 replicas ready');
    expect(workloadProblem(live('ReplicaSet', { readyReplicas: 2 }))).to.equal(undefined);
    const pod = (ready: string, deleting = false) => ({ kind: 'Pod', metadata: deleting ? { deletionTimestamp: 'x' } : {}, status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready }] } });
    expect(workloadProblem(pod('False'))).to.equal('phase Running, not ready');
    expect(workloadProblem(pod('True', true))).to.equal('terminating');
    expect(workloadProblem(pod('True'))).to.equal(undefined);
  });
});
