import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';

const GOOD = 'test/fixtures/lint/good';
// One app with findings: each file of bad/ is an app of its own, all named web, so the
// directory as a whole defines each object many times, which zdt refuses.
const BAD = 'test/fixtures/lint/bad/replicas-too-few.yaml';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real CLI as users run it: `node bin/zdt.js ...`. */
function zdt(args: string[], nodeArgs: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...nodeArgs, 'bin/zdt.js', ...args], { env: { ...process.env, CI: '1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

describe('zdt lint (child process)', function () {
  this.timeout(20_000);

  it('exit 0 and "no problems" on good manifests', async () => {
    const run = await zdt(['lint', GOOD]);
    expect(run).to.deep.equal({ code: 0, stdout: 'no zero-downtime problems found\n', stderr: '' });
  });

  it('lints a Helm chart with -f and --set, naming the template of each finding, and a kustomization alike', async () => {
    const chart = 'suites/manifests/chart';
    const prod = await zdt(['lint', chart, '-f', `${chart}/values/prod.yaml`]);
    expect(prod, prod.stderr).to.deep.include({ code: 0, stdout: 'no zero-downtime problems found\n' });
    const broken = await zdt(['lint', chart, '-f', `${chart}/values/prod.yaml`, '--values', `${chart}/values/broken.yaml`]);
    expect(broken.code, broken.stderr).to.equal(1);
    expect(broken.stdout).to.match(/^suites\/manifests\/chart\/templates\/api\.yaml \(line 1 of what helm template rendered from it\) error prestop-delay-missing Deployment\/default\/zdt-api: /m);
    const floor = await zdt(['lint', chart, '--set', 'api.minReplicas=1', '--format', 'json']);
    const findings = (JSON.parse(floor.stdout) as { findings: { ruleId: string; file: string; rendered: string; fix: string }[] }).findings;
    expect(findings.map((f) => [f.ruleId, f.file, f.rendered, f.fix])).to.deep.equal([
      ['replicas-too-few', `${chart}/templates/api.yaml`, 'helm template', 'set minReplicas: 2 (or more) in HorizontalPodAutoscaler zdt-api'],
    ]);
    const overlay = await zdt(['lint', 'suites/manifests/kustomize/overlays/broken']);
    expect(overlay.code, overlay.stderr).to.equal(1);
    expect(overlay.stdout).to.match(/^suites\/manifests\/kustomize\/overlays\/broken\/kustomization\.yaml \(line \d+ of what kubectl kustomize rendered from it\) error prestop-delay-missing Deployment\/default\/zdt-api: /m);
    const failed = await zdt(['lint', chart, '--set', 'image={']);
    expect(failed.code).to.equal(2);
    expect(failed.stderr).to.match(/helm template suites\/manifests\/chart failed:/);
  });

  it('exit 1 with file:line findings on bad manifests', async () => {
    const run = await zdt(['lint', BAD]);
    expect(run.code).to.equal(1);
    expect(run.stdout).to.match(/^test\/fixtures\/lint\/bad\/replicas-too-few\.yaml:\d+ error replicas-too-few /m);
    expect(run.stdout).to.match(/\d+ errors?, \d+ warnings?\n$/);
  });

  it('--format json and sarif print parseable documents', async () => {
    const json = await zdt(['lint', BAD, '--format', 'json']);
    expect(json.code).to.equal(1);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.summary.errors).to.be.greaterThan(0);
    expect(parsed.findings[0]).to.have.keys(['ruleId', 'severity', 'message', 'object', 'file', 'line', 'fix']);

    const sarif = await zdt(['lint', BAD, '--format', 'sarif']);
    expect(sarif.code).to.equal(1);
    const log = JSON.parse(sarif.stdout);
    expect(log.version).to.equal('2.1.0');
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).to.match(/^[a-z-]+\.yaml$/);
  });

  it('--output writes the findings to a file and nothing to stdout', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zdt-lint-'));
    try {
      const run = await zdt(['lint', BAD, '--format', 'json', '--output', join(dir, 'findings.json')]);
      expect(run.code).to.equal(1);
      expect(run.stdout).to.equal('');
      expect(JSON.parse(await readFile(join(dir, 'findings.json'), 'utf8')).summary.errors).to.be.greaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exit 2 on bad input: missing directory, unknown format', async () => {
    const missing = await zdt(['lint', 'test/fixtures/lint/nope']);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.match(/manifest directory test\/fixtures\/lint\/nope does not exist.*\[ZDT_MANIFEST\]/);
    const format = await zdt(['lint', GOOD, '--format', 'xml']);
    expect(format.code).to.equal(2);
    expect(format.stderr).to.include("argument 'xml' is invalid. Allowed choices are text, json, sarif");
  });

  it('lints the bundled example by default, from any directory', async () => {
    const run = await new Promise<Run>((resolve) => {
      execFile(process.execPath, [join(process.cwd(), 'bin/zdt.js'), 'lint'], { cwd: tmpdir() }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
      });
    });
    expect(run.stderr).to.equal('');
    expect(run.code).to.be.oneOf([0, 1]);
  });

  it('does not load the Kubernetes client (cluster code is imported only by verify)', async () => {
    const run = await zdt(['lint', GOOD], ['--import', './test/cli/fixtures/trace-imports.mjs']);
    expect(run.code).to.equal(0);
    const imports = run.stderr.split('\n').filter((l) => l.startsWith('import: '));
    expect(imports.some((l) => l.includes('/harness/lint/'))).to.equal(true);
    expect(imports.filter((l) => /@kubernetes|\/harness\/(cluster\/cluster|scenario\/run|kube\/client)\.ts/.test(l))).to.deep.equal([]);
  });
});

