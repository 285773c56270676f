/**
 * The shape of every field zdt reads from a manifest, as data: one table per kind, checked
 * once where manifests are parsed (parseManifests), so lint, verify and the library never meet
 * a list where they read a mapping. Only what the Kubernetes API documents as invalid is
 * refused; fields zdt does not read pass, int-or-string passes where Kubernetes allows both, and
 * null at a field is unset, as the API server reads it.
 */
import type { KubeObject } from '../kube/types.ts';
import { POD_TEMPLATE_PATHS } from './workloads.ts';

type Shape =
  | { readonly type: 'string' }
  | { readonly type: 'integer'; readonly min: number; readonly max: number }
  /** An integer, or a string (a port's name). */
  | { readonly type: 'int-or-string' }
  /** An integer >= 0, or a percentage such as "25%" (what intstr.GetScaledValueFromIntOrPercent takes). */
  | { readonly type: 'int-or-percent' }
  | { readonly type: 'array'; readonly items: Shape }
  /** Labels, annotations, a Service selector: string keys to string values. */
  | { readonly type: 'string-map' }
  | ObjectShape;

/** A mapping whose listed fields have a shape; other fields are not zdt's business and pass. */
interface ObjectShape {
  readonly type: 'object';
  readonly fields: Readonly<Record<string, Shape>>;
}

/** Where a field is below its object (`spec`, `template`, ..., an index into an array), and what is wrong with it. */
export interface ShapeProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

const string: Shape = { type: 'string' };
const integer = (min: number, max: number): Shape => ({ type: 'integer', min, max });
/** Replicas and the like (an int32, never negative). */
const count = integer(0, 2 ** 31 - 1);
/** A duration in seconds (an int64, never negative). */
const seconds = integer(0, Number.MAX_SAFE_INTEGER);
const port = integer(1, 65535);
const intOrString: Shape = { type: 'int-or-string' };
const intOrPercent: Shape = { type: 'int-or-percent' };
const stringMap: Shape = { type: 'string-map' };
const array = (items: Shape): Shape => ({ type: 'array', items });
const object = (fields: Record<string, Shape> = {}): ObjectShape => ({ type: 'object', fields });

const METADATA = object({ name: string, namespace: string, labels: stringMap, annotations: stringMap });
const LABEL_SELECTOR = object({
  matchLabels: stringMap,
  matchExpressions: array(object({ key: string, operator: string, values: array(string) })),
});
const NAMED_PORT = object({ port: intOrString });
const CONTAINER = object({
  name: string,
  image: string,
  ports: array(object({ containerPort: port, name: string, protocol: string })),
  readinessProbe: object({ httpGet: NAMED_PORT, tcpSocket: NAMED_PORT, grpc: object({ port }) }),
  lifecycle: object({ preStop: object({ exec: object({ command: array(string) }), httpGet: NAMED_PORT, sleep: object({ seconds }) }) }),
});
const POD_TEMPLATE = object({
  metadata: METADATA,
  spec: object({
    containers: array(CONTAINER),
    initContainers: array(CONTAINER),
    volumes: array(object({ name: string, emptyDir: object() })),
    terminationGracePeriodSeconds: seconds,
  }),
});
const rollingUpdate = (fields: Record<string, Shape>) => object({ type: string, rollingUpdate: object(fields) });

/** What each kind has beside its metadata and pod template (placed by POD_TEMPLATE_PATHS). */
const KIND_FIELDS: ReadonlyMap<string, ObjectShape> = new Map([
  ['Deployment', object({ spec: object({ replicas: count, selector: LABEL_SELECTOR, strategy: rollingUpdate({ maxUnavailable: intOrPercent, maxSurge: intOrPercent }) }) })],
  ['StatefulSet', object({ spec: object({ replicas: count, selector: LABEL_SELECTOR, updateStrategy: rollingUpdate({ partition: count, maxUnavailable: intOrPercent }) }) })],
  ['DaemonSet', object({ spec: object({ selector: LABEL_SELECTOR, updateStrategy: rollingUpdate({ maxUnavailable: intOrPercent, maxSurge: intOrPercent }) }) })],
  ['ReplicaSet', object({ spec: object({ replicas: count, selector: LABEL_SELECTOR }) })],
  [
    'Service',
    object({
      spec: object({
        type: string,
        selector: stringMap,
        ports: array(object({ name: string, protocol: string, port, targetPort: intOrString, nodePort: integer(0, 65535) })),
      }),
    }),
  ],
  ['PodDisruptionBudget', object({ spec: object({ minAvailable: intOrPercent, maxUnavailable: intOrPercent, selector: LABEL_SELECTOR }) })],
  ['HorizontalPodAutoscaler', object({ spec: object({ minReplicas: integer(1, 2 ** 31 - 1), maxReplicas: count, scaleTargetRef: object({ kind: string, name: string }) }) })],
]);

