import { execInNode } from '../cluster/docker.ts';

/**
 * Which pod each connection was routed to, seen from the cluster's side: the entry node's
 * connection tracking records every new connection with its original tuple (the load
 * generator's address and local port, the NodePort) and its reply tuple, whose source is the
 * backend kube-proxy's DNAT picked (the pod IP). This works for any app, with no header from it.
 * It needs the client's port to reach the node unchanged: the load goes to the node's address
 * on the kind network, not through Docker's port proxy on 127.0.0.1, which opens connections
 * of its own.
 */

/** One `[NEW]` event of `conntrack -E -o timestamp`. */
export interface ConntrackNew {
  /** Epoch milliseconds (the event's timestamp, taken by conntrack as it received it). */
  readonly wallMs: number;
  /** Original tuple: the client's source port and the port it connected to (the NodePort). */
  readonly sport: number;
  readonly dport: number;
  /** Reply tuple's source: the backend the connection was sent to (a pod IP). */
  readonly backend: string;
}

/**
 * Parses `conntrack -E -e NEW -o timestamp` output: lines like
 * `[1733500000.123456]  [NEW] tcp  6 120 SYN_SENT src=172.18.0.1 dst=172.18.0.2 sport=40000
 * dport=30080 [UNREPLIED] src=10.244.2.3 dst=10.244.0.1 sport=80 dport=40000`. The first
 * src/sport/dport are the original direction's, the second src the reply's. Other lines (a
 * summary on exit, warnings) are skipped.
 */
export function parseConntrackEvents(text: string): ConntrackNew[] {
  const events: ConntrackNew[] = [];
  for (const line of text.split('\n')) {
    const stamp = /^\[(\d+)\.(\d+)\]\s+\[NEW\]\s+tcp\b/.exec(line);
    if (!stamp) continue;
    const fields = [...line.matchAll(/\b(src|sport|dport)=(\S+)/g)].map(([, key, value]) => [key!, value!] as const);
    const first = (key: string, nth: number) => fields.filter(([k]) => k === key)[nth]?.[1];
    const sport = Number(first('sport', 0));
    const dport = Number(first('dport', 0));
    const backend = first('src', 1);
    if (!backend || !Number.isInteger(sport) || !Number.isInteger(dport)) continue;
    events.push({ wallMs: Number(stamp[1]) * 1000 + Number(`0.${stamp[2]}`) * 1000, sport, dport, backend });
  }
  return events;
}

/** A `conntrack -E` running in a kind node; stop() ends it and returns what it saw. */
export interface ConntrackWatch extends AsyncDisposable {
  readonly node: string;
  /** Ends the watch (once) and returns its new-connection events in order. Rejects with ZDT_KIND when the node cannot be read (it is gone). */
  stop(): Promise<ConntrackNew[]>;
}

/**
 * Starts `conntrack -E` in `node` (kind's node image carries conntrack, kube-proxy needs it) for
 * new TCP connections to `address` (the node's own address the load targets), writing to a file
 * in the node, which stop() reads and removes. Rejects with ZDT_KIND if it cannot start.
 */
export async function watchConntrack(node: string, address: string, options: { readonly signal?: AbortSignal } = {}): Promise<ConntrackWatch> {
  const file = `/tmp/zdt-conntrack-${process.pid}-${Date.now()}.log`;
  const started = await execInNode(
    node,
    ['sh', '-c', `conntrack -E -e NEW -p tcp --orig-dst ${address} -o timestamp > ${file} 2>&1 < /dev/null & echo $!`],
    options,
  );
  const pid = Number(started.stdout.trim());
  let stopped: Promise<ConntrackNew[]> | undefined;
  const stop = () =>
    (stopped ??= execInNode(node, ['sh', '-c', `kill ${pid} 2>/dev/null; sleep 0.2; cat ${file}; rm -f ${file}`]).then((r) => parseConntrackEvents(r.stdout)));
  return {
    node,
    stop,
    [Symbol.asyncDispose]: async () => {
      await stop().catch(() => {});
    },
  };
}