/**
 * The handed cases (suites/manifests/cases, modelled on public bug reports; the e2e suite 10
 * runs their verify lines). The exit code is their `expect` file's `lint` line; a case without
 * one is not judged by lint, so its warnings must show and it exits 0. `rules` is what must fire.
 */
const CASE_DIR = 'suites/manifests/cases';
const EXIT = { pass: 0, fail: 1, error: 2 } as const;
const expectedLintExit = (name: string): number => {
  const line = readFileSync(join(CASE_DIR, name, 'expect'), 'utf8').split('\n').find((l) => /^lint\s/.test(l));
  return line === undefined ? 0 : EXIT[line.trim().split(/\s+/)[1] as keyof typeof EXIT];
};
const CASES: { name: string; rules: string[] }[] = [
  { name: 'bare-pods-no-controller', rules: ['pod-without-controller'] },
  { name: 'prestop-shell-syntax-error', rules: ['prestop-delay-missing'] },
  { name: 'sts-rollout-ignores-pdb', rules: ['replicas-too-few', 'rollout-takes-all-down'] },
  { name: 'emptydir-blocks-drain', rules: ['emptydir-blocks-drain'] },
  { name: 'readiness-not-serving', rules: ['readiness-probe-not-serving-port'] },
];

describe('zdt lint on real cases (child process)', function () {
  this.timeout(20_000);
  const runs = new Map<string, Run>();
  before(async () => {
    await Promise.all(CASES.map(async ({ name }) => runs.set(name, await zdt(['lint', join(CASE_DIR, name), '--format', 'json']))));
  });

  it('covers every handed case', () => {
    expect(CASES.map((c) => c.name)).to.have.members(readdirSync(CASE_DIR));
  });

  for (const { name, rules } of CASES) {
    const exit = expectedLintExit(name);
    it(`${name}: exit ${exit}, ${rules.join(' + ')}`, () => {
      const run = runs.get(name) as Run;
      expect(run.stderr).to.equal('');
      expect(run.code).to.equal(exit);
      const findings = JSON.parse(run.stdout).findings as { ruleId: string; message: string }[];
      expect([...new Set(findings.map((f) => f.ruleId))]).to.have.members(rules);
    });
  }

  it("prestop-shell-syntax-error: the finding quotes the shell's error", () => {
    const { findings } = JSON.parse((runs.get('prestop-shell-syntax-error') as Run).stdout);
    expect(findings[0].message).to.contain('Syntax error: ";" unexpected');
  });
});

describe('zdt verify (child process, no cluster)', function () {
  this.timeout(20_000);

  it('--json keeps stdout one JSON document when the input is bad', async () => {
    const run = await zdt(['verify', 'test/fixtures/nope', '--json']);
    expect(run.code).to.equal(2);
    expect(JSON.parse(run.stdout)).to.deep.include({ exitCode: 2, reports: [] });
    expect(run.stderr).to.include('[ZDT_MANIFEST]');
  });
});
