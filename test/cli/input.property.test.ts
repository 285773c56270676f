import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { expect } from 'chai';
import fc from 'fast-check';
import { aliasBomb, mutatedApp, nesting, randomText, runs, truncatedApp, VALID_APP, yamlSoup } from '../manifests/yaml-arbitraries.ts';

const GOOD = 'test/fixtures/lint/good';
/** Longest any one CLI call may take before it counts as a hang (bad input is refused in milliseconds). */
const CALL_TIMEOUT_MS = 15_000;

interface Reply {
  code: number;
  stdout: string;
  stderr: string;
  /** How often the fake cluster's startCluster was called. */
  started: number;
}

/**
 * Runs the CLI in-process (runCli with test/cli/fakes.ts, no cluster) in a child process, one
 * call at a time, so a call that never returns, even one stuck in synchronous code, is killed
 * after CALL_TIMEOUT_MS and fails the test instead of hanging it. Replies come on fd 3, so
 * nothing the CLI prints on the real stdout can garble them.
 */
class CliChild {
  private child: ChildProcess | undefined;
  private buffered = '';
  private pending: ((line: string) => void) | undefined;

  private start(): ChildProcess {
    const driver = `
      import { writeSync } from 'node:fs';
      import { createInterface } from 'node:readline';
      const { cli, fakeCluster } = await import(${JSON.stringify(new URL('./fakes.ts', import.meta.url).href)});
      for await (const line of createInterface({ input: process.stdin })) {
        const fake = fakeCluster();
        let reply;
        try {
          reply = { ...(await cli(JSON.parse(line), fake)), started: fake.started.length };
        } catch (err) {
          reply = { threw: err instanceof Error ? err.stack ?? err.message : String(err) };
        }
        writeSync(3, JSON.stringify(reply) + '\\n');
      }`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', driver], {
      stdio: ['pipe', 'ignore', 'inherit', 'pipe'],
      env: { ...process.env, CI: '1' },
    });
    (child.stdio[3] as Readable).setEncoding('utf8').on('data', (chunk: string) => {
      this.buffered += chunk;
      const newline = this.buffered.indexOf('\n');
      if (newline >= 0 && this.pending) {
        const line = this.buffered.slice(0, newline);
        this.buffered = this.buffered.slice(newline + 1);
        this.pending(line);
      }
    });
    return child;
  }

  /** `zdt <argv>`; rejects (killing the child) when it takes longer than CALL_TIMEOUT_MS or throws out of runCli. */
  async run(argv: readonly string[]): Promise<Reply> {
    this.child ??= this.start();
    const child = this.child;
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.stop();
        reject(new Error(`zdt ${JSON.stringify(argv).slice(0, 300)} did not finish within ${CALL_TIMEOUT_MS} ms`));
      }, CALL_TIMEOUT_MS);
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        this.child = undefined;
        reject(new Error(`the CLI process exited (${code}) during zdt ${JSON.stringify(argv).slice(0, 300)}`));
      };
      child.once('exit', onExit);
      this.pending = (reply) => {
        clearTimeout(timer);
        child.off('exit', onExit);
        this.pending = undefined;
        resolve(reply);
      };
      (child.stdin as Writable).write(`${JSON.stringify(argv)}\n`);
    });
    const reply = JSON.parse(line) as Reply & { threw?: string };
    if (reply.threw !== undefined) throw new Error(`runCli threw instead of returning an exit code: ${reply.threw}`);
    return reply;
  }

  stop(): void {
    this.child?.kill('SIGKILL');
    this.child = undefined;
    this.buffered = '';
  }
}

