/**
 * A load profile (`--load-profile FILE`): the load and the bar in k6's own vocabulary, k6
 * `options` (`export const options: Options` with @types/k6), read from JSON or from a module
 * that exports them. zdt runs one arrival-rate scenario with its own loop (open model) on each
 * Service, and judges the thresholds over the maintenance window. Whatever zdt cannot honour
 * is refused by name, saying what to do instead: a profile never means less than it says.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCode, isZdtError, ZdtError } from '../errors.ts';
import { invalidField, parseThresholds, type Threshold } from '../verdict/thresholds.ts';
import type { LoadOptions } from './loop.ts';
import { finalRate, type RateSchedule } from './schedule.ts';

/**
 * The one scenario zdt runs: k6's arrival-rate executors (the open model zdt's loop is), with
 * the keys zdt honours, as @types/k6's ConstantArrivalRateScenario and RampingArrivalRateScenario
 * write them; `zdt k6` hands it to those types, so the compiler checks the two agree. Declared
 * here, not imported, so the package's types do not need @types/k6 (a dev dependency).
 */
export type ArrivalRateScenario =
  | {
      executor: 'constant-arrival-rate';
      /** Iterations (requests) per timeUnit. */
      rate: number;
      timeUnit?: string;
      duration: string;
      preAllocatedVUs?: number;
      maxVUs?: number;
    }
  | {
      executor: 'ramping-arrival-rate';
      startRate?: number;
      timeUnit?: string;
      stages: { duration: string; target: number }[];
      preAllocatedVUs?: number;
      maxVUs?: number;
    };

/** A k6 threshold: an expression, or one with k6's abort options (zdt takes abortOnFail: false only). */
export type K6Threshold = string | { threshold: string; abortOnFail?: boolean };

export interface LoadProfile {
  /** Where it came from, for messages: "drain.json". */
  readonly source: string;
  /** The scenario's name, its key under `scenarios`. */
  readonly name: string;
  /** The scenario as the profile gives it: what `zdt k6` writes. */
  readonly scenario: ArrivalRateScenario;
  /** What zdt's loop runs on each Service: a constant rate or a schedule (req/s, ms). */
  readonly load: Required<Pick<LoadOptions, 'ratePerSecond'>> | Required<Pick<LoadOptions, 'schedule'>>;
  /** The profile's thresholds as it writes them (k6 syntax): what `zdt k6` writes. */
  readonly k6Thresholds: { [metric: string]: K6Threshold[] };
  /** The same, parsed, for zdt's verdict. */
  readonly thresholds: readonly Threshold[];
}

const UNITS_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h|d))+$/;
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/g;

/**
 * A k6 duration in ms: Go's time.ParseDuration syntax without a sign, plus k6's `d` for days:
 * "30s", "1m30s", "500ms", "1.5h", "0". Undefined when `text` is not one.
 */
export function parseK6Duration(text: string): number | undefined {
  if (text === '0') return 0;
  if (!DURATION.test(text)) return undefined;
  let ms = 0;
  for (const [, value, unit] of text.matchAll(PART)) ms += Number(value) * UNITS_MS[unit!]!;
  return ms;
}

/** What zdt says of a top-level option it does not take: why, and what to do instead. */
const TOP_LEVEL_HINTS: Readonly<Record<string, string>> = {
  vus: "is k6's shortcut for a closed model (virtual users); zdt runs one arrival-rate scenario: put it under scenarios with executor constant-arrival-rate or ramping-arrival-rate",
  duration: 'is part of the closed-model shortcut; a zdt run lasts as long as its maintenance: give the scenario its own duration (or stages) for the shape',
  iterations: 'is part of the closed-model shortcut; a zdt run lasts as long as its maintenance: use an arrival-rate scenario',
  stages: 'is the closed-model shortcut (ramping-vus); zdt runs arrival-rate executors only: use a ramping-arrival-rate scenario with these stages',
  rps: 'caps a closed model; zdt runs an arrival rate: use an arrival-rate scenario',
  insecureSkipTLSVerify: 'is a flag in zdt: use --insecure (ScenarioOptions.insecure)',
  maxRedirects: 'zdt never follows a redirect (the status is judged as it is, see --expect-status): remove it',
  noConnectionReuse: 'is a flag in zdt: use --connection new (or keep-alive, or mixed)',
  noVUConnectionReuse: 'is a flag in zdt: use --connection new (or keep-alive, or mixed)',
  hosts: 'zdt sends the load to its NodePorts on 127.0.0.1: use --host for the Host header',
};

/** What zdt says of a scenario key it does not take. */
const SCENARIO_HINTS: Readonly<Record<string, string>> = {
  startTime: 'zdt starts the load before the maintenance (--warmup): remove it',
  gracefulStop: 'zdt waits for every request in flight when the load stops (bounded by its 2 s timeouts): remove it',
  exec: 'zdt sends its own request (--path, --host, --port): remove it',
  env: 'zdt sends its own request (--path, --host, --port): remove it',
  tags: 'zdt has no tags: remove it',
  options: 'zdt runs no browser: remove it',
};

