import { execFile } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';

const ROOT = process.cwd();
const BAD = join(ROOT, 'test/fixtures/lint/bad/replicas-too-few.yaml');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

// Without the npm_* variables an enclosing `npm run test:unit` exports (this package's config and paths),
// so the inner npm commands see only their own project.
const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))), CI: '1', npm_config_update_notifier: 'false' };

function run(command: string, args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      // A number is the exit code; a string (ENOENT) means it never ran.
      const code = (err as { code?: unknown } | null)?.code;
      resolve({ code: err ? (typeof code === 'number' ? code : -1) : 0, stdout, stderr });
    });
  });
}

async function succeed(command: string, args: readonly string[], cwd: string): Promise<string> {
  const result = await run(command, args, cwd);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

/**
 * The package as users get it: `npm pack` (prepack builds dist/), then `npm install` of the
 * tarball into an empty project, which has only the package and its dependencies (no tsx).
 */
describe('the packed package, installed into an empty project', function () {
  this.timeout(60_000);
  let tmp: string;
  let app: string;
  let files: string[];

  before(async function () {
    this.timeout(240_000);
    tmp = realpathSync(await mkdtemp(join(tmpdir(), 'zdt-pack-')));
    app = join(tmp, 'app');
    const [packed] = JSON.parse(await succeed('npm', ['pack', '--json', '--pack-destination', tmp], ROOT)) as { filename: string; files: { path: string }[] }[];
    files = packed!.files.map((f) => f.path);
    await mkdir(app);
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    // The @types/node this repository builds against, so the cache has it: what a TypeScript user has anyway.
    const typesNode = JSON.parse(readFileSync(join(ROOT, 'node_modules/@types/node/package.json'), 'utf8')).version as string;
    await succeed('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(tmp, packed!.filename), `@types/node@${typesNode}`], app);
  });
  after(() => tmp && rm(tmp, { recursive: true, force: true }));

  it('holds compiled JavaScript with types, the bundled example, kind configs, offline setup and schemas, and nothing else', () => {
    expect(files).to.include.members([
      'bin/zdt.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli/main.js',
      'kind-config/default.yaml',
      'kind-config/quick.yaml',
      'suites/manifests/production/nginx.yaml',
      'scripts/offline/setup.sh',
      'scripts/offline/node/rootfs/usr/local/bin/entrypoint',
      'schema/verify-output.v1.schema.json',
    ]);
    const shipped = /^(?:package\.json|README\.md|bin\/zdt\.js|dist\/.+\.(?:js|d\.ts)|kind-config\/|schema\/|scripts\/offline\/|suites\/manifests\/production\/)/;
    expect(files.filter((f) => !shipped.test(f))).to.deep.equal([]);
    const installed = JSON.parse(readFileSync(join(app, 'node_modules/zdt/package.json'), 'utf8'));
    expect(installed.dependencies).not.to.have.property('tsx');
  });

  it('npx zdt runs on plain Node: lints the bundled example (also by default), exits 1 on findings', async () => {
    expect(existsSync(join(app, 'node_modules/.bin/zdt'))).to.equal(true);
    expect(existsSync(join(app, 'node_modules/tsx'))).to.equal(false);
    const example = await run('npx', ['zdt', 'lint', 'node_modules/zdt/suites/manifests/production'], app);
    expect(example).to.deep.equal({ code: 0, stdout: 'no zero-downtime problems found\n', stderr: '' });
    expect(await run('npx', ['zdt', 'lint'], app)).to.deep.equal(example);
    const bad = await run('npx', ['zdt', 'lint', BAD], app);
    expect(bad.code).to.equal(1);
    expect(bad.stdout).to.include(`${BAD}:`).and.include(' error replicas-too-few ');
  });

  it('imports from plain ESM: lint, error codes, package paths, schemas, the HTML report with Chart.js inlined, and the load on its own thread', async () => {
    const script = `
      import { readFileSync } from 'node:fs';
      import http from 'node:http';
      import { buildReport, createClock, DEFAULT_KIND_CONFIG, ErrorCode, isZdtError, lintDirectory, startLoadThread, writeReports } from 'zdt';
      const findings = await lintDirectory('node_modules/zdt/suites/manifests/production');
      const missing = await lintDirectory('no-such-dir').catch((err) => err);
      const none = { count: 0, scheduledAt: new Float64Array(0), startedAt: new Float64Array(0), latencyMs: new Float32Array(0), outcome: new Uint16Array(0), pod: new Uint16Array(0), pods: [''], lateStarts: 0, dropped: 0 };
      const written = await writeReports('reports', [buildReport({ log: none, timeline: [], scenario: 'empty' })]);
      const server = http.createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      const load = await startLoadThread({ url: 'http://127.0.0.1:' + server.address().port + '/', clock: createClock(), ratePerSecond: 100, durationMs: 200 }).done;
      server.close();
      console.log(JSON.stringify({
        findings,
        missing: isZdtError(missing, ErrorCode.Manifest),
        kindConfig: DEFAULT_KIND_CONFIG,
        schema: import.meta.resolve('zdt/schema/report.v1.schema.json'),
        chart: /Chart\\.js v4/.test(readFileSync(written.html, 'utf8')),
        load: [load.count, [...load.outcome].every((o) => o === 200)],
      }));
    `;
    const out = JSON.parse(await succeed(process.execPath, ['--input-type=module', '-e', script], app));
    expect(out).to.deep.equal({
      findings: [],
      missing: true,
      kindConfig: join(app, 'node_modules/zdt/kind-config/default.yaml'),
      schema: `file://${join(app, 'node_modules/zdt/schema/report.v1.schema.json')}`,
      chart: true,
      load: [20, true],
    });
  });

  it('type-checks TypeScript against the installed declarations', async () => {
    await writeFile(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] }, files: ['check.ts'] }),
    );
    await writeFile(
      join(app, 'check.ts'),
      [
        "import { ErrorCode, isZdtError, lintDirectory, type Finding, type ScenarioOptions } from 'zdt';",
        "const findings: Finding[] = await lintDirectory('k8s');",
        "const scenario: ScenarioOptions = { name: 'drain', manifests: './k8s', maintenance: { kind: 'drain' } };",
        'console.log(findings.map((f) => `${f.file}:${f.line}`), scenario, isZdtError(new Error(), ErrorCode.Manifest));',
        // Fails the check unless the types are real: `any` would accept it.
        '// @ts-expect-error lintDirectory takes a path',
        'await lintDirectory(42);',
        '',
      ].join('\n'),
    );
    const tsc = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', app], app);
    expect(tsc, tsc.stdout).to.deep.equal({ code: 0, stdout: '', stderr: '' });
  });
});
