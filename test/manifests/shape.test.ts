import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { ErrorCode, isZdtError, type ZdtError } from '../../harness/errors.ts';
import { loadManifests, parseManifests } from '../../harness/manifests/load.ts';
import { POD_TEMPLATE_PATHS } from '../../harness/manifests/workloads.ts';

/** What parseManifests threw for `text` (failing the test when it does not throw). */
function refusal(text: string): ZdtError {
  try {
    parseManifests(text, 'in.yaml');
  } catch (err) {
    expect(isZdtError(err, ErrorCode.Manifest), String(err)).to.equal(true);
    return err as ZdtError;
  }
  return expect.fail(`loaded:\n${text}`);
}

/** `apiVersion`, `kind` and a name, then `body` (YAML at the top level of the object). */
const object = (kind: string, body: string, apiVersion = 'v1') => `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: x}\n${body}\n`;

/** Every kind, field and form of the Kubernetes API zdt reads, as real manifests write them. */
const EVERYTHING_VALID = [
  object(
    'Deployment',
    `spec:
  replicas: 0
  revisionHistoryLimit: 3
  selector:
    matchLabels: {app: web}
    matchExpressions:
      - {key: tier, operator: In, values: [front, "2"]}
      - {key: canary, operator: DoesNotExist}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}}
  template:
    metadata:
      labels: {app: web, "app.kubernetes.io/name": web, "1": "one"}
      annotations: {prometheus.io/scrape: "true", empty: ""}
    spec:
      terminationGracePeriodSeconds: 0
      initContainers:
        - {name: init, image: busybox, command: [sh, -c, "true"]}
      containers:
        - name: web
          image: nginx
          ports:
            - {containerPort: 80, name: http, protocol: TCP}
            - {containerPort: 9090}
          readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 2}
          livenessProbe: {exec: {command: [test, "-f", /tmp/ok]}}
          resources: {limits: {cpu: 1, memory: 1Gi}}
          lifecycle:
            preStop: {sleep: {seconds: 0}}
            postStart: {exec: {command: [echo, hi]}}
        - name: sidecar
          image: envoy
          readinessProbe: {tcpSocket: {port: 8443}}
          lifecycle: {preStop: {httpGet: {path: /drain, port: 8443}}}
        - name: grpc
          image: app
          readinessProbe: {grpc: {port: 50051}}
          lifecycle: {preStop: {exec: {command: ["/bin/sh", "-c", "sleep 5"]}}}
      volumes:
        - {name: scratch, emptyDir: {}}
        - {name: conf, configMap: {name: conf}}
      someFutureField: [1, {a: null}]`,
    'apps/v1',
  ),
  object('StatefulSet', 'spec:\n  replicas: 3\n  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 1, maxUnavailable: 50%}}\n  template: {spec: {containers: [{name: db, image: pg}]}}', 'apps/v1'),
  object('DaemonSet', 'spec:\n  updateStrategy: {rollingUpdate: {maxUnavailable: 1, maxSurge: 0}}\n  template: {spec: {containers: [{name: agent, image: a}]}}', 'apps/v1'),
  object('ReplicaSet', 'spec: {replicas: 2, template: {spec: {containers: [{name: a, image: a}]}}}', 'apps/v1'),
  object('Pod', 'spec: {containers: [{name: a, image: a, ports: [{containerPort: 8080}]}]}'),
  object('Job', 'spec: {template: {spec: {restartPolicy: Never, containers: [{name: a, image: a}]}}}', 'batch/v1'),
  object('CronJob', 'spec: {schedule: "* * * * *", jobTemplate: {spec: {template: {spec: {containers: [{name: a, image: a}]}}}}}', 'batch/v1'),
  object('Service', 'spec:\n  type: NodePort\n  selector: {app: web}\n  externalTrafficPolicy: Local\n  ports:\n    - {name: http, port: 80, targetPort: http, nodePort: 30080, protocol: TCP}\n    - {port: 443, targetPort: 8443, nodePort: 0}'),
  object('Service', 'spec: {type: ExternalName, externalName: example.com}'),
  object('PodDisruptionBudget', 'spec: {minAvailable: 50%, selector: {matchLabels: {app: web}}}', 'policy/v1'),
  object('PodDisruptionBudget', 'spec: {maxUnavailable: 0, unhealthyPodEvictionPolicy: AlwaysAllow}', 'policy/v1'),
  object('ConfigMap', 'data: {port: "80", k: null}\nbinaryData: {b: aGk=}'),
  object('Widget', 'spec: {replicas: many, selector: null, template: [1, 2]}', 'example.com/v1'),
].join('---\n');