const EXECUTOR_KEYS = {
  'constant-arrival-rate': ['executor', 'rate', 'timeUnit', 'duration', 'preAllocatedVUs', 'maxVUs'],
  'ramping-arrival-rate': ['executor', 'startRate', 'timeUnit', 'stages', 'preAllocatedVUs', 'maxVUs'],
} as const;
const CLOSED_EXECUTORS = ['constant-vus', 'ramping-vus', 'per-vu-iterations', 'shared-iterations'];

/** k6's rule for scenario names. */
const SCENARIO_NAME = /^[0-9a-zA-Z_-]+$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const shown = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/**
 * k6 `options` (as a JSON profile or a module's `options` export holds them) checked and turned
 * into what zdt runs. Throws ZDT_INVALID_OPTION naming `source` and the field, e.g.
 * `drain.json: scenarios.drain.stages[1].duration: "abc" is not a k6 duration (…)`.
 */
export function parseLoadProfile(options: unknown, source: string): LoadProfile {
  try {
    return parse(options, source);
  } catch (err) {
    if (!isZdtError(err)) throw err;
    throw new ZdtError(err.code, `${source}: ${err.message}`, { cause: err, details: err.details });
  }
}

function parse(options: unknown, source: string): LoadProfile {
  if (!isRecord(options)) throw invalidField('options', options, 'must be k6 options: an object with scenarios (and thresholds)');
  for (const [key, value] of Object.entries(options)) {
    if (key !== 'scenarios' && key !== 'thresholds') throw invalidField(key, value, `zdt cannot honour option '${key}': it ${TOP_LEVEL_HINTS[key] ?? 'is not one zdt reads (scenarios and thresholds only): remove it'}`);
  }
  const { scenarios } = options;
  if (!isRecord(scenarios) || Object.keys(scenarios).length === 0) {
    throw invalidField('scenarios', scenarios, 'needs one scenario, e.g. { "drain": { "executor": "constant-arrival-rate", "rate": 200, "timeUnit": "1s", "duration": "1m", "preAllocatedVUs": 20 } }');
  }
  const names = Object.keys(scenarios);
  if (names.length > 1) {
    throw invalidField('scenarios', names, `${names.map((n) => `'${n}'`).join(', ')} are ${names.length} scenarios; zdt loads every Service with one schedule: keep one`);
  }
  const name = names[0]!;
  const field = `scenarios.${name}`;
  if (!SCENARIO_NAME.test(name)) throw invalidField(field, name, 'a scenario name takes letters, digits, "_" and "-" only');
  const scenario = checkScenario(scenarios[name], field);
  const timeUnitS = (scenario.timeUnit === undefined ? 1000 : duration(scenario.timeUnit, `${field}.timeUnit`, true)) / 1000;
  let load: LoadProfile['load'];
  if (scenario.executor === 'constant-arrival-rate') {
    duration(scenario.duration, `${field}.duration`, true);
    load = { ratePerSecond: count(scenario.rate, `${field}.rate`, 1) / timeUnitS };
  } else {
    const startRate = scenario.startRate === undefined ? 0 : count(scenario.startRate, `${field}.startRate`, 0);
    if (!Array.isArray(scenario.stages) || scenario.stages.length === 0) throw invalidField(`${field}.stages`, scenario.stages, 'needs at least one stage, e.g. [{ "target": 400, "duration": "30s" }]');
    const stages = scenario.stages.map((stage: unknown, i) => {
      const at = `${field}.stages[${i}]`;
      if (!isRecord(stage)) throw invalidField(at, stage, 'must be { "target": N, "duration": "30s" }');
      for (const key of Object.keys(stage)) if (key !== 'target' && key !== 'duration') throw invalidField(`${at}.${key}`, stage[key], `zdt cannot honour '${key}': a stage is { target, duration }`);
      return { durationMs: duration(stage.duration, `${at}.duration`, false), target: count(stage.target, `${at}.target`, 0) / timeUnitS };
    });
    const schedule: RateSchedule = { startRate: startRate / timeUnitS, stages };
    if (!(finalRate(schedule) > 0)) {
      throw invalidField(`${field}.stages[${stages.length - 1}].target`, 0, 'must be > 0: a zdt run lasts as long as its maintenance and the last rate holds until then, so a ramp down to 0 would leave the rest of it without load');
    }
    load = { schedule };
  }
  const k6Thresholds = options.thresholds === undefined ? {} : (options.thresholds as LoadProfile['k6Thresholds']);
  return { source, name, scenario, load, k6Thresholds, thresholds: options.thresholds === undefined ? [] : parseThresholds(options.thresholds) };
}

