/**
 * The load from inside the cluster (`--entry in-cluster`), on the shared kind cluster attached
 * through its kubeconfig as if it were foreign: no NodePort of its is used, the load pod's image
 * is named with --load-image (as a user names one in their registry), and the load enters
 * in-cluster because --kubeconfig makes that the default. The verdict holds on the east-west
 * path: the example passes, its no-preStop copy fails; the records come back on this machine's
 * clock, the measured offset printed.
 */
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OFFLINE_LOAD_IMAGE } from '../harness/cluster/images.ts';
import type { Report } from '../harness/verdict/report.ts';
import { attachedCli, type AttachedCli } from './cli.ts';
import { variant, withoutPreStop } from './variants.ts';

describe('19. zdt verify --kubeconfig: the load from a pod in the cluster (--entry in-cluster)', function () {
  let cli: AttachedCli;
  before(async () => (cli = await attachedCli({ cliDefaultEntry: true })));
  after(() => cli[Symbol.asyncDispose]());

  const verify = (args: string[]) => cli.verify([...args, '--allow-disruption', '--load-image', OFFLINE_LOAD_IMAGE, '--scenario', 'node-replacement', '--no-lint']);
  const reportJson = async () => JSON.parse(await readFile(join(cli.dir, 'reports', 'report.json'), 'utf8')) as { reports: Report[] };

  it('the bundled example passes (exit 0) with the load from a pod on the control plane, its clock offset printed', async function () {
    const r = await verify([]);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stderr).to.match(/expose: http:\/\/nginx-service\.zdt-node-replacement-[a-z0-9]+\.svc:80\/ -> Service nginx-service .* from a pod, through its node's kube-proxy/);
    const offset = /load: load pod zdt-load-0 on (\S+): its clock ([+-]\d+\.\d) ms ± (\d+\.\d) ms against this machine's/.exec(r.stderr);
    expect(offset, 'the clock offset line').to.not.equal(null);
    expect(offset![1], 'the load pod runs where no scenario drains').to.equal('zdt-control-plane');
    // kind's nodes share this machine's clock: the offset is within its own uncertainty (plus rounding).
    expect(Math.abs(Number(offset![2]))).to.be.at.most(Number(offset![3]) + 1);
    const [report] = (await reportJson()).reports;
    expect(report!.verdict).to.equal('pass');
    expect(report!.totals.failed).to.equal(0);
    expect(report!.totals.scheduled).to.be.above(1000);
    expect(report!.timeline.some((e) => e.kind === 'note' && e.subject === 'pod/zdt-load-0' && /clock offset/.test(e.detail ?? ''))).to.equal(true);
    // The records lie on the run clock: the load's first request after its start, the maintenance within the load.
    const start = report!.timeline.find((e) => e.kind === 'load-start')!.t;
    const firstCordon = report!.timeline.find((e) => e.kind === 'cordon')!.t;
    expect(start).to.be.below(firstCordon);
  });

  it('its no-preStop copy fails (exit 1): pods that stop at once fail requests on the east-west path too', async function () {
    const r = await verify([await cli.write('in-cluster-no-prestop', await variant(withoutPreStop))]);
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    expect(r.stdout).to.match(/requests failed/);
  });

  it('--load-node naming a node the scenario drains is refused (exit 2), naming the flag', async function () {
    const r = await verify(['--load-node', 'zdt-worker']);
    expect(r.code, r.stdout + r.stderr).to.equal(2);
    expect(r.stderr).to.match(/--load-node zdt-worker: the scenario may take that node away/);
  });
});
