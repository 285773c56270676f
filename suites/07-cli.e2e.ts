/**
 * `zdt verify` end to end on the real cluster (attached by kubeconfig, so the shared cluster
 * is reused): a copy without the preStop exits 1 with the reason, the example behind a
 * ClusterIP Service passes and writes its reports, so does the load sent to a URL the user
 * gives (--url), and an unreachable cluster exits 2. The example itself and its no-PDB copy
 * run through the same command in suite 15 (--mutants), and the no-PDB twin in suite 4.
 */
import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runCli } from '../harness/cli/program.ts';
import type { LoadedManifest } from '../harness/manifests/load.ts';
import type { Report } from '../harness/verdict/report.ts';
import { attachedCli, type AttachedCli } from './cli.ts';
import { sharedCluster } from './hooks.ts';
import { clusterIpService, variant, withoutPreStop } from './variants.ts';

describe('7. zdt verify on the real cluster', function () {
  let cli: AttachedCli;
  before(async () => (cli = await attachedCli()));
  after(() => cli[Symbol.asyncDispose]());

  const verify = (args: string[]) => cli.verify([...args, '--scenario', 'node-replacement', '--no-lint']);
  const writeVariant = (name: string, manifests: LoadedManifest[]) => cli.write(name, manifests);
  const reportJson = async () => JSON.parse(await readFile(join(cli.dir, 'reports', 'report.json'), 'utf8')) as { reports: Report[] };

  it('exits 1 on a copy without the preStop hook, and says requests failed, on the new connections the default load opens', async function () {
    const r = await verify([await writeVariant('no-prestop', await variant(withoutPreStop))]);
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    expect(r.stdout).to.match(/requests failed/);
    // Only a new connection is routed afresh to the pod that quit: keep-alive load alone once passed this twin.
    const fresh = (await reportJson()).reports[0]!.connections.find((c) => c.connection === 'new');
    expect(fresh?.failed, r.stdout).to.be.above(0);
    expect(r.stdout).to.match(/^  connections     keep-alive: \d+ of \d+ failed.*; new: [1-9]\d* of \d+ failed/m);
  });

  it('verifies the example behind a ClusterIP Service the same way, through a NodePort Service it adds', async function () {
    const r = await verify([await writeVariant('clusterip', await variant(clusterIpService))]);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout + r.stderr).to.match(/nginx-service-zdt-nodeport/);
    expect(r.stdout).to.match(/PASS node-replacement: \d+ requests, 0 failed; an outage shorter than [\d.]+ (ms|s) could have gone unseen/);
    expect((await reportJson()).reports.map((x) => x.verdict), 'the reports written').to.deep.equal(['pass']);
  });

  it('--url: the load enters where the user says and the verdict holds the same: the example passes, its no-preStop copy fails', async function () {
    // A URL zdt did not set up, as a load balancer or Ingress host of a cluster that is not kind
    // would be: the control-plane node's NodePort on the kind network, named by address.
    const entry = await (await sharedCluster()).entryNode();
    const url = `http://${entry!.address}:30080/`;
    const good = await verify(['--url', url]);
    expect(good.code, good.stdout + good.stderr).to.equal(0);
    expect(good.stderr).to.include(`expose: ${url} -> Service nginx-service as the URL routes it`);
    const [report] = (await reportJson()).reports;
    expect(report!.services[0]!.url).to.equal(url);
    expect(report!.routing?.method, 'no conntrack: zdt cannot tell where the URL enters').to.equal('header');
    const bad = await verify(['--url', url, await writeVariant('url-no-prestop', await variant(withoutPreStop))]);
    expect(bad.code, bad.stdout + bad.stderr).to.equal(1);
    expect(bad.stdout).to.match(/requests failed/);
  });

  it('exits 2 naming the problem when the cluster is unreachable', async function () {
    const bad = join(cli.dir, 'unreachable');
    await writeFile(
      bad,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'gone', cluster: { server: 'https://127.0.0.1:1' } }],
        users: [{ name: 'u', user: { token: 'x' } }],
        contexts: [{ name: 'gone', context: { cluster: 'gone', user: 'u' } }],
        'current-context': 'gone',
      }),
    );
    let stderr = '';
    const io = { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) }, env: process.env, signal: new AbortController().signal };
    const code = await runCli(['verify', '--kubeconfig', bad, '--scenario', 'rollout', '--no-lint', '--report-dir', join(cli.dir, 'r-bad')], io);
    expect(code).to.equal(2);
    expect(stderr).to.match(/cannot reach the cluster/);
  });
});