function checkScenario(scenario: unknown, field: string): ArrivalRateScenario {
  if (!isRecord(scenario)) throw invalidField(field, scenario, 'must be a scenario object with an executor');
  const { executor } = scenario;
  if (typeof executor === 'string' && CLOSED_EXECUTORS.includes(executor)) {
    throw invalidField(`${field}.executor`, executor, `executor '${executor}' is a closed model; zdt runs arrival-rate executors only: use constant-arrival-rate or ramping-arrival-rate`);
  }
  if (executor !== 'constant-arrival-rate' && executor !== 'ramping-arrival-rate') {
    throw invalidField(`${field}.executor`, executor, `executor ${shown(executor)} is not one zdt runs: use constant-arrival-rate or ramping-arrival-rate`);
  }
  const allowed: readonly string[] = EXECUTOR_KEYS[executor];
  for (const key of Object.keys(scenario)) {
    if (!allowed.includes(key)) throw invalidField(`${field}.${key}`, scenario[key], `zdt cannot honour '${key}' on ${executor}: ${SCENARIO_HINTS[key] ?? `it takes ${allowed.join(', ')}`}`);
  }
  // k6 needs VUs to run an arrival rate; zdt's loop has none (it sizes its own in-flight cap), but checks them for k6's sake.
  for (const key of ['preAllocatedVUs', 'maxVUs'] as const) if (scenario[key] !== undefined) count(scenario[key], `${field}.${key}`, 0);
  return scenario as unknown as ArrivalRateScenario;
}

/** A k6 duration string in ms; `positive`: more than 0. */
function duration(value: unknown, field: string, positive: boolean): number {
  const ms = typeof value === 'string' ? parseK6Duration(value) : undefined;
  if (ms === undefined) throw invalidField(field, value, `${shown(value)} is not a k6 duration (e.g. "30s", "1m30s", "500ms")`);
  if (positive && ms === 0) throw invalidField(field, value, 'must be longer than 0');
  return ms;
}

/** A whole number >= min (k6 takes rates, targets and VUs as integers). */
function count(value: unknown, field: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw invalidField(field, value, `must be a whole number >= ${min}, got ${shown(value)}`);
  return value;
}

/**
 * Reads a profile: JSON (`.json`), or a module (TypeScript or JavaScript, loaded with import())
 * that exports k6 `options`. Such a module must not import k6's runtime modules (`k6/http`…),
 * which exist only inside k6; `import type` is fine. Throws ZDT_INVALID_OPTION starting with
 * the file's name.
 */
export async function readLoadProfile(file: string): Promise<LoadProfile> {
  const refuse = (why: string, cause: unknown) => new ZdtError(ErrorCode.InvalidOption, `${file}: ${why}`, { cause, details: { option: 'loadProfile', value: file } });
  let options: unknown;
  if (file.endsWith('.json')) {
    try {
      options = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw refuse(`not JSON: ${(err as Error).message}`, err);
    }
  } else {
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
    } catch (err) {
      const message = (err as Error).message;
      const hint = /'k6['/]/.test(message)
        ? " (a profile may import k6's types only, with import type: k6's runtime modules exist only inside k6)"
        : file.endsWith('.ts')
          ? ' (a .ts profile needs Node 24 or tsx; a .json one works everywhere)'
          : '';
      throw refuse(`cannot load it: ${message}${hint}`, err);
    }
    if (!('options' in module)) throw refuse(`exports no \`options\` (export const options: Options = { scenarios: …, thresholds: … })`, undefined);
    options = module.options;
  }
  return parseLoadProfile(options, file);
}

/**
 * One line for progress: "ramping-arrival-rate scenario drain of drain.json: 50 to 400 req/s
 * over 1m30s, then 400 req/s until the load stops".
 */
export function describeLoadProfile(profile: LoadProfile): string {
  const rate = (n: number) => `${Number(n.toFixed(3))} req/s`;
  const head = `${profile.scenario.executor} scenario ${profile.name} of ${profile.source}`;
  const thresholds = profile.thresholds.length > 0 ? `; thresholds ${profile.thresholds.map((t) => `${t.metric} ${t.expression}`).join(', ')} judged over the maintenance window` : '';
  if ('ratePerSecond' in profile.load) return `${head}: ${rate(profile.load.ratePerSecond)} on each Service for as long as the maintenance takes (its duration is not used)${thresholds}`;
  const { startRate, stages } = profile.load.schedule;
  const totalS = stages.reduce((ms, s) => ms + s.durationMs, 0) / 1000;
  return `${head}: ${rate(startRate)} to ${rate(finalRate(profile.load.schedule))} over ${totalS} s on each Service, then ${rate(finalRate(profile.load.schedule))} until the maintenance ends${thresholds}`;
}