/** Nothing on stderr that only a crash prints. */
function expectNoCrash(run: Reply): void {
  expect(run.stderr, 'stderr').to.not.match(/unexpected error/i);
  expect(run.stderr, 'stderr has stack frames').to.not.match(/^\s+at /m);
  expect(run.stdout, 'stdout has stack frames').to.not.match(/^\s+at /m);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * How the loader refuses `path` (one line on stderr): at file:line of a YAML or object error,
 * or, for the set as a whole, naming the path (no object at all) or every place of an object
 * defined twice.
 */
const manifestRefusal = (path: string) =>
  new RegExp(`^zdt: (${escape(path)}:\\d+(:\\d+)?: .*|no Kubernetes objects in ${escape(path)}: .*|.* is defined (twice|\\d+ times): ${escape(path)}:\\d+.*) \\[ZDT_MANIFEST\\]$`, 'm');

describe('zdt lint and zdt verify: generated bad input', function () {
  this.timeout(120_000);
  const child = new CliChild();
  let dir: string;
  let n = 0;
  /** A fresh file holding `text`. */
  const file = async (text: string | Buffer, ext = 'yaml') => {
    const path = join(dir, `in-${++n}.${ext}`);
    await writeFile(path, text);
    return path;
  };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zdt-input-'));
  });
  after(async () => {
    child.stop();
    await rm(dir, { recursive: true, force: true });
  });

  describe('zdt lint', () => {
    const malformed = fc.oneof(randomText, yamlSoup, truncatedApp, aliasBomb.map((b) => b.text), nesting(150).map((d) => d.text));

    it('malformed YAML: exit 0/1, or 2 naming file:line; never a stack or a hang', async () => {
      await fc.assert(
        fc.asyncProperty(malformed, fc.constantFrom('text', 'json', 'sarif'), async (text, format) => {
          const path = await file(text);
          const run = await child.run(['lint', path, '--format', format]);
          expectNoCrash(run);
          expect(run.code, run.stderr).to.be.oneOf([0, 1, 2]);
          if (run.code === 2) expect(run.stderr).to.match(manifestRefusal(path));
          else if (format !== 'text') JSON.parse(run.stdout);
        }),
        runs(150),
      );
    });

    it('a wrong type at any field of a Deployment, Service or PDB: findings, or exit 2 naming file:line; never a stack', async () => {
      await fc.assert(
        fc.asyncProperty(mutatedApp, async ({ text }) => {
          const path = await file(text);
          const run = await child.run(['lint', path]);
          expectNoCrash(run);
          expect(run.code, run.stderr).to.be.oneOf([0, 1, 2]);
          if (run.code === 2) expect(run.stderr).to.match(manifestRefusal(path));
        }),
        runs(200),
      );
    });

    it('a bad --format: exit 2 naming the option and the choices', async () => {
      const bad = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('', ' text', 'TEXT', 'Json', 'json,sarif', 'xml', '--json', '-', 'text\n')).filter((f) => !['text', 'json', 'sarif'].includes(f));
      await fc.assert(
        fc.asyncProperty(bad, async (format) => {
          const run = await child.run(['lint', GOOD, '--format', format]);
          expectNoCrash(run);
          expect(run.code).to.equal(2);
          expect(run.stderr).to.contain(`option '--format <format>' argument '${format}' is invalid. Allowed choices are text, json, sarif.`);
        }),
        runs(40),
      );
    });

    it('bad directories and files: exit 2 naming the path', async () => {
      const empty = join(dir, 'empty');
      await mkdir(empty);
      const onlyOthers = join(dir, 'only-others');
      await mkdir(join(onlyOthers, 'nested.yaml'), { recursive: true });
      await writeFile(join(onlyOthers, 'notes.txt'), 'kind: Deployment');
      const regular = await file(VALID_APP);
      const fifo = join(dir, 'fifo.yaml');
      execFileSync('mkfifo', [fifo]);
      const loop = join(dir, 'loop.yaml');
      await symlink(loop, loop);
      const cases: [string, RegExp][] = [
        [empty, /has no \*\.yaml or \*\.yml files/],
        [onlyOthers, /has no \*\.yaml or \*\.yml files/],
        [join(regular, 'below-a-file'), /cannot read .*ENOTDIR/],
        [fifo, /is neither a directory nor a regular file/],
        ['/dev/zero', /is neither a directory nor a regular file/],
        [loop, /cannot read .*ELOOP/],
        [`${dir}/nul\0byte`, /cannot read .*without null bytes/],
      ];
      const missing = fc.array(fc.string({ minLength: 1, maxLength: 10 }).filter((s) => !/[/\0]/.test(s) && s !== '.' && s !== '..'), { minLength: 1, maxLength: 3 });
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.constantFrom(...cases), missing.map((parts): [string, RegExp] => [join(dir, 'missing', ...parts), /does not exist/])), async ([path, pattern]) => {
          const run = await child.run(['lint', path]);
          expectNoCrash(run);
          expect(run.code, run.stderr).to.equal(2);
          expect(run.stderr).to.match(pattern);
          expect(run.stderr).to.contain(path.includes('\0') ? dir : path);
          expect(run.stderr).to.match(/\[ZDT_MANIFEST\]\n$/);
        }),
        runs(40),
      );
    });

    it('a bad --output: exit 2 naming the option', async () => {
      const regular = await file('x');
      for (const output of [dir, join(regular, 'below-a-file'), '', join(dir, 'missing', 'out.json')]) {
        const run = await child.run(['lint', GOOD, '--output', output]);
        expectNoCrash(run);
        expect(run.code, output).to.equal(2);
        expect(run.stderr).to.match(/^zdt: --output .*\[ZDT_INVALID_OPTION\]\n$/);
      }
    });
  });

  describe('zdt verify: exit 2 before any cluster', () => {
    /** Runs verify with `argv` after a valid directory and report dir; expects exit 2, `pattern` on stderr, and no cluster. */
    const refused = async (argv: readonly string[], pattern: RegExp, manifests = GOOD) => {
      const run = await child.run(['verify', manifests, '--report-dir', join(dir, 'reports'), ...argv]);
      expectNoCrash(run);
      expect(run.code, run.stderr).to.equal(2);
      expect(run.stderr).to.match(pattern);
      expect(run.started, 'startCluster calls').to.equal(0);
      return run;
    };

    /** A finite number (blank refused), > 0 or >= 0: what verify.ts takes below a flag's cap. */
    const numeric = (value: string, min: 'positive' | 'non-negative') => {
      const n = Number(value);
      return value.trim() !== '' && Number.isFinite(n) && (min === 'positive' ? n > 0 : n >= 0);
    };
    const numberLike = fc.oneof(
      fc.constantFrom('', ' ', 'abc', 'NaN', 'Infinity', '-Infinity', '1e309', '-1e309', '0', '-0', '-1', '-0.001', '1,5', '5s', '1_000', '٣', '0x', '--json', '-q', '1e', '.', '+-1'),
      fc.constantFrom('100000', '100000.5', '1e5', '1e6', '2147483', '2147483.5', '2147484', '1e10'),
      fc.double().map(String),
      fc.integer().map(String),
      fc.string({ maxLength: 8 }),
    );

    // The timeouts' cap is what setTimeout keeps (2^31-1 ms; a longer one fires after 1 ms).
    for (const [flag, min, rule, max, unit] of [
      ['--rate', 'positive', 'a number > 0', 100_000, 'requests per second'],
      ['--warmup', 'non-negative', 'a number of seconds >= 0', 2_147_483, 'seconds, the longest timer Node.js keeps'],
      ['--settle', 'non-negative', 'a number of seconds >= 0', 2_147_483, 'seconds, the longest timer Node.js keeps'],
      ['--drain-timeout', 'positive', 'a number > 0', 2_147_483, 'seconds, the longest timer Node.js keeps'],
    ] as const) {
      it(`${flag}: any value that is not ${rule} up to ${max} is refused, naming the flag, the value and the cap`, async () => {
        await fc.assert(
          fc.asyncProperty(numberLike.filter((v) => !numeric(v, min) || Number(v) > max), async (value) => {
            const why = numeric(value, min) ? `at most ${max} (${unit})` : rule;
            await refused([flag, value], new RegExp(`${escape(flag)} must be ${escape(why)}, got "${escape(value)}"`));
          }),
          runs(30),
        );
      });

      it(`${flag}: ${max} is accepted`, async () => {
        const run = await child.run(['verify', GOOD, '--report-dir', join(dir, 'reports'), '--scenario', 'rollout', flag, String(max)]);
        expectNoCrash(run);
        expect(run.code, run.stderr).to.equal(0);
        expect(run.started).to.equal(1);
      });
    }

    for (const [flag, choices] of [
      ['--scenario', ['parallel-drain', 'node-replacement', 'rollout', 'node-crash', 'node-freeze', 'node-partition', 'all']],
      ['--connection', ['keep-alive', 'new', 'mixed']],
    ] as const) {
      it(`${flag}: any value but ${choices.join('|')} is refused, listing the choices`, async () => {
        const bad = fc.oneof(fc.string({ maxLength: 16 }), fc.constantFrom(...choices.map((c) => c.toUpperCase()), ...choices.map((c) => ` ${c}`), choices.join(','), '')).filter((v) => !(choices as readonly string[]).includes(v));
        await fc.assert(
          fc.asyncProperty(bad, async (value) => {
            await refused([flag, value], new RegExp(`option '${flag} <[a-z]+>' argument '${escape(value)}' is invalid\\. Allowed choices are ${choices.join(', ')}\\.`));
          }),
          runs(30),
        );
      });
    }

    it('--service: a name no Service has is refused, naming the flag and listing the Services there', async () => {
      await fc.assert(
        // A comma separates names (an empty one is refused below), spaces around a name are not
        // part of it ("web, api"); anything else is one name.
        fc.asyncProperty(fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('Web', 'we b', 'web-', 'default/web')).filter((s) => s.trim() !== 'web' && s.trim() !== '' && !s.includes(',')), async (given) => {
          const name = given.trim();
          await refused(['--service', given], new RegExp(`zdt: --service ${escape(name)}: no Service named ${escape(name)} in the manifests \\(found: web\\) \\[ZDT_SERVICE\\]`));
        }),
        runs(30),
      );
      for (const list of ['', 'web,', ',web', 'web,,web']) {
        await refused(['--service', list], new RegExp(`--service takes Service names separated by commas, got "${escape(list)}"`));
      }
    });

    it('--kubeconfig and --kind-config: a directory is refused as not a file, naming the flag and the path', async () => {
      for (const flag of ['--kubeconfig', '--kind-config']) {
        for (const path of [dir, GOOD, '.']) await refused([flag, path], new RegExp(`^zdt: ${escape(flag)} ${escape(path)}: not a file \\[ZDT_INVALID_OPTION\\]$`, 'm'));
      }
    });

    it('--kubeconfig and --kind-config: a missing file is refused, naming the flag and the path', async () => {
      const missing = fc.array(fc.string({ minLength: 1, maxLength: 10 }).filter((s) => !/[/\0]/.test(s) && s !== '.' && s !== '..'), { minLength: 1, maxLength: 3 });
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('--kubeconfig', '--kind-config'), fc.oneof(missing.map((parts) => join(dir, 'missing', ...parts)), fc.constant('')), async (flag, path) => {
          await refused([flag, path], new RegExp(`^zdt: ${escape(flag)} ${escape(path)}: no such file \\[ZDT_INVALID_OPTION\\]$`, 'm'));
        }),
        runs(30),
      );
    });

    it('--report-dir: a path that cannot be a directory is refused, naming the flag', async () => {
      const regular = await file('not a directory');
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(regular, join(regular, 'below'), join(regular, 'a', 'b'), ''), async (reportDir) => {
          const run = await child.run(['verify', GOOD, '--report-dir', reportDir, '--no-lint']);
          expectNoCrash(run);
          expect(run.code, run.stderr).to.equal(2);
          expect(run.stderr).to.match(new RegExp(`^zdt: --report-dir ${escape(reportDir)}: cannot write reports: .*\\[ZDT_INVALID_OPTION\\]$`, 'm'));
          expect(run.started).to.equal(0);
        }),
        runs(8),
      );
    });

    it('unknown flags and flags without their value are refused, naming the flag', async () => {
      const known = new Set(['service', 'scenario', 'rate', 'warmup', 'settle', 'connection', 'drain-timeout', 'force', 'delete-emptydir-data', 'kind-config', 'node-image', 'kubeconfig', 'context', 'allow-disruption', 'reuse-cluster', 'keep-cluster', 'report-dir', 'json', 'quiet', 'verbose', 'no-lint', 'lint', 'help']);
      const unknown = fc.oneof(
        fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/).filter((f) => !known.has(f)).map((f) => `--${f}`),
        fc.constantFrom('-x', '-Q', '--RATE', '--rate=', '--no-json'),
      );
      await fc.assert(
        fc.asyncProperty(unknown, async (flag) => {
          await refused([flag], flag === '--rate=' ? /--rate must be a number > 0, got ""/ : new RegExp(`unknown option '${escape(flag)}'`));
        }),
        runs(30),
      );
      for (const flag of ['--rate', '--service', '--scenario', '--kubeconfig', '--report-dir', '--drain-timeout']) {
        const run = await child.run(['verify', GOOD, flag]);
        expectNoCrash(run);
        expect(run.code, flag).to.equal(2);
        expect(run.stderr).to.match(new RegExp(`option '${escape(flag)} <[a-z]+>' argument missing`));
        expect(run.started).to.equal(0);
      }
    });

    it('malformed manifests: exit 2 naming file:line (or the Service problem), no cluster', async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(randomText, yamlSoup, truncatedApp, aliasBomb.map((b) => b.text), nesting(150).map((d) => d.text)), async (text) => {
          const path = await file(text);
          const run = await child.run(['verify', path, '--report-dir', join(dir, 'reports'), '--no-lint', '--scenario', 'rollout']);
          expectNoCrash(run);
          // A valid app cut after its Service's selector is still a valid app (the fake cluster passes it).
          if (run.code === 0) return void expect(run.started).to.equal(1);
          expect(run.code, run.stderr).to.equal(2);
          expect(run.started).to.equal(0);
          if (!/\[ZDT_SERVICE\]$/m.test(run.stderr)) expect(run.stderr).to.match(manifestRefusal(path));
        }),
        runs(100),
      );
    });

    it('a wrong type at any field: exit 2 before the cluster naming file:line (or the Service problem), or a run; never a stack', async () => {
      await fc.assert(
        fc.asyncProperty(mutatedApp, fc.boolean(), async ({ text }, lint) => {
          const path = await file(text);
          const run = await child.run(['verify', path, '--report-dir', join(dir, 'reports'), '--scenario', 'rollout', ...(lint ? [] : ['--no-lint'])]);
          expectNoCrash(run);
          expect(run.code, run.stderr).to.be.oneOf([0, 2]);
          // The fake cluster passes every run: exit 2 can only come from the checks before it.
          expect(run.started, run.stderr).to.equal(run.code === 0 ? 1 : 0);
          if (run.code === 2 && !/\[ZDT_SERVICE\]$/m.test(run.stderr)) expect(run.stderr).to.match(manifestRefusal(path));
        }),
        runs(60),
      );
    });
  });

  describe('wrong types that used to crash lint and verify (a TypeError and its stack)', () => {
    /** VALID_APP with `from` replaced: its Deployment is on lines 2-33, its Service on 35-44, its PDB on 46-54. */
    const variant = (from: RegExp, to: string) => {
      const text = VALID_APP.replace(from, to);
      expect(text, String(from)).to.not.equal(VALID_APP);
      return text;
    };
    const containers = /^ {6}containers:\n[\s\S]*?(?=^---$)/m;
    const containerPorts = /^ {10}ports:\n.*\n.*\n/m;
    const servicePorts = /^ {2}ports:\n.*\n.*\n/m;
    const command = /command: \[.*\]/;
    const template = 'Deployment/web: spec.template.spec.containers';
    const cases: [string, string, number, string][] = [
      ['containers: {}', variant(containers, '      containers: {}\n'), 19, `${template} must be an array, got a mapping`],
      ['containers: [null]', variant(containers, '      containers: [null]\n'), 19, `${template}[0] must be a mapping, got null`],
      ['Service ports: 0', variant(servicePorts, '  ports: 0\n'), 42, 'Service/web: spec.ports must be an array, got a number'],
      ['Service ports: {}', variant(servicePorts, '  ports: {}\n'), 42, 'Service/web: spec.ports must be an array, got a mapping'],
      ['Service ports: [null]', variant(servicePorts, '  ports: [null]\n'), 42, 'Service/web: spec.ports[0] must be a mapping, got null'],
      ['container ports: 0', variant(containerPorts, '          ports: 0\n'), 22, `${template}[0].ports must be an array, got a number`],
      ['container ports: [null]', variant(containerPorts, '          ports: [null]\n'), 22, `${template}[0].ports[0] must be a mapping, got null`],
      ['preStop command: 0', variant(command, 'command: 0'), 33, `${template}[0].lifecycle.preStop.exec.command must be an array, got a number`],
      ['preStop command: [0]', variant(command, 'command: [0]'), 33, `${template}[0].lifecycle.preStop.exec.command[0] must be a string, got a number`],
      ['preStop command: [sh, -c, null]', variant(command, 'command: [sh, -c, null]'), 33, `${template}[0].lifecycle.preStop.exec.command[2] must be a string, got null`],
      ['preStop command: [sh, -c, 1]', variant(command, 'command: [sh, -c, 1]'), 33, `${template}[0].lifecycle.preStop.exec.command[2] must be a string, got a number`],
    ];
    for (const [what, text, line, problem] of cases) {
      it(`${what}: lint, verify and verify --no-lint exit 2 naming file:line and the field`, async () => {
        const path = await file(text);
        for (const argv of [['lint', path], ['verify', path, '--report-dir', join(dir, 'reports')], ['verify', path, '--report-dir', join(dir, 'reports'), '--no-lint']]) {
          const run = await child.run(argv);
          expectNoCrash(run);
          expect(run.code, run.stderr).to.equal(2);
          expect(run.stderr, argv.join(' ')).to.equal(`zdt: ${path}:${line}: ${problem} [ZDT_MANIFEST]\n`);
          expect(run.started).to.equal(0);
        }
      });
    }

    // The API server reads null at a field as unset, and so does zdt.
    it('Service selector: null is a Service without selector: lint passes over it, verify exits 2 saying it selects no pod', async () => {
      const path = await file(variant(/^ {2}selector:\n {4}app: web\n(?= {2}ports:)/m, '  selector: null\n'));
      const lint = await child.run(['lint', path]);
      expectNoCrash(lint);
      expect(lint.code, lint.stderr).to.equal(0);
      const verify = await child.run(['verify', path, '--report-dir', join(dir, 'reports')]);
      expectNoCrash(verify);
      expect(verify.code).to.equal(2);
      expect(verify.stderr).to.match(new RegExp(`^zdt: ${escape(path)}:35: Service web selects \\{\\}, which matches no pod template in the manifests .*\\[ZDT_SERVICE\\]$`, 'm'));
      expect(verify.started).to.equal(0);
    });

    it('PodDisruptionBudget selector: null selects no pod: lint says so, verify --no-lint runs', async () => {
      const path = await file(variant(/^ {2}selector:\n {4}matchLabels:\n {6}app: web\n(?![\s\S]*selector)/m, '  selector: null\n'));
      const lint = await child.run(['lint', path]);
      expectNoCrash(lint);
      expect(lint.code, lint.stderr).to.equal(1);
      expect(lint.stdout).to.contain('pdb-unmatched PodDisruptionBudget/default/web: has no spec.selector').and.contain('pdb-missing Deployment/default/web');
      const verify = await child.run(['verify', path, '--report-dir', join(dir, 'reports'), '--no-lint', '--scenario', 'rollout']);
      expectNoCrash(verify);
      expect(verify.code, verify.stderr).to.equal(0);
      expect(verify.started).to.equal(1);
    });
  });

  describe('through the real CLI (node bin/zdt.js lint): what only a process of its own shows', () => {
    const zdt = (args: string[]) =>
      new Promise<{ code: number; stderr: string; ms: number }>((resolve) => {
        const start = performance.now();
        execFile(process.execPath, ['bin/zdt.js', ...args], { env: { ...process.env, CI: '1' }, timeout: CALL_TIMEOUT_MS, killSignal: 'SIGKILL' }, (err, _stdout, stderr) => {
          resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stderr, ms: performance.now() - start });
        });
      });

    it('a 10k-document file and a 10 MB file are refused in seconds, naming file, figure and limit', async () => {
      const docs = await file(Array.from({ length: 10_000 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}}\n`).join('---\n'));
      const big = await file(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {blob: ${'x'.repeat(10 * 1024 * 1024)}}\n`);
      const [many, huge] = await Promise.all([zdt(['lint', docs]), zdt(['lint', big])]);
      expect(many).to.deep.include({ code: 2, stderr: `zdt: ${docs}: 10000 documents, over zdt's limit of 1000 documents: pass only the manifests of the app under test [ZDT_MANIFEST]\n` });
      expect(huge.code).to.equal(2);
      expect(huge.stderr).to.match(new RegExp(`^zdt: ${escape(big)}: 10\\.0 MiB \\(\\d+ bytes\\) is over zdt's limit of 2\\.0 MiB \\(2097152 bytes\\) of manifests: .*\\[ZDT_MANIFEST\\]\\n$`));
      // Process start (tsx) included; the refusal itself takes milliseconds.
      expect(Math.max(many.ms, huge.ms)).to.be.below(CALL_TIMEOUT_MS);
    });

    it('a mapping, sequence, alias of one, or binary data as a mapping key is refused at file:line:col, with no Node warning on stderr', async () => {
      const keys: [string, string][] = [
        ['[a]', '5:3'],
        ['{a: 1}', '5:3'],
        ['*list ', '5:3'],
        ['!!binary aGk=', '5:12'],
      ];
      const runs = await Promise.all(
        keys.map(async ([key]) => {
          const path = await file(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keys, labels: &list [x]}\ndata:\n  ${key}: v\n`);
          return { path, run: await zdt(['lint', path]) };
        }),
      );
      runs.forEach(({ path, run }, i) => {
        expect(run).to.deep.include({
          code: 2,
          stderr: `zdt: ${path}:${keys[i]![1]}: a mapping key must be a plain value (text, a number, true/false), not a mapping, a sequence or binary data [ZDT_MANIFEST]\n`,
        });
      });
    });
  });
});
