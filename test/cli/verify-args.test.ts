import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { CLI_DRAIN_FLAGS } from '../../harness/drain/options.ts';
import { OFFLINE_LOAD_IMAGE, OFFLINE_NGINX_IMAGE } from '../../harness/cluster/images.ts';
import { KUBE_PROXY_MODES, unsupportedReason } from '../../harness/cluster/proxy-mode.ts';
import { cli, fakeCluster } from './fakes.ts';

const GOOD = 'test/fixtures/lint/good';

const deployment = (name: string, labels: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 2
  selector:
    matchLabels: {${labels}}
  template:
    metadata:
      labels: {${labels}}
    spec:
      containers:
        - name: app
          image: local/${name}:dev
`;
const service = (name: string, selector: string) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector: {${selector}}
  ports:
    - port: 80
`;

describe('zdt verify: input validation (exit 2 before any cluster)', () => {
  let dir: string;
  const write = async (name: string, files: Record<string, string>) => {
    const sub = join(dir, name);
    await mkdir(sub);
    for (const [file, text] of Object.entries(files)) await writeFile(join(sub, file), text);
    return sub;
  };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zdt-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** Runs verify, expects exit 2 with `pattern` on stderr, and that no cluster was started. */
  const rejects = async (argv: string[], pattern: RegExp) => {
    const fake = fakeCluster();
    const run = await cli(['verify', ...argv], fake);
    expect(run.code, run.stderr).to.equal(2);
    expect(run.stderr).to.match(pattern);
    expect(fake.started).to.have.length(0);
    return run;
  };

  it('rejects a --rate that is not a positive number, naming the value', async () => {
    await rejects([GOOD, '--rate', 'abc'], /--rate must be a number > 0, got "abc"/);
    await rejects([GOOD, '--rate', '0'], /--rate must be a number > 0, got "0"/);
  });

  it('rejects negative --warmup/--settle and a zero --drain-timeout', async () => {
    await rejects([GOOD, '--warmup', '-1'], /--warmup must be a number of seconds >= 0, got "-1"/);
    await rejects([GOOD, '--settle', 'x'], /--settle .*"x"/);
    await rejects([GOOD, '--drain-timeout', '0'], /--drain-timeout must be a number > 0/);
  });

  it('rejects an unknown --scenario or --connection, listing the choices', async () => {
    await rejects([GOOD, '--scenario', 'chaos'], /'chaos' is invalid\. Allowed choices are parallel-drain, node-replacement, rollout, node-crash, node-freeze, node-partition, all/);
    await rejects([GOOD, '--connection', 'pipelined'], /Allowed choices are keep-alive, new, mixed/);
  });

  it('runs a node fault only when named, for --disruption-seconds, judged against --max-failed and --max-outage', async () => {
    const fake = fakeCluster();
    const all = await cli(['verify', GOOD, '--report-dir', join(dir, 'r-fault'), '--no-lint'], fake);
    expect(all.code, all.stderr).to.equal(0);
    expect(fake.ran.map((o) => o.name)).to.deep.equal(['parallel-drain', 'node-replacement', 'rollout']);
    expect(fake.ran[0]!.budget).to.deep.equal({ maxFailed: undefined, maxOutageMs: undefined });
    const crash = await cli(['verify', GOOD, '--scenario', 'node-crash', '--disruption-seconds', '75', '--max-failed', '0.5%', '--max-outage', '2500', '--report-dir', join(dir, 'r-fault'), '--no-lint'], fake);
    expect(crash.code, crash.stderr).to.equal(0);
    expect(fake.ran[3]).to.deep.include({ name: 'node-crash', maintenance: { kind: 'node-fault', fault: 'kill', forMs: 75_000 }, budget: { maxFailed: { percent: 0.5 }, maxOutageMs: 2500 } });
    const freeze = await cli(['verify', GOOD, '--scenario', 'node-freeze', '--report-dir', join(dir, 'r-fault'), '--no-lint'], fake);
    expect(freeze.code, freeze.stderr).to.equal(0);
    expect(fake.ran[4]!.maintenance).to.deep.equal({ kind: 'node-fault', fault: 'pause', forMs: 60_000 });
  });

  it('runs every scenario once per kube-proxy mode, each on its own cluster, and says why a mode this kernel cannot run was skipped', async () => {
    const fake = fakeCluster();
    const one = await cli(['verify', GOOD, '--kube-proxy-mode', 'nftables', '--scenario', 'rollout', '--report-dir', join(dir, 'r-mode'), '--no-lint'], fake);
    expect(fake.started.map((o) => o.kubeProxyMode)).to.deep.equal(['nftables']);
    expect(fake.ran.map((o) => o.name)).to.deep.equal(['rollout-nftables']);
    expect(one.stdout).to.match(/zdt: (PASS|COULD NOT VERIFY) \(exit [02]\): rollout-nftables (pass|skipped)/);

    const all = fakeCluster();
    const run = await cli(['verify', GOOD, '--kube-proxy-mode', 'all', '--scenario', 'rollout', '--report-dir', join(dir, 'r-mode'), '--no-lint'], all);
    const runnable = KUBE_PROXY_MODES.filter((m) => unsupportedReason(m) === undefined);
    expect(all.started.map((o) => o.kubeProxyMode)).to.deep.equal(runnable);
    expect(all.ran.map((o) => o.name)).to.deep.equal(runnable.map((m) => `rollout-${m}`));
    for (const mode of KUBE_PROXY_MODES.filter((m) => !runnable.includes(m))) {
      expect(run.stderr).to.include(`zdt: skipping kube-proxy mode ${mode}: ${unsupportedReason(mode)}`);
      expect(run.stdout).to.include(`rollout-${mode} skipped (kube-proxy mode ${mode}: `);
    }
    expect(run.code).to.equal(0);
    // This host cannot run ipvs: a run that asks only for it proves nothing.
    const skippedOnly = fakeCluster();
    const ipvs = await cli(['verify', GOOD, '--kube-proxy-mode', 'ipvs', '--scenario', 'rollout', '--report-dir', join(dir, 'r-mode'), '--no-lint'], skippedOnly);
    expect(ipvs.code).to.equal(unsupportedReason('ipvs') === undefined ? 0 : 2);
    await rejects([GOOD, '--kube-proxy-mode', 'ebpf'], /Allowed choices are iptables, nftables, ipvs, all/);
    await rejects([GOOD, '--kube-proxy-mode', 'ipvs', '--kubeconfig', 'k'], /'--kube-proxy-mode <mode>' cannot be used with option '--kubeconfig <file>'/);
  });

  it('rejects a bad budget or disruption length, naming the flag and the value', async () => {
    await rejects([GOOD, '--max-failed', 'some'], /--max-failed takes a number of requests \(12\) or a percent of those sent \(0.5%\), got "some"/);
    await rejects([GOOD, '--max-failed', '150%'], /--max-failed .*got "150%"/);
    await rejects([GOOD, '--max-outage', '-3'], /--max-outage must be a number of milliseconds >= 0, got "-3"/);
    await rejects([GOOD, '--disruption-seconds', '0'], /--disruption-seconds must be a number > 0, got "0"/);
  });

  it('rejects a missing directory', async () => {
    await rejects([join(dir, 'nope')], /manifest directory .*nope does not exist.*\[ZDT_MANIFEST\]/);
  });

  it('names file:line of a YAML error', async () => {
    const bad = await write('yaml-error', { 'app.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [web\n' });
    await rejects([bad], new RegExp(`${join(bad, 'app.yaml').replace(/[.]/g, '\\.')}:\\d+(:\\d+)?: .*\\[ZDT_MANIFEST\\]`));
  });

  it('rejects an unknown --service, listing the Services there', async () => {
    await rejects([GOOD, '--service', 'api'], /no Service named api .*found: web.*\[ZDT_SERVICE\]/);
  });

  it('rejects a Service whose selector matches no pod template, naming file:line', async () => {
    const sub = await write('unmatched', { 'app.yaml': `${deployment('web', 'app: web')}---\n${service('web', 'app: webb')}` });
    await rejects([sub], /app\.yaml:\d+: Service web selects .*webb.*matches no pod template.*\[ZDT_SERVICE\]/);
  });

  it('--entry: nodeport on a kind cluster it creates, in-cluster with --kubeconfig unless --url or --entry says otherwise; --load-node and --load-image go with in-cluster', async () => {
    const kubeconfig = join(dir, 'kubeconfig-entry');
    await writeFile(kubeconfig, 'apiVersion: v1\nkind: Config\n');
    const fake = fakeCluster();
    const run = async (...args: string[]) => {
      const r = await cli(['verify', GOOD, '--scenario', 'rollout', '--report-dir', join(dir, 'r-entry'), '--no-lint', ...args], fake);
      expect(r.code, r.stderr).to.equal(0);
      return fake.ran.at(-1)!;
    };
    expect((await run()).entry).to.equal('nodeport');
    expect(fake.started.at(-1)!.loadImages).to.not.include(OFFLINE_LOAD_IMAGE);
    expect(await run('--kubeconfig', kubeconfig)).to.deep.include({ entry: 'in-cluster' });
    expect(await run('--kubeconfig', kubeconfig, '--url', 'http://lb.example/')).to.deep.include({ entry: 'nodeport', url: 'http://lb.example/' });
    expect(await run('--kubeconfig', kubeconfig, '--entry', 'nodeport')).to.deep.include({ entry: 'nodeport' });
    expect(await run('--entry', 'in-cluster', '--load-node', 'zdt.dev/load=true', '--load-image', 'registry.example/node:24')).to.deep.include({ entry: 'in-cluster', loadNode: 'zdt.dev/load=true', loadImage: 'registry.example/node:24' });
    // zdt's own kind cluster gets the offline load image loaded when the load runs in a pod.
    expect(fake.started.at(-1)!.loadImages).to.include(OFFLINE_LOAD_IMAGE);
    await rejects(['--load-node', 'zdt-worker'], /--load-node applies to the load pod of --entry in-cluster, and this run's load enters through --entry nodeport: drop it, or add --entry in-cluster/);
    await rejects(['--entry', 'in-cluster', '--load-node', 'a=b,c'], /invalid --load-node "a=b,c": "c" is not key=value/);
  });

  it('--entry ingress: manifests without an Ingress, or whose Ingress leads elsewhere, are refused before a cluster is made', async () => {
    const fake = fakeCluster();
    const r = await cli(['verify', GOOD, '--entry', 'ingress', '--report-dir', join(dir, 'r-ingress'), '--no-lint'], fake);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/--entry ingress loads the app through its Ingress, and the manifests hold no Ingress \(networking\.k8s\.io\/v1\): add one, or give --url/);
    const elsewhere = await write('ingress-elsewhere', {
      'app.yaml': `${deployment('web', 'app: web')}---\n${service('web', 'app: web')}---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\nspec:\n  defaultBackend:\n    service:\n      name: api\n      port:\n        number: 80\n`,
    });
    const r2 = await cli(['verify', elsewhere, '--entry', 'ingress', '--report-dir', join(dir, 'r-ingress'), '--no-lint'], fake);
    expect(r2.code).to.equal(2);
    expect(r2.stderr).to.match(/no Ingress rule leads to Service web \(they lead to api\)/);
    expect(fake.started, 'no cluster started').to.have.length(0);
  });

  it('loads every Service that selects a workload by default, or those --service names', async () => {
    const sub = await write('two-services', {
      'app.yaml': `${deployment('web', 'app: web')}---\n${service('web', 'app: web')}---\n${service('web-admin', 'app: web')}---\n${service('external', 'app: elsewhere')}`,
    });
    const fake = fakeCluster();
    const all = await cli(['verify', sub, '--scenario', 'rollout', '--report-dir', join(dir, 'r1'), '--no-lint'], fake);
    expect(all.code, all.stderr).to.equal(0);
    const chosen = await cli(['verify', sub, '--service', 'web-admin', '--scenario', 'rollout', '--report-dir', join(dir, 'r1'), '--no-lint'], fake);
    expect(chosen.code, chosen.stderr).to.equal(0);
    const spaced = await cli(['verify', sub, '--service', 'web, web-admin', '--scenario', 'rollout', '--report-dir', join(dir, 'r1'), '--no-lint'], fake);
    expect(spaced.code, spaced.stderr).to.equal(0);
    expect(fake.ran.map((o) => o.services)).to.deep.equal([['web', 'web-admin'], ['web-admin'], ['web', 'web-admin']]);
    await rejects([sub, '--service', 'web, '], /--service takes Service names separated by commas, got "web, "/);
    await rejects([sub, '--service', 'web,external'], /app\.yaml:\d+: Service external selects \{"app":"elsewhere"\}, which matches no pod template/);
    await rejects([sub, '--service', 'web,'], /--service takes Service names separated by commas, got "web,"/);
    // One URL leads to one Service.
    await rejects([sub, '--url', 'http://lb.example/'], /--url http:\/\/lb.example\/: one Service's load goes to one URL, and 2 are loaded \(web, web-admin\): choose one with --service/);
    const url = await cli(['verify', sub, '--service', 'web', '--url', 'HTTPS://lb.example/cart', '--insecure', '--scenario', 'rollout', '--report-dir', join(dir, 'r1'), '--no-lint'], fake);
    expect(url.code, url.stderr).to.equal(0);
    expect(fake.ran.at(-1)).to.deep.include({ services: ['web'], url: 'HTTPS://lb.example/cart', insecure: true });
  });

  it('rejects cluster options that contradict each other or name missing files', async () => {
    await rejects([GOOD, '--context', 'prod'], /--context applies to an attached cluster: pass --kubeconfig/);
    await rejects([GOOD, '--allow-disruption'], /--allow-disruption applies to an attached cluster/);
    await rejects([GOOD, '--kubeconfig', 'k', '--kind-config', 'c'], /'--kind-config <file>' cannot be used with option '--kubeconfig <file>'/);
    await rejects([GOOD, '--kubeconfig', join(dir, 'missing-kubeconfig')], /--kubeconfig .*missing-kubeconfig: no such file/);
    await rejects([GOOD, '--kind-config', join(dir, 'missing.yaml')], /--kind-config .*missing\.yaml: no such file/);
  });

  it('rejects bad request flags, naming them: --expect-status, --insecure without https, --scheme, a --port the Service lacks', async () => {
    await rejects([GOOD, '--expect-status', '200,2x'], /invalid --expect-status: "200,2x" \("2x" is not a status/);
    await rejects([GOOD, '--insecure'], /--insecure applies to https/);
    await rejects([GOOD, '--scheme', 'ftp'], /Allowed choices are http, https/);
    await rejects([GOOD, '--port', 'grpc'], /Service web has no port grpc \(ports: 80\)/);
    await rejects([GOOD, '--path', 'no-slash'], /path must start with "\/"/);
    await rejects([GOOD, '--host', 'bad host'], /host/);
    await rejects([GOOD, '--url', 'lb.example/cart'], /--url lb.example\/cart: not a valid absolute URL/);
    await rejects([GOOD, '--url', 'https://lb.example:99999/'], /--url https:\/\/lb.example:99999\/: not a valid absolute URL \(scheme:\/\/host\[:port\]\/path, port 1-65535\)/);
    await rejects([GOOD, '--url', 'http://ops:secret@lb.example/'], /--url .*: holds credentials, which the reports would show/);
    await rejects([GOOD, '--url', 'http://lb.example/#top'], /--url .*: has a fragment, which is never sent to the server: drop it/);
    await rejects([GOOD, '--url', 'http://lb.example/', '--path', '/cart'], /option '--url <url>' cannot be used with option '--path <path>'/);
    await rejects([GOOD, '--url', 'http://lb.example/', '--port', '80'], /option '--url <url>' cannot be used with option '--port <name\|number>'/);
    // The advice given must itself work: --scheme cannot go with --url.
    await rejects([GOOD, '--url', 'http://lb.example/', '--insecure'], /--insecure applies to https: drop it, or give an https:\/\/ --url/);
    await rejects([GOOD, '--insecure'], /--insecure applies to https: drop it, or add --scheme https/);
  });

  /** The options the one scenario of a passing `zdt verify GOOD ARGS` ran with. */
  const scenarioOf = async (args: string[]) => {
    const fake = fakeCluster();
    const run = await cli(['verify', GOOD, ...args, '--report-dir', join(dir, 'r-args')], fake);
    expect(run.code, run.stderr).to.equal(0);
    return fake.ran[0];
  };

  it('maps the request flags onto the scenario: path, Host, port, https, insecure, expected statuses', async () => {
    const ran = await scenarioOf(['--scenario', 'rollout', '--path', '/healthz?full=1', '--host', 'shop.example.com', '--port', '80', '--scheme', 'https', '--insecure', '--expect-status', '204,200']);
    expect(ran).to.deep.include({ path: '/healthz?full=1', host: 'shop.example.com', port: '80', scheme: 'https', insecure: true, expectStatus: '200,204' });
  });

  it('--force and --delete-emptydir-data reach the drain, and refusals are worded with those flags', async () => {
    const ran = await scenarioOf(['--scenario', 'parallel-drain', '--force', '--delete-emptydir-data']);
    expect(ran?.drain).to.deep.include({ force: true, deleteEmptyDirData: true, optionNames: CLI_DRAIN_FLAGS });
  });

  it('maps flags onto the cluster and scenario options', async () => {
    const fake = fakeCluster();
    const run = await cli(
      ['verify', GOOD, '--scenario', 'parallel-drain', '--rate', '50', '--warmup', '1.5', '--settle', '2', '--connection', 'new', '--drain-timeout', '30', '--reuse-cluster', '--report-dir', join(dir, 'r2')],
      fake,
    );
    expect(run.code, run.stderr).to.equal(0);
    expect(fake.started).to.have.length(1);
    const started = fake.started[0]!;
    expect(started.loadImages).to.deep.equal([OFFLINE_NGINX_IMAGE, 'nginx:1.27-alpine']);
    expect(started).to.include({ reuse: true, keep: undefined, kubeconfig: undefined });
    expect(fake.ran).to.have.length(1);
    expect(fake.ran[0]).to.deep.include({
      name: 'parallel-drain',
      services: ['web'],
      maintenance: { kind: 'drain', bringInNewNodes: true },
      rate: 50,
      connection: 'new',
      warmupMs: 1500,
      settleMs: 2000,
      drain: { timeoutMs: 30_000, force: false, deleteEmptyDirData: false, optionNames: CLI_DRAIN_FLAGS },
    });
    expect(fake.deleted).to.equal(1);
  });

  it('runs every scenario on one cluster by default: drain, replace, rollout', async () => {
    const fake = fakeCluster();
    const run = await cli(['verify', GOOD, '--report-dir', join(dir, 'r3')], fake);
    expect(run.code, run.stderr).to.equal(0);
    expect(fake.started).to.have.length(1);
    expect(fake.ran.map((o) => [o.name, o.maintenance.kind, o.rate, o.warmupMs, o.drain?.timeoutMs])).to.deep.equal([
      ['parallel-drain', 'drain', 200, undefined, 120_000],
      ['node-replacement', 'replace', 200, undefined, 120_000],
      ['rollout', 'rollout', 200, undefined, 120_000],
    ]);
  });
});
