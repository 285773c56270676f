import { ErrorCode, ZdtError } from '../errors.ts';

/** Options of drainNode / drainNodes. Unset fields take the defaults in resolveDrainOptions. */
export interface DrainOptions {
  /** Global deadline of one node's drain (cordon to last pod gone), like kubectl --timeout. Default 120000. */
  readonly timeoutMs?: number;
  /** Wait after an eviction refused (429 PDB, 403 namespace terminating) before retrying. Default 5000, like kubectl. */
  readonly retryDelayMs?: number;
  /** Interval of the "is the pod gone yet" poll. Default 1000, like kubectl's waitForDelete. */
  readonly pollIntervalMs?: number;
  /** Grace period passed with each eviction; unset = each pod's terminationGracePeriodSeconds. */
  readonly gracePeriodSeconds?: number;
  /**
   * Skip DaemonSet pods instead of failing. Default true (unlike kubectl): every kind node runs
   * kindnet and kube-proxy DaemonSet pods, so a drain without it could never start.
   */
  readonly ignoreDaemonSets?: boolean;
  /** Evict pods with emptyDir volumes (their data is lost). Default false, like kubectl. */
  readonly deleteEmptyDirData?: boolean;
  /** Evict pods that no controller will recreate. Default false, like kubectl --force. */
  readonly force?: boolean;
  /** Leave the node cordoned when the drain fails (default: uncordon it). */
  readonly keepCordoned?: boolean;
  /**
   * How a refusal names the option that would let the pod through, as the caller's user types
   * it. Default: the option names of this object (`force: true`); the CLI passes
   * CLI_DRAIN_FLAGS (`--force`, `--delete-emptydir-data`).
   */
  readonly optionNames?: DrainFlagNames;
  /** Aborts the drain (then rejects with ZDT_ABORTED). */
  readonly signal?: AbortSignal;
}

/** The drain options that let a refused pod through, like kubectl drain's flags. */
export type DrainFlag = 'force' | 'deleteEmptyDirData' | 'ignoreDaemonSets';
export type DrainFlagNames = Readonly<Record<DrainFlag, string>>;

export const LIBRARY_DRAIN_FLAGS: DrainFlagNames = Object.freeze({
  force: 'force: true',
  deleteEmptyDirData: 'deleteEmptyDirData: true',
  ignoreDaemonSets: 'ignoreDaemonSets: true',
});

/** kubectl drain's flag names, which `zdt verify` shares. */
export const CLI_DRAIN_FLAGS: DrainFlagNames = Object.freeze({
  force: '--force',
  deleteEmptyDirData: '--delete-emptydir-data',
  ignoreDaemonSets: '--ignore-daemonsets',
});

export interface ResolvedDrainOptions {
  readonly timeoutMs: number;
  readonly retryDelayMs: number;
  readonly pollIntervalMs: number;
  readonly gracePeriodSeconds: number | undefined;
  readonly ignoreDaemonSets: boolean;
  readonly deleteEmptyDirData: boolean;
  readonly force: boolean;
  readonly keepCordoned: boolean;
  readonly optionNames: DrainFlagNames;
  readonly signal: AbortSignal | undefined;
}

/** Options of replaceNodes: a drain of the old nodes plus the taint that keeps new nodes empty until then. */
export interface ReplaceOptions extends DrainOptions {
  /** Key of the NoSchedule taint carried by the not-yet-used nodes. Default DEFAULT_NEW_NODE_TAINT_KEY. */
  readonly newNodeTaintKey?: string;
}

export interface ResolvedReplaceOptions extends ResolvedDrainOptions {
  readonly newNodeTaintKey: string;
}

export const DEFAULT_NEW_NODE_TAINT_KEY = 'zdt.dev/new-node';

function invalid(option: string, rule: string, value: unknown): ZdtError {
  return new ZdtError(ErrorCode.InvalidOption, `${option} must be ${rule}, got ${JSON.stringify(value) ?? String(value)}`, {
    details: { option, value },
  });
}

/** The longest delay setTimeout keeps (2^31-1 ms, about 24.8 days): a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

function positive(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw invalid(option, '> 0', value);
  if (value > MAX_TIMER_MS) throw invalid(option, `at most ${MAX_TIMER_MS} (ms, the longest timer Node.js keeps)`, value);
  return value;
}

function flag(option: string, value: boolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalid(option, 'a boolean', value);
  return value;
}

/** The one place drain defaults live; rejects bad values with ZDT_INVALID_OPTION naming option and value. */
export function resolveDrainOptions(options: DrainOptions = {}): ResolvedDrainOptions {
  const grace = options.gracePeriodSeconds;
  if (grace !== undefined && (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0)) {
    throw invalid('gracePeriodSeconds', 'an integer >= 0', grace);
  }
  return Object.freeze({
    timeoutMs: positive('timeoutMs', options.timeoutMs, 120_000),
    retryDelayMs: positive('retryDelayMs', options.retryDelayMs, 5_000),
    pollIntervalMs: positive('pollIntervalMs', options.pollIntervalMs, 1_000),
    gracePeriodSeconds: grace,
    ignoreDaemonSets: flag('ignoreDaemonSets', options.ignoreDaemonSets, true),
    deleteEmptyDirData: flag('deleteEmptyDirData', options.deleteEmptyDirData, false),
    force: flag('force', options.force, false),
    keepCordoned: flag('keepCordoned', options.keepCordoned, false),
    optionNames: options.optionNames ?? LIBRARY_DRAIN_FLAGS,
    signal: options.signal,
  });
}

export function resolveReplaceOptions(options: ReplaceOptions = {}): ResolvedReplaceOptions {
  const key = options.newNodeTaintKey ?? DEFAULT_NEW_NODE_TAINT_KEY;
  if (typeof key !== 'string' || key.length === 0) throw invalid('newNodeTaintKey', 'a non-empty string', key);
  return Object.freeze({ ...resolveDrainOptions(options), newNodeTaintKey: key });
}
