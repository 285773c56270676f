import { ErrorCode, ZdtError } from '../errors.ts';

/**
 * Where the load pod may run (`--load-node`): a node by name, or nodes by label (`key=value`
 * pairs, comma separated, as in `kubectl get nodes -l`); either way never on `avoid`, the nodes
 * the scenario takes away. Without a choice it prefers a control-plane node, which kind's
 * scenarios never drain.
 */
export interface LoadPlacement {
  readonly node?: string;
  readonly selector?: Readonly<Record<string, string>>;
  readonly avoid: readonly string[];
}

const SELECTOR_PAIR = /^([A-Za-z0-9][-A-Za-z0-9_./]*)=([-A-Za-z0-9_.]*)$/;

/** Parses `--load-node`: a node name, or `key=value[,key=value...]`. Throws ZDT_INVALID_OPTION naming the bad part. */
export function parseLoadNode(value: string): Pick<LoadPlacement, 'node' | 'selector'> {
  if (!value.includes('=')) {
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value)) throw badLoadNode(value, 'not a node name (lower-case letters, digits, "-" and ".")');
    return { node: value };
  }
  const selector: Record<string, string> = {};
  for (const part of value.split(',')) {
    const m = SELECTOR_PAIR.exec(part.trim());
    if (!m) throw badLoadNode(value, `"${part}" is not key=value (set-based selectors and != are not supported)`);
    selector[m[1]!] = m[2]!;
  }
  return { selector };
}

const badLoadNode = (value: string, why: string) =>
  new ZdtError(ErrorCode.InvalidOption, `invalid --load-node ${JSON.stringify(value)}: ${why}; give a node name or a label selector such as zdt.dev/load=true`, { details: { option: '--load-node', value } });
