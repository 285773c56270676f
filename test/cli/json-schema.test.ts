import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { expect } from 'chai';
import { ExitCode } from '../../harness/cli/exit.ts';
import { ErrorCode, ZdtError } from '../../harness/errors.ts';
import type { TimelineKind } from '../../harness/observe/events.ts';
import { cli, fakeCluster, report, result, type Behaviour, type CliRun } from './fakes.ts';

const GOOD = 'test/fixtures/lint/good';
const BAD = 'test/fixtures/lint/bad';
const SCHEMAS = ['report.v1.schema.json', 'lint-output.v1.schema.json', 'verify-output.v1.schema.json'];

/** Every TimelineKind, so the type checker fails here when a kind is added and the schema's list is not. */
const TIMELINE_KINDS: Record<TimelineKind, true> = {
  'load-start': true, 'load-stop': true, cordon: true, uncordon: true, 'taint-removed': true, 'drain-start': true, 'drain-done': true,
  'drain-failed': true, 'eviction-accepted': true, 'eviction-refused': true, 'eviction-error': true, 'pod-terminating': true,
  'pod-deleted': true, 'container-killed': true, 'pod-scheduled': true, 'pod-ready': true, 'pod-not-ready': true, 'endpoint-ready': true, 'endpoint-not-ready': true,
  'endpoint-removed': true, 'node-ready': true, 'node-not-ready': true, 'node-fault': true, 'node-restored': true, 'rollout-start': true, 'rollout-done': true, 'lb-check-failed': true, 'lb-backend-down': true, 'lb-backend-up': true, note: true,
  'api-unreachable': true, 'api-reachable': true, 'observer-gap-start': true, 'observer-gap-end': true,
};

/** A parsed document, walked by path in the tests and mutations below. */
type Json = Record<string, any>;

const returns = (verdict: 'pass' | 'fail' | 'inconclusive'): Behaviour => async (o) => result(report(o.name, verdict));
const throws = (err: Error): Behaviour => async () => {
  throw err;
};

