import { setupCommand } from './paths.ts';
import { ErrorCode, ZdtError, isZdtError } from '../errors.ts';
import type { KubeApi } from '../kube/api.ts';
import type { Node, Pod } from '../kube/types.ts';
import { poll } from '../wait.ts';

export interface ReadinessOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Called with a one-line status while waiting ("3/5 nodes Ready, 9/12 kube-system pods Running"). */
  readonly onProgress?: (status: string) => void;
  /** How many nodes must exist; kind reports success before workers have registered. */
  readonly expectedNodes?: number;
}

const isTrue = (conds: { type: string; status: string }[] | undefined, type: string) =>
  conds?.some((c) => c.type === type && c.status === 'True') ?? false;

export function podProblem(pod: Pod): string | undefined {
  const st = pod.status;
  if (st?.phase === 'Succeeded') return undefined;
  if (st?.phase === 'Running' && isTrue(st.conditions, 'Ready')) return undefined;
  const waiting = st?.containerStatuses?.find((c) => c.state?.waiting)?.state?.waiting;
  const unscheduled = st?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  const why = waiting?.reason ?? unscheduled?.reason ?? st?.reason ?? st?.phase ?? 'Unknown';
  const msg = waiting?.message ?? unscheduled?.message ?? st?.message;
  return msg ? `${why}: ${msg}` : why;
}

/**
 * `kind create cluster` succeeds even when kindnet, kube-proxy or CoreDNS cannot start, so a
 * cluster counts as ready only when every node is Ready and every kube-system pod Running and
 * ready. On timeout the error names the nodes and pods that are not, and why.
 */
export async function waitClusterReady(api: KubeApi, options: ReadinessOptions): Promise<void> {
  let lastStatus = '';
  try {
    await poll(
      async (why) => {
        const nodes = await api.list<Node>({ apiVersion: 'v1', kind: 'Node' }, {}, options.signal);
        const pods = await api.list<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace: 'kube-system' }, {}, options.signal);
        const badNodes = nodes.filter((n) => !isTrue(n.status?.conditions, 'Ready')).map((n) => n.metadata?.name ?? '?');
        const badPods = pods.flatMap((p) => {
          const problem = podProblem(p);
          return problem ? [`${p.metadata?.name}: ${problem}`] : [];
        });
        const want = options.expectedNodes ?? 0;
        const status = `${nodes.length - badNodes.length}/${Math.max(nodes.length, want)} nodes Ready, ${pods.length - badPods.length}/${pods.length} kube-system pods ready`;
        if (status !== lastStatus) options.onProgress?.(status);
        lastStatus = status;
        const missing = want > nodes.length ? [`${want - nodes.length} node(s) not registered yet`] : [];
        if (badNodes.length === 0 && badPods.length === 0 && missing.length === 0 && pods.length > 0) return true;
        why([...missing, ...badNodes.map((n) => `node ${n} not Ready`), ...badPods.map((p) => `pod ${p}`)].join('; ') || 'no kube-system pods yet');
        return undefined;
      },
      { timeoutMs: options.timeoutMs, intervalMs: 2000, signal: options.signal, what: 'the cluster to become ready' },
    );
  } catch (err) {
    if (isZdtError(err, ErrorCode.Timeout)) {
      throw new ZdtError(ErrorCode.ClusterNotReady, `${err.message}. Inspect with \`kubectl get pods -n kube-system\`; on an offline host check that \`${setupCommand()}\` completed`, {
        cause: err,
        details: err.details,
      });
    }
    throw err;
  }
}
