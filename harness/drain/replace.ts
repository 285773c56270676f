/**
 * Node replacement: the new nodes join tainted NoSchedule (so nothing lands on them early), the
 * taint comes off, then the old nodes are drained and their pods reschedule onto the new ones.
 */
import { ErrorCode, ZdtError } from '../errors.ts';
import type { KubeApi } from '../kube/api.ts';
import type { TimelineSink } from '../observe/events.ts';
import { removeTaint } from './cordon.ts';
import { drainNodes, type NodeDrainOutcome } from './drain.ts';
import { resolveReplaceOptions, type ReplaceOptions } from './options.ts';

export interface ReplaceResult {
  /** New nodes that carried the taint (nodes without it are left as they were). */
  readonly untainted: readonly string[];
  readonly drains: readonly NodeDrainOutcome[];
}

/**
 * Removes the new-node taint from `newNodes` ('taint-removed' events), then drains `oldNodes`
 * concurrently. Rejects only when un-tainting fails (before any drain starts); drain failures
 * are reported per node in the result.
 */
export async function replaceNodes(
  api: KubeApi,
  nodes: { readonly newNodes: readonly string[]; readonly oldNodes: readonly string[] },
  options: ReplaceOptions = {},
  sink?: TimelineSink,
): Promise<ReplaceResult> {
  const o = resolveReplaceOptions(options);
  const overlap = nodes.newNodes.find((n) => nodes.oldNodes.includes(n));
  if (overlap !== undefined) {
    throw new ZdtError(ErrorCode.InvalidOption, `newNodes and oldNodes must be disjoint, got ${overlap} in both`, {
      details: { option: 'nodes', value: overlap },
    });
  }
  const removed = await Promise.all(nodes.newNodes.map((n) => removeTaint(api, n, o.newNodeTaintKey, sink, o.signal)));
  const untainted = nodes.newNodes.filter((_, i) => removed[i]);
  const drains = await drainNodes(api, nodes.oldNodes, o, sink);
  return { untainted, drains };
}