describe('manifests/shape', () => {
  it('loads every valid form of the fields zdt reads: int-or-string, percentages, zero replicas, unknown fields and kinds', () => {
    const loaded = parseManifests(EVERYTHING_VALID, 'in.yaml');
    expect(loaded.map((m) => m.object.kind)).to.deep.equal([
      'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod', 'Job', 'CronJob', 'Service', 'Service', 'PodDisruptionBudget', 'PodDisruptionBudget', 'ConfigMap', 'Widget',
    ]);
    // Fields zdt does not read are left as written, null included.
    expect(loaded[0]!.object.spec).to.deep.include({ revisionHistoryLimit: 3 });
    expect((loaded[0]!.object.spec as { template: { spec: Record<string, unknown> } }).template.spec.someFutureField).to.deep.equal([1, { a: null }]);
    expect(loaded[11]!.object.data).to.deep.equal({ port: '80', k: null });
    expect(loaded[12]!.object.spec).to.deep.equal({ replicas: 'many', selector: null, template: [1, 2] });
  });

  it('loads the bundled example, the handed cases and every lint fixture', async () => {
    const cases = 'suites/manifests/cases';
    const fixtures = 'test/fixtures/lint';
    const paths = [
      'suites/manifests/production',
      ...(await readdir(cases)).map((c) => join(cases, c, 'app.yaml')),
      // Each fixture file is a release of its own.
      ...(await readdir(fixtures, { recursive: true })).filter((f) => f.endsWith('.yaml')).map((f) => join(fixtures, f)),
    ];
    for (const path of paths) expect((await loadManifests(path)).length, path).to.be.above(0);
    expect(paths.length).to.be.above(25);
  });

  it('reads null at a known field as unset, as the API server does (Helm renders `annotations: null`)', () => {
    const [deployment, service, pdb] = parseManifests(
      [
        object('Deployment', 'spec:\n  replicas: null\n  strategy: ~\n  template:\n    metadata: {labels: {app: web}, annotations: null}\n    spec:\n      volumes: null\n      containers:\n        - {name: web, ports: null, readinessProbe: null, lifecycle: {preStop: null}}', 'apps/v1'),
        object('Service', 'spec: {selector: null, ports: [{port: 80, targetPort: null}]}'),
        object('PodDisruptionBudget', 'spec: {maxUnavailable: null, minAvailable: 1, selector: null}', 'policy/v1'),
      ].join('---\n'),
      'in.yaml',
    );
    expect(deployment!.object.spec).to.deep.equal({ template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', lifecycle: {} }] } } });
    expect(service!.object.spec).to.deep.equal({ ports: [{ port: 80 }] });
    expect(pdb!.object.spec).to.deep.equal({ minAvailable: 1 });
  });

  const deployment = (podSpec: string, spec = '') =>
    object('Deployment', `spec:\n  replicas: 2\n${spec}  template:\n    metadata: {labels: {app: web}}\n    spec:\n${podSpec}`, 'apps/v1');
  const container = (fields: string) => `      containers:\n        - name: web\n          image: nginx\n${fields}`;

  for (const [what, text, message] of [
    ['containers a mapping', deployment('      containers: {}'), 'in.yaml:9: Deployment/x: spec.template.spec.containers must be an array, got a mapping'],
    ['a container null', deployment('      containers: [null]'), 'in.yaml:9: Deployment/x: spec.template.spec.containers[0] must be a mapping, got null'],
    ['an init container a string', deployment('      initContainers:\n        - busybox'), 'in.yaml:10: Deployment/x: spec.template.spec.initContainers[0] must be a mapping, got a string'],
    ['a container name a number', deployment('      containers:\n        - image: nginx\n          name: 7'), 'in.yaml:11: Deployment/x: spec.template.spec.containers[0].name must be a string, got a number'],
    ['a containerPort a string', deployment(container('          ports:\n            - containerPort: "80"')), 'in.yaml:13: Deployment/x: spec.template.spec.containers[0].ports[0].containerPort must be an integer from 1 to 65535, got a string'],
    ['a containerPort out of range', deployment(container('          ports: [{containerPort: 80}, {containerPort: 70000}]')), 'in.yaml:12: Deployment/x: spec.template.spec.containers[0].ports[1].containerPort must be an integer from 1 to 65535, got 70000'],
    ['a probe port a float', deployment(container('          readinessProbe:\n            httpGet: {port: 80.5}')), 'in.yaml:13: Deployment/x: spec.template.spec.containers[0].readinessProbe.httpGet.port must be an integer or a name, got 80.5'],
    ['a probe a list', deployment(container('          readinessProbe: [httpGet]')), 'in.yaml:12: Deployment/x: spec.template.spec.containers[0].readinessProbe must be a mapping, got an array'],
    ['preStop sleep seconds a string', deployment(container('          lifecycle:\n            preStop:\n              sleep: {seconds: "5"}')), 'in.yaml:14: Deployment/x: spec.template.spec.containers[0].lifecycle.preStop.sleep.seconds must be an integer >= 0, got a string'],
    ['a volume a string', deployment(`${container('')}      volumes: [scratch]`), 'in.yaml:12: Deployment/x: spec.template.spec.volumes[0] must be a mapping, got a string'],
    ['a grace period negative', deployment(`      terminationGracePeriodSeconds: -1\n${container('')}`), 'in.yaml:9: Deployment/x: spec.template.spec.terminationGracePeriodSeconds must be an integer >= 0, got -1'],
    ['replicas a string', object('StatefulSet', 'spec:\n  replicas: "3"', 'apps/v1'), 'in.yaml:5: StatefulSet/x: spec.replicas must be an integer from 0 to 2147483647, got a string'],
    ['replicas a fraction', object('ReplicaSet', 'spec: {replicas: 1.5}', 'apps/v1'), 'in.yaml:4: ReplicaSet/x: spec.replicas must be an integer from 0 to 2147483647, got 1.5'],
    ['maxUnavailable not a percentage', deployment(container(''), '  strategy:\n    rollingUpdate:\n      maxUnavailable: "1"\n'), 'in.yaml:8: Deployment/x: spec.strategy.rollingUpdate.maxUnavailable must be an integer >= 0 or a percentage like "25%", got "1"'],
    ['a partition negative', object('StatefulSet', 'spec: {updateStrategy: {rollingUpdate: {partition: -1}}}', 'apps/v1'), 'in.yaml:4: StatefulSet/x: spec.updateStrategy.rollingUpdate.partition must be an integer from 0 to 2147483647, got -1'],
    ['DaemonSet maxSurge a mapping', object('DaemonSet', 'spec:\n  updateStrategy:\n    rollingUpdate:\n      maxSurge: {value: 1}', 'apps/v1'), 'in.yaml:7: DaemonSet/x: spec.updateStrategy.rollingUpdate.maxSurge must be an integer >= 0 or a percentage like "25%", got a mapping'],
    ['matchLabels a list', deployment(container(''), '  selector:\n    matchLabels: [app]\n'), 'in.yaml:7: Deployment/x: spec.selector.matchLabels must be a mapping of strings, got an array'],
    ['matchExpressions values a string', object('PodDisruptionBudget', 'spec:\n  selector:\n    matchExpressions:\n      - key: app\n        operator: In\n        values: web', 'policy/v1'), 'in.yaml:9: PodDisruptionBudget/x: spec.selector.matchExpressions[0].values must be an array, got a string'],
    ['minAvailable negative', object('PodDisruptionBudget', 'spec: {minAvailable: -1}', 'policy/v1'), 'in.yaml:4: PodDisruptionBudget/x: spec.minAvailable must be an integer >= 0 or a percentage like "25%", got -1'],
    ['a Service selector value a number', object('Service', 'spec:\n  selector:\n    app: 1'), 'in.yaml:6: Service/x: spec.selector.app must be a string, got a number'],
    ['a Service port a string', object('Service', 'spec:\n  ports:\n    - port: http'), 'in.yaml:6: Service/x: spec.ports[0].port must be an integer from 1 to 65535, got a string'],
    ['a Service targetPort a list', object('Service', 'spec:\n  ports:\n    - port: 80\n      targetPort: [80]'), 'in.yaml:7: Service/x: spec.ports[0].targetPort must be an integer or a name, got an array'],
    ['a Service type a boolean', object('Service', 'spec: {type: true}'), 'in.yaml:4: Service/x: spec.type must be a string, got a boolean'],
    ['a namespace a number', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: 7\n', 'in.yaml:5: ConfigMap/x: metadata.namespace must be a string, got a number'],
    ['an annotation a number, under a key with dots', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\n  annotations:\n    zdt.dev/owner: 1\n', 'in.yaml:6: Secret/x: metadata.annotations["zdt.dev/owner"] must be a string, got a number'],
    ['a label null', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: {app: null}\n', 'in.yaml:5: ConfigMap/x: metadata.labels.app must be a string, got null'],
    ['labels binary data', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: !!binary aGk=\n', 'in.yaml:5: ConfigMap/x: metadata.labels must be a mapping of strings, got binary data'],
  ] as const) {
    it(`refuses ${what}, at the field's own line, naming the object and the field`, () => {
      expect(refusal(text).message).to.equal(message);
    });
  }

  it('checks the pod template of every kind that owns pods, where that kind keeps it', () => {
    for (const [kind, path] of POD_TEMPLATE_PATHS) {
      // A bare Pod is its own template, so the template's metadata is the object's.
      const template = { metadata: { name: 'x', labels: { app: 'web' } }, spec: { containers: {} } };
      const spec = path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), template) as Record<string, unknown>;
      const text = JSON.stringify({ apiVersion: 'v1', kind, metadata: { name: 'x' }, ...spec });
      const field = [...path, 'spec', 'containers'].join('.');
      expect(refusal(text).message, kind).to.equal(`in.yaml:1: ${kind}/x: ${field} must be an array, got a mapping`);
    }
  });

  it('points at the line where a value is written: the anchor behind an alias or a merge key, a List item', () => {
    const viaAlias = 'x-ports: &ports\n  - port: 80\n  - port: 0\napiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  ports: *ports\n';
    expect(refusal(viaAlias).message).to.equal('in.yaml:3: Service/x: spec.ports[1].port must be an integer from 1 to 65535, got 0');
    const viaMerge = 'x-base: &base\n  type: ClusterIP\n  ports: 0\napiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  <<: *base\n  selector: {app: web}\n';
    expect(refusal(viaMerge).message).to.equal('in.yaml:3: Service/x: spec.ports must be an array, got a number');
    const inList = 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: a}\n  - apiVersion: v1\n    kind: Service\n    metadata: {name: x}\n    spec:\n      selector: [app]\n';
    expect(refusal(inList).message).to.equal('in.yaml:11: Service/x: spec.selector must be a mapping of strings, got an array');
  });

  it('names file, line, object and field in the details too', () => {
    expect(refusal(object('Service', 'spec: {ports: 0}')).details).to.deep.equal({ file: 'in.yaml', line: 4, object: 'Service/x', field: 'spec.ports' });
  });

  it('refuses the first wrong field in the document, whatever order the kind lists its fields in', () => {
    const text = object('PodDisruptionBudget', 'spec:\n  selector: {matchLabels: {app: 1}}\n  minAvailable: "x"', 'policy/v1');
    expect(refusal(text).message).to.match(/^in\.yaml:5: PodDisruptionBudget\/x: spec\.selector\.matchLabels\.app must be a string/);
  });
});
