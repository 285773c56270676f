import { expect } from 'chai';
import { formatJson, formatSarif, formatText, SARIF_SCHEMA } from '../../harness/lint/format.ts';
import { lintDirectory } from '../../harness/lint/lint.ts';
import { defaultRules } from '../../harness/lint/rules/index.ts';
import type { Finding } from '../../harness/lint/types.ts';

const BAD = 'test/fixtures/lint/bad';

const finding = (over: Partial<Finding>): Finding => ({
  ruleId: 'replicas-too-few',
  severity: 'error',
  message: '1 replica(s)',
  object: 'Deployment/default/web',
  file: 'deploy/a.yaml',
  line: 2,
  fix: 'set spec.replicas: 2 (or more)',
  ...over,
});

describe('lint output formats', () => {
  const findings = [
    finding({}),
    finding({ line: 20, ruleId: 'service-unmatched', severity: 'warning', object: 'Service/default/api', message: 'no pods' }),
    finding({ file: 'deploy/b.yaml', line: 5 }),
  ];

  it('text: file:line severity rule-id object: message (fix: ...), files separated, then counts', () => {
    expect(formatText(findings)).to.equal(
      [
        'deploy/a.yaml:2 error replicas-too-few Deployment/default/web: 1 replica(s) (fix: set spec.replicas: 2 (or more))',
        'deploy/a.yaml:20 warning service-unmatched Service/default/api: no pods (fix: set spec.replicas: 2 (or more))',
        '',
        'deploy/b.yaml:5 error replicas-too-few Deployment/default/web: 1 replica(s) (fix: set spec.replicas: 2 (or more))',
        '',
        '2 errors, 1 warning',
        '',
      ].join('\n'),
    );
    expect(formatText([])).to.equal('no zero-downtime problems found\n');
  });

  it('json: summary counts and the findings as data', () => {
    expect(JSON.parse(formatJson(findings))).to.deep.equal({ summary: { errors: 2, warnings: 1 }, findings });
  });

  describe('sarif', () => {
    it('is a SARIF 2.1.0 log listing every rule and locating each result relative to the scanned dir', async () => {
      const found = await lintDirectory(`${BAD}/pdb-overlap.yaml`);
      const log = JSON.parse(formatSarif(found, { baseDir: BAD }));
      expect(log.version).to.equal('2.1.0');
      expect(log.$schema).to.equal(SARIF_SCHEMA);
      expect(log.runs).to.have.length(1);
      const { driver } = log.runs[0].tool;
      expect(driver.name).to.equal('zdt');
      expect(driver.rules.map((r: { id: string }) => r.id)).to.deep.equal(defaultRules.map((r) => r.id));
      for (const rule of driver.rules) {
        expect(rule.shortDescription.text).to.be.a('string').and.not.equal('');
        expect(rule.help.text).to.be.a('string').and.not.equal('');
        expect(rule.defaultConfiguration.level).to.be.oneOf(['error', 'warning']);
      }
      const results = log.runs[0].results;
      expect(results).to.have.length(1);
      const [result] = results;
      expect(result.ruleId).to.equal('pdb-overlap');
      expect(driver.rules[result.ruleIndex].id).to.equal('pdb-overlap');
      expect(result.level).to.equal('error');
      expect(result.message.text).to.contain('Deployment/default/web').and.contain('fix:');
      expect(result.locations[0].physicalLocation).to.deep.equal({
        artifactLocation: { uri: 'pdb-overlap.yaml' },
        region: { startLine: 2 },
      });
    });

    it('uses forward-slash relative URIs and warning levels', () => {
      const log = JSON.parse(formatSarif([findings[1] as Finding], { baseDir: '.' }));
      const [result] = log.runs[0].results;
      expect(result.level).to.equal('warning');
      expect(result.locations[0].physicalLocation.artifactLocation.uri).to.equal('deploy/a.yaml');
      expect(result.locations[0].physicalLocation.region.startLine).to.equal(20);
    });

    it('locates a rendered finding at its template file only: its line is in the renderer\'s output', () => {
      const rendered = finding({ file: 'chart/templates/api.yaml', line: 3, rendered: 'helm template' });
      const log = JSON.parse(formatSarif([rendered], { baseDir: 'chart' }));
      expect(log.runs[0].results[0].locations[0].physicalLocation).to.deep.equal({ artifactLocation: { uri: 'templates/api.yaml' } });
      expect(formatText([rendered])).to.match(/^chart\/templates\/api\.yaml \(line 3 of what helm template rendered from it\) error replicas-too-few /);
    });

    it('is valid with no findings', () => {
      const log = JSON.parse(formatSarif([], { baseDir: '.' }));
      expect(log.runs[0].results).to.deep.equal([]);
      expect(log.runs[0].tool.driver.rules).to.have.length(defaultRules.length);
    });
  });
});
