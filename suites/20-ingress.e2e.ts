/**
 * `zdt verify --entry ingress` end to end: the load goes through an Ingress controller zdt
 * installs (Traefik, built offline) to the example with an Ingress added, by the rule's Host,
 * the path north-south traffic takes behind an Ingress. The controller sends to pod addresses
 * from the EndpointSlices on its own schedule, not through kube-proxy. The verdict holds on it:
 * the example passes, its no-preStop copy fails, and the controller's cluster-scoped objects
 * go with its namespace.
 */
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '../harness/kube/types.ts';
import type { Report } from '../harness/verdict/report.ts';
import { poll } from '../harness/wait.ts';
import { attachedCli, type AttachedCli } from './cli.ts';
import { sharedCluster } from './hooks.ts';
import { variant, withIngress, withoutPreStop } from './variants.ts';

describe('20. zdt verify --entry ingress: through an Ingress controller zdt installs', function () {
  let cli: AttachedCli;
  before(async () => (cli = await attachedCli()));
  after(() => cli[Symbol.asyncDispose]());

  // Traefik takes its share of the 2 cores the nodes and the load generator share: half the default rate keeps the generator on time.
  const verify = (args: string[]) => cli.verify([...args, '--entry', 'ingress', '--scenario', 'node-replacement', '--rate', '100', '--no-lint']);
  const reportJson = async () => JSON.parse(await readFile(join(cli.dir, 'reports', 'report.json'), 'utf8')) as { reports: Report[] };

  it('the example with an Ingress passes (exit 0), its load sent by the rule\'s Host through Traefik; nothing of the controller is left', async function () {
    const r = await verify([await cli.write('ingress', await variant(withIngress))]);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    // The example's own Service holds NodePort 30080: the controller takes the next one kind publishes.
    expect(r.stderr).to.match(/expose: installing Traefik \(zdt\.local\/traefik:v3\.6\.12\) in zdt-node-replacement-ingress-[a-z0-9]+, serving the Ingresses of zdt-node-replacement-[a-z0-9]+ \(class nginx\) on NodePort 30081/);
    expect(r.stderr).to.match(/expose: http:\/\/\d+\.\d+\.\d+\.\d+:30081\/ \(Host web\.example\.test\) -> Traefik -> Service nginx-service's pods, by Ingress nginx \(\S+\/ingress\/app\.yaml:\d+\)/);
    const [report] = (await reportJson()).reports;
    expect(report!.verdict).to.equal('pass');
    expect(report!.totals.failed).to.equal(0);
    expect(report!.totals.scheduled).to.be.above(1000);
    // Requests reached the app's pods through the controller (their header names them), not the controller's own answers.
    expect(report!.answeredBy.length).to.be.at.least(2);
    expect(report!.answeredBy.every((a) => a.label.startsWith('nginx-deployment-')), JSON.stringify(report!.answeredBy)).to.equal(true);
    // The ClusterRole, its binding and the IngressClass (zdt's, the example's class) are owned by the controller's namespace: deleting it deletes them.
    const { api } = await sharedCluster();
    const left = async () => [
      ...(await api.list<KubeObject>({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole' }, { labelSelector: 'app.kubernetes.io/name=zdt-ingress' })),
      ...(await api.list<KubeObject>({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding' }, { labelSelector: 'app.kubernetes.io/name=zdt-ingress' })),
      ...(await api.list<KubeObject>({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass' }, {})),
    ].map((o) => `${o.kind}/${o.metadata?.name}`);
    await poll(async (why) => {
      const names = await left();
      if (names.length === 0) return true;
      why(`still there: ${names.join(', ')}`);
      return undefined;
    }, { timeoutMs: 60_000, intervalMs: 1000, what: "the Ingress controller's cluster-scoped objects to go" });
  });

  it('its no-preStop copy fails (exit 1): the Ingress controller does not hide what the missing preStop does', async function () {
    const r = await verify([await cli.write('ingress-no-prestop', await variant(withIngress, withoutPreStop))]);
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    expect(r.stdout).to.match(/requests failed/);
  });

  it('manifests without an Ingress are refused (exit 2) before any cluster work, saying what to add', async function () {
    const r = await verify([]);
    expect(r.code, r.stdout + r.stderr).to.equal(2);
    expect(r.stderr).to.match(/--entry ingress loads the app through its Ingress, and the manifests hold no Ingress \(networking\.k8s\.io\/v1\): add one, or give --url/);
    expect(r.stderr).to.not.match(/namespace: creating/);
  });
});
