import { ErrorCode, ZdtError } from '../errors.ts';
import type { ScenarioOptions } from './types.ts';

export type ResolvedScenarioOptions = ScenarioOptions &
  Required<Pick<ScenarioOptions, 'rate' | 'connection' | 'warmupMs' | 'settleMs' | 'readyTimeoutMs' | 'restoreNodes' | 'nodePort'>>;

const bad = (option: string, value: unknown, rule: string) =>
  new ZdtError(ErrorCode.InvalidOption, `${option} ${rule}, got ${JSON.stringify(value)}`, { details: { option, value } });

/** Every scenario default lives here; values are checked before anything touches the cluster. */
export function resolveScenarioOptions(options: ScenarioOptions): ResolvedScenarioOptions {
  const o: ResolvedScenarioOptions = {
    ...options,
    rate: options.rate ?? 200,
    connection: options.connection ?? 'keep-alive',
    warmupMs: options.warmupMs ?? 3000,
    settleMs: options.settleMs ?? 5000,
    readyTimeoutMs: options.readyTimeoutMs ?? 120_000,
    restoreNodes: options.restoreNodes ?? true,
    nodePort: options.nodePort ?? 30080,
  };
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(o.name)) throw bad('name', o.name, 'must be lower-case letters, digits and dashes');
  if (!(o.rate > 0)) throw bad('rate', o.rate, 'must be > 0 requests per second');
  for (const k of ['warmupMs', 'settleMs'] as const) if (!(o[k] >= 0)) throw bad(k, o[k], 'must be >= 0');
  if (!(o.readyTimeoutMs > 0)) throw bad('readyTimeoutMs', o.readyTimeoutMs, 'must be > 0');
  if (!(Number.isInteger(o.nodePort) && o.nodePort >= 30000 && o.nodePort <= 32767)) throw bad('nodePort', o.nodePort, 'must be a NodePort in 30000-32767');
  if (o.connection !== 'keep-alive' && o.connection !== 'new') throw bad('connection', o.connection, "must be 'keep-alive' or 'new'");
  const m = o.maintenance;
  if (!m || !['drain', 'replace', 'rollout'].includes(m.kind)) throw bad('maintenance.kind', m?.kind, "must be 'drain', 'replace' or 'rollout'");
  if (m.kind === 'drain' && m.nodes !== undefined && !(Number.isInteger(m.nodes) && m.nodes > 0)) throw bad('maintenance.nodes', m.nodes, 'must be a whole number > 0');
  return o;
}
