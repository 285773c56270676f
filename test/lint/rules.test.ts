import { readdir } from 'node:fs/promises';
import { expect } from 'chai';
import { lintDirectory, lintManifests } from '../../harness/lint/lint.ts';
import { defaultRules } from '../../harness/lint/rules/index.ts';
import { parseManifests } from '../../harness/manifests/load.ts';

const FIXTURES = 'test/fixtures/lint';

/** Rule ids that fire on inline YAML, deduplicated, in order. */
function firing(yaml: string): string[] {
  return [...new Set(lintManifests(parseManifests(yaml, 'inline.yaml')).map((f) => f.ruleId))];
}

function deployment({
  name = 'web',
  replicas = '2',
  grace = '30',
  preStop = 'exec: {command: ["sh", "-c", "sleep 15 && nginx -s quit"]}',
  readiness = 'readinessProbe: {httpGet: {path: /, port: 80}}',
} = {}): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  ${replicas === '' ? '' : `replicas: ${replicas}`}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      ${grace === '' ? '' : `terminationGracePeriodSeconds: ${grace}`}
      containers:
        - name: app
          ports: [{containerPort: 80}]
          ${readiness}
          lifecycle: {preStop: {${preStop}}}
`;
}
const service = (app = 'web') => `apiVersion: v1\nkind: Service\nmetadata: {name: ${app}}\nspec: {selector: {app: ${app}}}\n`;
const pdb = (budget: string, name = 'web', selector = '{matchLabels: {app: web}}') =>
  `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: ${name}}\nspec: {${budget}, selector: ${selector}}\n`;
const docs = (...parts: string[]) => parts.join('---\n');

describe('lint rules', () => {
  it('is silent on the good fixture', async () => {
    expect(await lintDirectory(`${FIXTURES}/good`)).to.deep.equal([]);
  });

  it('has one bad fixture per rule, and each fires exactly its rule', async () => {
    const files = (await readdir(`${FIXTURES}/bad`)).sort();
    expect(files).to.deep.equal(defaultRules.map((r) => `${r.id}.yaml`).sort());
    for (const file of files) {
      const findings = await lintDirectory(`${FIXTURES}/bad/${file}`);
      expect([...new Set(findings.map((f) => f.ruleId))], file).to.deep.equal([file.replace(/\.yaml$/, '')]);
    }
  });

  it('locates findings at the object, with its kind/namespace/name and a one-line fix', async () => {
    const [finding, ...rest] = await lintDirectory(`${FIXTURES}/bad/readiness-probe-missing.yaml`);
    expect(rest, 'the port-less sidecar is not a serving container').to.deep.equal([]);
    expect(finding).to.include({
      ruleId: 'readiness-probe-missing',
      severity: 'error',
      object: 'Deployment/default/web',
      file: `${FIXTURES}/bad/readiness-probe-missing.yaml`,
      line: 2,
    });
    expect(finding?.message).to.contain('"nginx"');
    expect(finding?.fix).to.be.a('string').and.not.contain('\n');
  });

  it('rule ids are unique kebab-case with a description and help', () => {
    expect(new Set(defaultRules.map((r) => r.id)).size).to.equal(defaultRules.length);
    for (const rule of defaultRules) {
      expect(rule.id).to.match(/^[a-z]+(-[a-z]+)*$/);
      expect(rule.description).to.not.equal('');
      expect(rule.help).to.not.equal('');
    }
  });

  describe('pdb-blocks-drain rounds like the disruption controller (percentages round up)', () => {
    const cases: [string, string, boolean][] = [
      ['2', 'minAvailable: 2', true],
      ['2', 'minAvailable: 3', true],
      ['2', 'minAvailable: 1', false],
      ['2', 'minAvailable: "100%"', true],
      ['2', 'minAvailable: "50%"', false],
      ['2', 'minAvailable: "51%"', true], // ceil(1.02) = 2
      ['3', 'minAvailable: "67%"', true], // ceil(2.01) = 3
      ['3', 'minAvailable: "66%"', false], // ceil(1.98) = 2
      ['2', 'maxUnavailable: 0', true],
      ['2', 'maxUnavailable: "0%"', true],
      ['2', 'maxUnavailable: "1%"', false], // ceil(0.02) = 1
      ['2', 'maxUnavailable: 1', false],
    ];
    for (const [replicas, budget, blocks] of cases) {
      it(`${budget} over ${replicas} replicas ${blocks ? 'blocks' : 'allows'} a drain`, () => {
        expect(firing(docs(deployment({ replicas }), service(), pdb(budget))).includes('pdb-blocks-drain')).to.equal(blocks);
      });
    }

    it('sums the replicas of every workload the PDB selects', () => {
      const both = "{matchExpressions: [{key: app, operator: In, values: [web, api]}]}";
      const yaml = docs(deployment(), deployment({ name: 'api' }), service(), service('api'), pdb('minAvailable: 3', 'both', both));
      expect(firing(yaml)).to.not.include('pdb-blocks-drain');
      expect(firing(yaml.replace('minAvailable: 3', 'minAvailable: 4'))).to.include('pdb-blocks-drain');
    });
  });

  it('pdb-unmatched: a PDB without selector or in another namespace selects nothing', () => {
    const noSelector = 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: x}\nspec: {maxUnavailable: 1}\n';
    const elsewhere = pdb('maxUnavailable: 1', 'web').replace('{name: web}', '{name: web, namespace: other}');
    expect(firing(docs(deployment(), service(), pdb('maxUnavailable: 1'), noSelector))).to.deep.equal(['pdb-unmatched']);
    expect(firing(docs(deployment(), service(), elsewhere))).to.have.members(['pdb-missing', 'pdb-unmatched']);
  });

  it('pdb-missing only applies to multi-replica workloads behind a Service', () => {
    expect(firing(docs(deployment(), service()))).to.deep.equal(['pdb-missing']);
    expect(firing(deployment())).to.deep.equal([]);
    expect(firing(docs(deployment({ replicas: '1' }), service()))).to.deep.equal(['replicas-too-few']);
  });

  describe('preStop delay parsing', () => {
    const withPreStop = (preStop: string, grace = '30') => docs(deployment({ preStop, grace }), service(), pdb('maxUnavailable: 1'));
    const cases: [string, string, string[]][] = [
      ['exec: {command: ["sleep", "5"]}', '30', []],
      ['exec: {command: ["/bin/sh", "-c", "echo bye; sleep 20s; nginx -s quit"]}', '30', []],
      ['exec: {command: ["sh", "-c", "sleep 15 && nginx -s quit"]}', '15', ['prestop-delay-too-long']],
      ['exec: {command: ["sh", "-c", "sleep 1m"]}', '30', ['prestop-delay-too-long']],
      ['sleep: {seconds: 10}', '', []],
      ['sleep: {seconds: 30}', '', ['prestop-delay-too-long']], // unset grace defaults to 30
      ['exec: {command: ["sh", "-c", "nosleep 5"]}', '30', ['prestop-delay-missing']],
      ['sleep: {seconds: 0}', '30', ['prestop-delay-missing']],
      ['httpGet: {path: /quit, port: 80}', '30', ['prestop-delay-missing']],
    ];
    for (const [preStop, grace, expected] of cases) {
      it(`${preStop} with grace ${grace || 'unset'} → ${expected.join(', ') || 'nothing'}`, () => {
        expect(firing(withPreStop(preStop, grace))).to.deep.equal(expected);
      });
    }
  });

  it('service-unmatched ignores selector-less and ExternalName Services', () => {
    const headless = 'apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec: {ports: [{port: 5432}]}\n';
    const external = 'apiVersion: v1\nkind: Service\nmetadata: {name: ext}\nspec: {type: ExternalName, externalName: example.com, selector: {app: x}}\n';
    expect(firing(docs(deployment(), service(), pdb('maxUnavailable: 1'), headless, external))).to.deep.equal([]);
  });

  it("service-unmatched counts a bare Pod's labels as a match", () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: solo, labels: {app: solo}}\nspec: {containers: [{name: c}]}\n';
    expect(firing(docs(pod, service('solo')))).to.deep.equal([]);
  });

  it('runs only the rules it is given', () => {
    const yaml = docs(deployment({ replicas: '' }), service());
    const only = defaultRules.filter((r) => r.id === 'replicas-too-few');
    expect(lintManifests(parseManifests(yaml, 'x.yaml'), { rules: only }).map((f) => f.ruleId)).to.deep.equal(['replicas-too-few']);
  });
});