describe('JSON output: every document zdt prints validates against its versioned schema (schema/)', () => {
  const schemas: Record<string, Json> = {};
  let verifyOutput: ValidateFunction;
  let lintOutput: ValidateFunction;
  let reportFile: ValidateFunction;
  let dir: string;

  /** The schema's violations of `doc` as "path keyword: message params"; empty when it is valid. */
  const violations = (validate: ValidateFunction, doc: unknown): string[] =>
    validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.keyword}: ${e.message} ${JSON.stringify(e.params)}`);
  /** Just "path keyword" of each violation. */
  const where = (found: string[]) => found.map((v) => v.slice(0, v.indexOf(':')));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zdt-schema-'));
    // strict: a misspelt keyword or a type-less constraint in a schema is an error, not ignored.
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    for (const file of SCHEMAS) {
      schemas[file] = JSON.parse(await readFile(new URL(`../../schema/${file}`, import.meta.url), 'utf8')) as Json;
      ajv.addSchema(schemas[file]!); // checked against the draft 2020-12 meta-schema
    }
    verifyOutput = ajv.getSchema('urn:zdt:verify-output:v1')!;
    lintOutput = ajv.getSchema('urn:zdt:lint-output:v1')!;
    reportFile = ajv.getSchema('urn:zdt:report:v1')!;
  });
  after(() => rm(dir, { recursive: true, force: true }));

  describe('zdt verify --json (fake cluster), one case per outcome', () => {
    const cases: { name: string; code: number; run: (reportDir: string) => Promise<CliRun> }[] = [
      { name: 'pass', code: 0, run: (d) => cli(['verify', GOOD, '--json', '--report-dir', d]) },
      { name: 'fail: requests failed (bursts with nearby events)', code: 1, run: (d) => cli(['verify', GOOD, '--json', '--report-dir', d], fakeCluster({ rollout: returns('fail') })) },
      {
        name: 'fail: drain blocked after a passing scenario (reports and an error)',
        code: 1,
        run: (d) => cli(['verify', GOOD, '--json', '--report-dir', d], fakeCluster({ 'node-replacement': throws(new ZdtError(ErrorCode.DrainBlocked, 'blocked by PodDisruptionBudget web')) })),
      },
      {
        name: 'could not verify: inconclusive report (null window, latency, gap)',
        code: 2,
        run: (d) => cli(['verify', GOOD, '--json', '--scenario', 'parallel-drain', '--report-dir', d], fakeCluster({ 'parallel-drain': returns('inconclusive') })),
      },
      { name: 'could not verify: bad input, no report written', code: 2, run: (d) => cli(['verify', 'test/fixtures/nope', '--json', '--report-dir', d]) },
      { name: 'could not verify: kind missing', code: 2, run: (d) => cli(['verify', GOOD, '--json', '--report-dir', d], fakeCluster({}, new ZdtError(ErrorCode.Kind, 'kind not found on PATH'))) },
      { name: 'could not verify: unexpected error (code null)', code: 2, run: (d) => cli(['verify', GOOD, '--json', '--report-dir', d], fakeCluster({ rollout: throws(new TypeError('boom')) })) },
      { name: 'lint findings beside a passing run', code: 0, run: (d) => cli(['verify', `${BAD}/replicas-too-few.yaml`, '--json', '--report-dir', d]) },
      {
        name: 'with --mutants: twins caught (with their causes) and missed',
        code: 0,
        run: (d) => cli(['verify', GOOD, '--json', '--scenario', 'rollout', '--mutants', '--report-dir', d], fakeCluster({ rollout: async (o) => result(report(o.name, JSON.stringify(o.manifests).includes('preStop') ? 'pass' : 'fail')) })),
      },
      {
        name: 'interrupted before the cluster started',
        code: 130,
        run: (d) => {
          const controller = new AbortController();
          controller.abort();
          return cli(['verify', GOOD, '--json', '--report-dir', d], fakeCluster(), controller);
        },
      },
    ];

    for (const c of cases) {
      it(`${c.name}: exit ${c.code}, stdout and report.json valid`, async () => {
        const run = await c.run(join(dir, c.name.replace(/\W+/g, '-')));
        expect(run.code, run.stderr).to.equal(c.code);
        const out = JSON.parse(run.stdout) as Json;
        expect(violations(verifyOutput, out)).to.deep.equal([]);
        expect(out.exitCode).to.equal(c.code);
        if (out.reportFiles !== null) expect(violations(reportFile, JSON.parse(await readFile(out.reportFiles.json, 'utf8')))).to.deep.equal([]);
      });
    }

    it('the cases cover every exit code, and the schema lists exactly those', () => {
      expect([...new Set(cases.map((c) => c.code))].sort((a, b) => a - b)).to.deep.equal(Object.values(ExitCode));
      expect(schemas['verify-output.v1.schema.json']!.properties.exitCode.enum).to.deep.equal(Object.values(ExitCode));
    });
  });

  describe('zdt lint --format json', () => {
    for (const [name, target, code] of [['no findings', GOOD, 0], ['findings', `${BAD}/replicas-too-few.yaml`, 1]] as const) {
      it(`${name}: exit ${code}, stdout valid`, async () => {
        const run = await cli(['lint', target, '--format', 'json']);
        expect(run.code, run.stderr).to.equal(code);
        expect(violations(lintOutput, JSON.parse(run.stdout))).to.deep.equal([]);
      });
    }
  });

  describe('the schemas track the code and reject what the CLI must not print', () => {
    let passing: Json;
    let failing: Json;
    let findings: Json;
    before(async () => {
      passing = JSON.parse((await cli(['verify', `${BAD}/replicas-too-few.yaml`, '--json', '--report-dir', join(dir, 'm1')])).stdout) as Json;
      failing = JSON.parse((await cli(['verify', GOOD, '--json', '--report-dir', join(dir, 'm2')], fakeCluster({ 'parallel-drain': returns('fail') }))).stdout) as Json;
      findings = JSON.parse((await cli(['lint', `${BAD}/replicas-too-few.yaml`, '--format', 'json'])).stdout) as Json;
      expect(passing.lint.findings).not.to.deep.equal([]);
      expect(failing.reports[0].bursts[0].events).not.to.deep.equal([]);
    });

    it('error codes and timeline kinds are exactly those the code defines', () => {
      const verify = schemas['verify-output.v1.schema.json']!;
      const report = schemas['report.v1.schema.json']!;
      expect(verify.properties.error.oneOf[1].properties.code.enum).to.deep.equal([null, ...Object.values(ErrorCode)]);
      expect(report.$defs.eventFields.properties.kind.enum).to.have.members(Object.keys(TIMELINE_KINDS));
    });

    it('requires the schema field, with this major version only', () => {
      expect((passing as { schema?: string }).schema).to.equal('zdt.verify-output/v1');
      expect(violations(lintOutput, { ...findings, schema: 'zdt.lint-output/v1' })).to.deep.equal([]);
      expect(where(violations(verifyOutput, { ...passing, schema: 'zdt.verify-output/v2' }))).to.deep.equal(['/schema const']);
      const { schema: _, ...unnamed } = passing as Record<string, unknown>;
      expect(where(violations(verifyOutput, unnamed))).to.deep.equal(['/ required']);
    });

    const mutations: { what: string; base: () => Json; validate: () => ValidateFunction; mutate: (d: Json) => void; error: string }[] = [
      { what: 'an exit code zdt never uses', base: () => passing, validate: () => verifyOutput, mutate: (d) => (d.exitCode = 3), error: '/exitCode enum' },
      { what: 'a missing lint section', base: () => passing, validate: () => verifyOutput, mutate: (d) => delete d.lint, error: '/ required' },
      { what: 'an undocumented top-level field', base: () => passing, validate: () => verifyOutput, mutate: (d) => (d.verdict = 'pass'), error: '/ additionalProperties' },
      { what: 'an unknown verdict', base: () => failing, validate: () => verifyOutput, mutate: (d) => (d.reports[0].verdict = 'flaky'), error: '/reports/0/verdict enum' },
      { what: 'a negative count', base: () => failing, validate: () => verifyOutput, mutate: (d) => (d.reports[0].totals.failed = -1), error: '/reports/0/totals/failed minimum' },
      { what: 'a NaN latency (JSON null)', base: () => failing, validate: () => verifyOutput, mutate: (d) => (d.reports[0].latency.p99 = null), error: '/reports/0/latency/p99 type' },
      { what: 'an unknown timeline kind', base: () => failing, validate: () => verifyOutput, mutate: (d) => (d.reports[0].timeline[0].kind = 'pod-exploded'), error: '/reports/0/timeline/0/kind enum' },
      { what: 'an extra field on a burst event', base: () => failing, validate: () => verifyOutput, mutate: (d) => (d.reports[0].bursts[0].events[0].pod = 'web-b'), error: '/reports/0/bursts/0/events/0 unevaluatedProperties' },
      { what: 'an unknown error code', base: () => failing, validate: () => verifyOutput, mutate: (d) => (d.error = { code: 'OOPS', message: 'x' }), error: '/error/code enum' },
      { what: 'a finding at line 0', base: () => passing, validate: () => verifyOutput, mutate: (d) => (d.lint.findings[0].line = 0), error: '/lint/findings/0/line minimum' },
      { what: 'a finding of unknown severity', base: () => findings, validate: () => lintOutput, mutate: (d) => (d.findings[0].severity = 'fatal'), error: '/findings/0/severity enum' },
      { what: 'a summary count as a string', base: () => findings, validate: () => lintOutput, mutate: (d) => (d.summary.errors = '9'), error: '/summary/errors type' },
    ];
    for (const m of mutations) {
      it(`rejects ${m.what}`, () => {
        const doc = structuredClone(m.base());
        expect(violations(m.validate(), doc), 'the unmodified document').to.deep.equal([]);
        m.mutate(doc);
        expect(where(violations(m.validate(), doc))).to.include(m.error);
      });
    }
  });
});
