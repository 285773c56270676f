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
  kind = 'Deployment',
  name = 'web',
  replicas = '2',
  grace = '30',
  preStop = 'exec: {command: ["sh", "-c", "sleep 15 && nginx -s quit"]}',
  readiness = 'readinessProbe: {httpGet: {path: /, port: 80}}',
  ports = '[{containerPort: 80}]',
  spec = '',
  podSpec = '',
} = {}): string {
  return `apiVersion: apps/v1
kind: ${kind}
metadata: {name: ${name}}
spec:
  ${replicas === '' ? '' : `replicas: ${replicas}`}
  ${spec}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      ${grace === '' ? '' : `terminationGracePeriodSeconds: ${grace}`}
      ${podSpec}
      containers:
        - name: app
          ports: ${ports}
          ${readiness}
          lifecycle: {preStop: {${preStop}}}
`;
}
/** A hand-made Pod, otherwise configured like deployment()'s pods. */
const bare = (name: string, app = 'web') =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, labels: {app: ${app}}}\nspec:\n  containers:\n    - name: app\n      ports: [{containerPort: 80}]\n      readinessProbe: {httpGet: {path: /, port: 80}}\n      lifecycle: {preStop: {sleep: {seconds: 10}}}\n`;
const service = (app = 'web') => `apiVersion: v1\nkind: Service\nmetadata: {name: ${app}}\nspec: {selector: {app: ${app}}}\n`;
const pdb = (budget: string, name = 'web', selector = '{matchLabels: {app: web}}') =>
  `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: ${name}}\nspec: {${budget}, selector: ${selector}}\n`;
const docs = (...parts: string[]) => parts.join('---\n');

describe('lint rules', () => {
  it('is silent on the good fixture', async () => {
    expect(await lintDirectory(`${FIXTURES}/good`)).to.deep.equal([]);
  });

  it('has near-miss ok fixtures, each named after the rule it almost fires and silent', async () => {
    const ids = defaultRules.map((r) => r.id);
    const files = await readdir(`${FIXTURES}/ok`);
    const newRules = ['pod-without-controller', 'rollout-takes-all-down', 'readiness-probe-not-serving-port', 'emptydir-blocks-drain'];
    expect(files.map((f) => f.replace(/\.yaml$/, ''))).to.include.members([...newRules, 'prestop-delay-missing']);
    for (const file of files) {
      expect(ids, file).to.include(file.replace(/\.yaml$/, ''));
      expect(await lintDirectory(`${FIXTURES}/ok/${file}`), file).to.deep.equal([]);
    }
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

  it("counts an autoscaled workload at its HorizontalPodAutoscaler's minReplicas, and names the autoscaler in the fix", () => {
    const hpa = (min: string, target = 'web') =>
      `apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web-hpa}\nspec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ${target}}, ${min} maxReplicas: 5}\n`;
    const findings = lintManifests(parseManifests(docs(deployment({ replicas: '3' }), service(), pdb('maxUnavailable: 1'), hpa('minReplicas: 1,')), 'inline.yaml'));
    expect(findings.map((f) => [f.ruleId, f.message, f.fix])).to.deep.equal([
      [
        'replicas-too-few',
        '1 replica(s) at the floor of HorizontalPodAutoscaler web-hpa (minReplicas); scaled down there, a drain of its node leaves none of its pods serving',
        'set minReplicas: 2 (or more) in HorizontalPodAutoscaler web-hpa',
      ],
    ]);
    expect(firing(docs(deployment({ replicas: '3' }), service(), pdb('maxUnavailable: 1'), hpa('')))).to.deep.equal(['replicas-too-few']);
    expect(firing(docs(deployment({ replicas: '' }), service(), pdb('maxUnavailable: 1'), hpa('minReplicas: 2,')))).to.deep.equal([]);
    expect(firing(docs(deployment({ replicas: '1' }), service(), pdb('maxUnavailable: 1'), hpa('minReplicas: 2,', 'other')))).to.deep.equal(['replicas-too-few']);
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
      // Only what runs counts: a sleep in a comment, in $0 after the script, or as another program's argument does not.
      ['exec: {command: ["sh", "-c", "nginx -s quit # sleep 15"]}', '30', ['prestop-delay-missing']],
      ['exec: {command: ["sh", "-c", "echo \'# not a comment\'; sleep 5"]}', '30', []],
      ['exec: {command: ["sh", "-c", "nginx -s quit", "sleep 15"]}', '30', ['prestop-delay-missing']],
      ['exec: {command: ["sh", "-c", "sleep", "15"]}', '30', ['prestop-delay-missing']],
      ['exec: {command: ["nginx", "-s", "quit", "sleep", "5"]}', '30', ['prestop-delay-missing']],
      ['exec: {command: ["sh", "-c", "sleep 15 & nginx -s quit"]}', '30', ['prestop-delay-missing']],
      ['exec: {command: ["sh", "-c", "sleep 5 && nginx -s quit & wait"]}', '30', []],
      ['exec: {command: ["/bin/sleep", "5"]}', '30', []],
      ['exec: {command: ["env", "GRACE=1", "sleep", "5"]}', '30', []],
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
    // Since bare Pods are workloads, this one also draws pod-without-controller (and the
    // probe/preStop rules): before, lint saw nothing at all here.
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: solo, labels: {app: solo}}\nspec: {containers: [{name: c}]}\n';
    expect(firing(docs(pod, service('solo')))).to.not.include('service-unmatched');
  });

  describe('every serving kind is a workload', () => {
    const noProbe = { readiness: '' };
    it('StatefulSets, DaemonSets, ReplicaSets and bare Pods get the per-container rules', () => {
      for (const kind of ['StatefulSet', 'DaemonSet', 'ReplicaSet']) {
        const replicas = kind === 'DaemonSet' ? '' : '2';
        expect(firing(docs(deployment({ kind, replicas, ...noProbe }), service(), pdb('maxUnavailable: 1'))), kind).to.deep.equal(['readiness-probe-missing']);
      }
      const pod = bare('solo').replace(/ {6}readinessProbe.*\n/, '');
      expect(firing(docs(pod, service()))).to.have.members(['pod-without-controller', 'readiness-probe-missing']);
    });

    it('a DaemonSet (replicas undefined) is not counted: no replicas-too-few, pdb-missing or share of a PDB', () => {
      expect(firing(docs(deployment({ kind: 'DaemonSet', replicas: '' }), service()))).to.deep.equal([]);
      const both = '{matchExpressions: [{key: app, operator: In, values: [web, agent]}]}';
      const yaml = docs(deployment(), deployment({ kind: 'DaemonSet', name: 'agent', replicas: '' }), service(), pdb('minAvailable: 2', 'both', both));
      expect(firing(yaml), 'the DaemonSet adds no pods the PDB could spare').to.include('pdb-blocks-drain');
    });

    it('a bare Pod counts as 1 replica and is not replicas-too-few (pod-without-controller says it)', () => {
      const pods = docs(bare('legacy-1'), bare('legacy-2'), service());
      expect(firing(pods)).to.deep.equal(['pod-without-controller']);
      expect(firing(docs(pods, pdb('minAvailable: 1')))).to.deep.equal(['pod-without-controller']);
      expect(firing(docs(pods, pdb('minAvailable: 2')))).to.have.members(['pod-without-controller', 'pdb-blocks-drain']);
    });
  });

  describe('pod-without-controller', () => {
    it('names the pod and its Service, and fires without a Service too (a drain refuses it either way)', () => {
      const [finding] = lintManifests(parseManifests(docs(bare('legacy-1'), service()), 'x.yaml'));
      expect(finding).to.include({ ruleId: 'pod-without-controller', severity: 'error', object: 'Pod/default/legacy-1' });
      expect(finding?.message).to.contain('legacy-1').and.contain('Service web').and.contain('--force');
      expect(finding?.fix).to.contain('Deployment');
      expect(firing(bare('lonely'))).to.deep.equal(['pod-without-controller']);
    });
  });

  describe('prestop-delay-missing does not credit a delay to a shell script that does not parse', () => {
    const withPreStop = (command: string) => docs(deployment({ preStop: `exec: {command: ${command}}` }), service(), pdb('maxUnavailable: 1'));
    const cases: [string, boolean][] = [
      ['["/bin/sh", "-c", "echo draining > /tmp/state &; sleep 15; nginx -s quit"]', false],
      ['["/bin/sh", "-c", "echo draining > /tmp/state & sleep 15; nginx -s quit"]', true],
      ['["bash", "-c", "sleep 15 && nginx -s quit &;"]', false],
      ['["sh", "-ec", "if true; then sleep 15; nginx -s quit"]', false],
      ['["sh", "-xc", "sleep 15 && nginx -s quit"]', true],
      ['["sh", "-e", "-c", "--", "sleep 15; nginx -s quit"]', true],
      ['["/bin/bash", "-euo", "pipefail", "-c", "sleep 15 && nginx -s quit"]', true],
      ['["busybox", "sh", "-c", "sleep 15 && (nginx -s quit"]', false],
      // bash syntax is checked by bash, POSIX sh by dash: arrays parse only in bash.
      ['["bash", "-c", "pids=(1 2); sleep 15"]', true],
      ['["sh", "-c", "pids=(1 2); sleep 15"]', false],
      // Array items after the script are $0, $1...: only the script is parsed (and read for sleeps).
      ['["sh", "-c", "sleep 15; nginx -s quit", "&;"]', true],
    ];
    for (const [command, parses] of cases) {
      it(`${command} → ${parses ? 'credited' : 'prestop-delay-missing'}`, () => {
        expect(firing(withPreStop(command))).to.deep.equal(parses ? [] : ['prestop-delay-missing']);
      });
    }

    it("quotes the shell's own error, and wins over a delay that is too long", () => {
      const command = '["/bin/sh", "-c", "echo draining > /tmp/state &; sleep 60; nginx -s quit"]';
      const findings = lintManifests(parseManifests(withPreStop(command), 'x.yaml'));
      expect(findings.map((f) => f.ruleId)).to.deep.equal(['prestop-delay-missing']);
      expect(findings[0]?.message).to.match(/does not parse \(.*Syntax error: ";" unexpected\)/);
      expect(findings[0]?.fix).to.contain('lifecycle.preStop.exec.command');
    });
  });

  describe('rollout-takes-all-down', () => {
    const rollout = (options: Parameters<typeof deployment>[0]) => firing(docs(deployment(options), service(), pdb('maxUnavailable: 1'))).includes('rollout-takes-all-down');
    const cases: [string, Parameters<typeof deployment>[0], boolean][] = [
      ['Deployment Recreate', { spec: 'strategy: {type: Recreate}' }, true],
      ['Deployment default RollingUpdate (25%/25%)', {}, false],
      ['Deployment maxUnavailable 2 of 2', { spec: 'strategy: {rollingUpdate: {maxUnavailable: 2}}' }, true],
      ['Deployment maxUnavailable 100%', { spec: 'strategy: {rollingUpdate: {maxUnavailable: "100%"}}' }, true],
      ['Deployment maxUnavailable 99% of 2 (rounds down to 1)', { spec: 'strategy: {rollingUpdate: {maxUnavailable: "99%"}}' }, false],
      ['Deployment maxUnavailable 3 of 4', { replicas: '4', spec: 'strategy: {rollingUpdate: {maxUnavailable: 3}}' }, false],
      ['Deployment maxUnavailable 100% at 1 replica', { replicas: '1', spec: 'strategy: {rollingUpdate: {maxUnavailable: "100%"}}' }, true],
      // At one replica, maxSurge 0 forces maxUnavailable 1: raising replicas cures that, so it is replicas-too-few's.
      ['Deployment 1 replica, maxSurge 0', { replicas: '1', spec: 'strategy: {rollingUpdate: {maxSurge: 0}}' }, false],
      ['StatefulSet default (one pod at a time)', { kind: 'StatefulSet' }, false],
      ['StatefulSet 1 replica (replicas-too-few says it)', { kind: 'StatefulSet', replicas: '1' }, false],
      ['StatefulSet maxUnavailable 2 of 2', { kind: 'StatefulSet', spec: 'updateStrategy: {rollingUpdate: {maxUnavailable: 2}}' }, true],
      ['StatefulSet maxUnavailable 50% of 3 (rounds down to 1)', { kind: 'StatefulSet', replicas: '3', spec: 'updateStrategy: {rollingUpdate: {maxUnavailable: "50%"}}' }, false],
      ['StatefulSet maxUnavailable 3 above partition 1', { kind: 'StatefulSet', replicas: '3', spec: 'updateStrategy: {rollingUpdate: {maxUnavailable: 3, partition: 1}}' }, false],
      ['StatefulSet OnDelete with maxUnavailable 2', { kind: 'StatefulSet', spec: 'updateStrategy: {type: OnDelete, rollingUpdate: {maxUnavailable: 2}}' }, false],
      ['DaemonSet maxUnavailable 100%', { kind: 'DaemonSet', replicas: '', spec: 'updateStrategy: {rollingUpdate: {maxUnavailable: "100%"}}' }, true],
      ['DaemonSet maxUnavailable 50%', { kind: 'DaemonSet', replicas: '', spec: 'updateStrategy: {rollingUpdate: {maxUnavailable: "50%"}}' }, false],
    ];
    for (const [what, options, fires] of cases) {
      it(`${what} ${fires ? 'fires' : 'does not fire'}`, () => {
        expect(rollout(options)).to.equal(fires);
      });
    }

    describe('several one-pod backends behind one Service restart together', () => {
      const api = (name: string, kind = 'StatefulSet') => deployment({ kind, name, replicas: '1' }).replace(`{app: ${name}}}\n    spec`, `{app: ${name}, group: api}}\n    spec`);
      const apiService = 'apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec: {selector: {group: api}}\n';

      it('two one-replica StatefulSets: flagged at the Service, besides replicas-too-few on each', () => {
        const findings = lintManifests(parseManifests(docs(api('blue'), api('green'), apiService), 'x.yaml'));
        const rollout = findings.filter((f) => f.ruleId === 'rollout-takes-all-down');
        expect(rollout.map((f) => f.object)).to.deep.equal(['Service/default/api']);
        expect(rollout[0]?.message).to.contain('StatefulSet/default/blue, StatefulSet/default/green');
        expect(findings.filter((f) => f.ruleId === 'replicas-too-few')).to.have.length(2);
      });

      it('not when a backend keeps a pod: one-replica Deployments surge first, a bare Pod is not rolled', () => {
        expect(firing(docs(api('blue', 'Deployment'), api('green', 'Deployment'), apiService))).to.not.include('rollout-takes-all-down');
        const pod = bare('keeper', 'api').replace('labels: {app: api}', 'labels: {app: api, group: api}');
        expect(firing(docs(api('blue'), pod, apiService))).to.not.include('rollout-takes-all-down');
      });
    });
  });

  describe('readiness-probe-not-serving-port', () => {
    const svc = (ports: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: ${ports}}\n`;
    const probe = (readiness: string, servicePorts = '[{port: 80}]', ports = '[{containerPort: 80, name: http}, {containerPort: 9090, name: metrics}]') =>
      firing(docs(deployment({ readiness: `readinessProbe: ${readiness}`, ports }), svc(servicePorts), pdb('maxUnavailable: 1'))).includes('readiness-probe-not-serving-port');
    const cases: [string, string, string | undefined, boolean][] = [
      ['exec probe', '{exec: {command: [test, -f, /etc/nginx/nginx.conf]}}', undefined, true],
      ['httpGet on the targetPort (defaulted to port)', '{httpGet: {path: /, port: 80}}', undefined, false],
      ['httpGet on a named port resolving to it', '{httpGet: {path: /, port: http}}', undefined, false],
      ['tcpSocket on a named targetPort', '{tcpSocket: {port: 80}}', '[{port: 8080, targetPort: http}]', false],
      ['httpGet on another port', '{httpGet: {path: /metrics, port: metrics}}', undefined, true],
      ['grpc on another port', '{grpc: {port: 9090}}', '[{port: 80, targetPort: 80}]', true],
      ['httpGet on one of two Service ports', '{httpGet: {path: /, port: 9090}}', '[{port: 80}, {port: 9090}]', false],
      ['exec probe behind a UDP-only Service', '{exec: {command: [true]}}', '[{port: 53, protocol: UDP}]', false],
    ];
    for (const [what, readiness, servicePorts, fires] of cases) {
      it(`${what} ${fires ? 'fires' : 'does not fire'}`, () => {
        expect(probe(readiness, servicePorts)).to.equal(fires);
      });
    }

    it('names the probe and the Service port', () => {
      const yaml = docs(deployment({ readiness: 'readinessProbe: {tcpSocket: {port: 9090}}' }), svc('[{port: 8080, targetPort: 80}]'), pdb('maxUnavailable: 1'));
      const [finding] = lintManifests(parseManifests(yaml, 'x.yaml'));
      expect(finding).to.include({ ruleId: 'readiness-probe-not-serving-port', severity: 'warning', object: 'Deployment/default/web' });
      expect(finding?.message).to.contain('tcpSocket on port 9090').and.contain('Service web sends port 8080 to container port 80');
      expect(finding?.fix).to.contain('port: 80');
    });

    it('checks the container that declares the target port, not a port-less sidecar', () => {
      const sidecar = deployment({ readiness: 'readinessProbe: {tcpSocket: {port: 80}}' }).replace(
        '      containers:\n',
        '      containers:\n        - name: proxy\n          ports: [{containerPort: 8443, name: tls}]\n          readinessProbe: {exec: {command: [true]}}\n          lifecycle: {preStop: {sleep: {seconds: 10}}}\n',
      );
      expect(firing(docs(sidecar, svc('[{port: 443, targetPort: tls}]'), pdb('maxUnavailable: 1')))).to.deep.equal(['readiness-probe-not-serving-port']);
      expect(firing(docs(sidecar, svc('[{port: 80}]'), pdb('maxUnavailable: 1')))).to.deep.equal([]);
    });
  });

  describe('emptydir-blocks-drain', () => {
    const podSpec = 'volumes: [{name: scratch, emptyDir: {}}]';
    it('fires on pods a drain moves (Deployment, StatefulSet, ReplicaSet) and names the volume and the flag', () => {
      for (const kind of ['Deployment', 'StatefulSet', 'ReplicaSet']) {
        const findings = lintManifests(parseManifests(docs(deployment({ kind, podSpec }), service(), pdb('maxUnavailable: 1')), 'x.yaml'));
        expect(findings.map((f) => [f.ruleId, f.severity]), kind).to.deep.equal([['emptydir-blocks-drain', 'warning']]);
        expect(findings[0]?.message).to.contain('"scratch"');
        expect(findings[0]?.fix).to.contain('--delete-emptydir-data').and.contain('zdt verify --delete-emptydir-data');
      }
    });

    it('not on DaemonSet pods (drains skip them), bare Pods (refused anyway) or other volume kinds', () => {
      expect(firing(docs(deployment({ kind: 'DaemonSet', replicas: '', podSpec }), service()))).to.deep.equal([]);
      const pod = bare('legacy').replace('spec:\n', `spec:\n  ${podSpec}\n`);
      expect(firing(docs(pod, service()))).to.deep.equal(['pod-without-controller']);
      expect(firing(docs(deployment({ podSpec: 'volumes: [{name: conf, configMap: {name: web}}]' }), service(), pdb('maxUnavailable: 1')))).to.deep.equal([]);
    });
  });

  it('runs only the rules it is given', () => {
    const yaml = docs(deployment({ replicas: '' }), service());
    const only = defaultRules.filter((r) => r.id === 'replicas-too-few');
    expect(lintManifests(parseManifests(yaml, 'x.yaml'), { rules: only }).map((f) => f.ruleId)).to.deep.equal(['replicas-too-few']);
  });
});
