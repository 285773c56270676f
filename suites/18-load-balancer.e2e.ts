/**
 * `zdt verify --entry load-balancer` end to end: the load enters through a load balancer zdt
 * starts in front of every worker's NodePort (haproxy on the kind network, health-checking each
 * node as GCE does), the path a cloud LoadBalancer Service's traffic takes. The verdict holds on
 * it: the example passes, its no-preStop copy fails, and nothing is left behind.
 */
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zdtContainers } from '../harness/cluster/docker.ts';
import type { Report } from '../harness/verdict/report.ts';
import { attachedCli, type AttachedCli } from './cli.ts';
import { sharedCluster } from './hooks.ts';
import { expectCauses } from './scenario.ts';
import { externalTrafficPolicy, gracePeriod, preStopDelay, variant, withoutPreStop } from './variants.ts';


describe('18. zdt verify --entry load-balancer: through a load balancer in front of every worker', function () {
  let cli: AttachedCli;
  before(async () => (cli = await attachedCli()));
  after(() => cli[Symbol.asyncDispose]());
  afterEach(async () => expect(await zdtContainers((await sharedCluster()).kindName!), 'load balancer containers left').to.deep.equal([]));

  const verify = (args: string[]) => cli.verify([...args, '--entry', 'load-balancer', '--scenario', 'node-replacement', '--no-lint']);
  const reportJson = async () => JSON.parse(await readFile(join(cli.dir, 'reports', 'report.json'), 'utf8')) as { reports: Report[] };

  it('the bundled example passes (exit 0), its load sent through the load balancer to the workers', async function () {
    const r = await verify([]);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stderr).to.match(/expose: starting a load balancer \(haproxy\) in front of (zdt-worker\d?, ){3}zdt-worker\d?\n/);
    // The load goes to the load balancer's own address on the kind network: nothing is published on the host.
    expect(r.stderr).to.match(/expose: http:\/\/\d+\.\d+\.\d+\.\d+:8080\/ -> zdt-lb-[a-z0-9-]+ -> NodePort \d+ on 4 nodes, each checked on kube-proxy's \/healthz \(10256\)/);
    const [report] = (await reportJson()).reports;
    expect(report!.verdict).to.equal('pass');
    expect(report!.routing?.method, 'requests attributed by the pod header').to.equal('header');
    // Every request reached a pod through the load balancer: none went unanswered by one.
    expect(report!.totals.failed).to.equal(0);
    expect(report!.totals.scheduled).to.be.above(1000);
  });

  it('its no-preStop copy fails (exit 1): the load balancer does not hide what the missing preStop does', async function () {
    const r = await verify([await cli.write('lb-no-prestop', await variant(withoutPreStop))]);
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    expect(r.stdout).to.match(/requests failed/);
  });

  // Under Local a node without a serving pod of its own drops what reaches it, and a load balancer
  // goes on sending there until its health check takes the node out: GCE's 8 s × 3, up to 24 s
  // after the pod left. The example's 5 s preStop delay is far shorter; 30 s is longer.
  it("externalTrafficPolicy Local: the example's 5 s preStop delay fails, blamed on the load balancer's detection time", async function () {
    const r = await verify([await cli.write('lb-local', await variant(externalTrafficPolicy('Local')))]);
    expect(r.stderr).to.match(/each checked on the Service's healthCheckNodePort \d+ \(externalTrafficPolicy Local\)/);
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    const [report] = (await reportJson()).reports;
    expectCauses(report!, 'lb-stale-backend');
    const down = report!.timeline.filter((e) => e.kind === 'lb-backend-down');
    expect(down.length, 'drained nodes taken out of rotation during the run').to.be.at.least(1);
  });

  it('externalTrafficPolicy Local with a preStop delay past the detection time (sleep 30, grace 45) passes', async function () {
    const r = await verify([await cli.write('lb-local-30s', await variant(externalTrafficPolicy('Local'), preStopDelay(30), gracePeriod(45))), '--drain-timeout', '240']);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    const [report] = (await reportJson()).reports;
    expect(report!.timeline.filter((e) => e.kind === 'lb-backend-down').length, 'drained nodes taken out of rotation while their pods still served').to.be.at.least(1);
  });
});