/** `shape` as the value at `path` of an otherwise unchecked mapping. */
const nest = (path: readonly string[], shape: ObjectShape): ObjectShape => path.reduceRight((inner, key) => object({ [key]: inner }), shape);

/** Both objects' fields; a field both have is merged when both are objects. */
function merge(a: ObjectShape, b: ObjectShape): ObjectShape {
  const fields: Record<string, Shape> = { ...a.fields };
  for (const [key, shape] of Object.entries(b.fields)) {
    const mine = fields[key];
    fields[key] = mine?.type === 'object' && shape.type === 'object' ? merge(mine, shape) : shape;
  }
  return object(fields);
}

const ANY_KIND = object({ metadata: METADATA });
const SHAPES: ReadonlyMap<string, ObjectShape> = new Map(
  [...new Set([...KIND_FIELDS.keys(), ...POD_TEMPLATE_PATHS.keys()])].map((kind) => {
    const template = POD_TEMPLATE_PATHS.get(kind);
    const own = merge(ANY_KIND, KIND_FIELDS.get(kind) ?? object());
    return [kind, template === undefined ? own : merge(own, nest(template, POD_TEMPLATE))];
  }),
);

/**
 * The first field of `object` (in document order) whose value does not have the shape zdt reads
 * it with, else undefined. A null at a known field is removed: the API server reads it as
 * unset, and so zdt's readers never meet it.
 */
export function checkShape(object: KubeObject): ShapeProblem | undefined {
  return check(object, SHAPES.get(object.kind ?? '') ?? ANY_KIND, []);
}

/** `spec.template.spec.containers[0].ports`, and `labels["app.kubernetes.io/name"]` for a key that is not a plain name. */
export function fieldName(path: readonly (string | number)[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `${i === 0 ? '' : '.'}${key}` : `[${JSON.stringify(key)}]`))
    .join('');
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);

/** What a value is, in the words of a YAML author. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (ArrayBuffer.isView(value)) return 'binary data';
  if (typeof value === 'object') return 'a mapping';
  return typeof value === 'number' ? 'a number' : typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}

function check(value: unknown, shape: Shape, path: (string | number)[]): ShapeProblem | undefined {
  // A value of the right type is quoted, so `-1` or `"1"` show what is wrong with it.
  const refuse = (expected: string, sameType = false): ShapeProblem => ({ path, message: `must be ${expected}, got ${sameType ? JSON.stringify(value) : kindOf(value)}` });
  switch (shape.type) {
    case 'string':
      return typeof value === 'string' ? undefined : refuse('a string');
    case 'integer': {
      const expected = shape.max === Number.MAX_SAFE_INTEGER ? `an integer >= ${shape.min}` : `an integer from ${shape.min} to ${shape.max}`;
      if (typeof value !== 'number') return refuse(expected);
      return Number.isInteger(value) && value >= shape.min && value <= shape.max ? undefined : refuse(expected, true);
    }
    case 'int-or-string':
      if (typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value))) return undefined;
      return refuse('an integer or a name', typeof value === 'number');
    case 'int-or-percent': {
      const ok = typeof value === 'number' ? Number.isInteger(value) && value >= 0 : typeof value === 'string' && /^[0-9]+%$/.test(value);
      return ok ? undefined : refuse('an integer >= 0 or a percentage like "25%"', typeof value === 'number' || typeof value === 'string');
    }
    case 'array':
      if (!Array.isArray(value)) return refuse('an array');
      for (const [i, item] of value.entries()) {
        const problem = check(item, shape.items, [...path, i]);
        if (problem) return problem;
      }
      return undefined;
    case 'string-map':
      if (!isMapping(value)) return refuse('a mapping of strings');
      for (const [key, item] of Object.entries(value)) {
        if (typeof item !== 'string') return check(item, string, [...path, key]);
      }
      return undefined;
    case 'object':
      if (!isMapping(value)) return refuse('a mapping');
      for (const [key, item] of Object.entries(value)) {
        if (!Object.hasOwn(shape.fields, key)) continue;
        if (item === null) {
          delete value[key];
          continue;
        }
        const problem = check(item, shape.fields[key] as Shape, [...path, key]);
        if (problem) return problem;
      }
      return undefined;
  }
}
