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

/** The kubelet's port: every node listens on it, so a connection to it from the node itself is a safe marker. */
const MARKER_PORT = 10250;

/**
 * Starts `conntrack -E` in `node` (kind's node image carries conntrack, kube-proxy needs it) for
 * new TCP connections to `address` (the node's own address the load targets), writing to a file
 * in the node, which stop() reads and removes. First it deletes the node's entries for
 * connections to `ports` (the run's NodePorts): an entry left by an earlier run's connection to a
 * pod now gone (SYN_SENT for 2 min, ESTABLISHED for a day) captures a new connection from the same
 * client port, whose SYN then follows the old NAT to the dead pod and times out, unseen as new.
 * Resolves only once the watch sees events: the
 * node connects to its own kubelet port until one shows up (up to 5 s), since a connection
 * opened before the netlink subscription is never seen and a kept-alive one would stay
 * unattributed for its whole life. Rejects with ZDT_KIND if it cannot start.
 */
export async function watchConntrack(node: string, address: string, ports: readonly number[], options: { readonly signal?: AbortSignal } = {}): Promise<ConntrackWatch> {
  const file = `/tmp/zdt-conntrack-${process.pid}-${Date.now()}.log`;
  const script = [
    // conntrack -D exits 1 when nothing matched.
    ...ports.map((port) => `conntrack -D -p tcp --orig-dst ${address} --dport ${port} > /dev/null 2>&1 || true`),
    `conntrack -E -e NEW -p tcp --orig-dst ${address} -o timestamp > ${file} 2>&1 < /dev/null &`,
    'pid=$!',
    'for i in $(seq 50); do',
    `  (exec 3<>/dev/tcp/${address}/${MARKER_PORT}) 2>/dev/null`,
    `  if grep -q 'dport=${MARKER_PORT} ' ${file}; then echo $pid; exit 0; fi`,
    '  sleep 0.1',
    'done',
    `echo "conntrack -E saw no new connection in 5 s:"; cat ${file}; kill $pid; rm -f ${file}; exit 1`,
  ].join('\n');
  const started = await execInNode(node, ['bash', '-c', script], options);
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
