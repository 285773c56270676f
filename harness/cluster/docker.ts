/**
 * The one door to Docker: every Docker call zdt makes (besides what `kind` does itself) goes
 * through testcontainers' container runtime client, never the docker CLI.
 *
 * zdt acts on kind's node containers and starts containers of its own only beside a cluster
 * (the load balancer of `--entry load-balancer`, startContainer). testcontainers' reaper (Ryuk)
 * is switched off: its image cannot be pulled on a host without a registry. What is left behind
 * is found by label instead: kind's own (io.x-k8s.kind.cluster, see kindNodeStates) and zdt's
 * (ZDT_CLUSTER_LABEL, see removeContainers), which deleting the cluster sweeps.
 */
import { ErrorCode, ZdtError } from '../errors.ts';
import { abortError } from '../wait.ts';
import { setupCommand } from './paths.ts';

type Client = Awaited<ReturnType<typeof import('testcontainers').getContainerRuntimeClient>>;

const HINT = `install Docker, or run \`${setupCommand('host-setup.sh')}\` on a Debian host`;
/** The label kind puts on every node container it creates. */
export const KIND_CLUSTER_LABEL = 'io.x-k8s.kind.cluster';
/** The label zdt puts on every container it starts beside a kind cluster: the cluster's name. */
export const ZDT_CLUSTER_LABEL = 'zdt.dev/kind-cluster';

let client: Promise<Client> | undefined;

/** testcontainers' client, loaded on first use (it is not needed by `zdt lint` or `--help`). */
function docker(): Promise<Client> {
  client ??= (async () => {
    // Ryuk is only started for containers testcontainers creates; none are, and none can be pulled.
    process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
    const { getContainerRuntimeClient } = await import('testcontainers');
    return getContainerRuntimeClient();
  })().catch((err: unknown) => {
    client = undefined;
    throw new ZdtError(ErrorCode.Kind, `cannot reach the Docker engine (${(err as Error).message}): ${HINT}`, { cause: err });
  });
  return client;
}

/** Rejects with ZDT_KIND naming what failed on which container, the engine's message kept as cause. */
async function call<T>(what: string, work: (c: Client) => Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal?.aborted) throw abortError(signal);
  const c = await docker();
  try {
    return await work(c);
  } catch (err) {
    throw new ZdtError(ErrorCode.Kind, `docker ${what}: ${(err as { json?: { message?: string } }).json?.message ?? (err as Error).message}`, { cause: err });
  }
}

/** True when the local Docker engine has this image (no pull is attempted). */
export async function dockerImageExists(image: string, signal?: AbortSignal): Promise<boolean> {
  return call(`image inspect ${image}`, async (c) => {
    try {
      await c.container.dockerode.getImage(image).inspect();
      return true;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return false;
      throw err;
    }
  }, signal);
}


/** Rejects with ZDT_KIND, naming the setup that builds it, when this host lacks an image zdt builds offline (it pulls none). */
export async function requireImage(image: string, signal?: AbortSignal): Promise<void> {
  if (await dockerImageExists(image, signal)) return;
  throw new ZdtError(ErrorCode.Kind, `image ${image} is not on this host, and zdt pulls none: run \`${setupCommand('setup.sh')}\`, which builds it`, { details: { image } });
}

export interface ContainerSpec {
  readonly image: string;
  readonly name: string;
  /** The Docker network to join ("kind", where the nodes are). */
  readonly network: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Files written into the container before it starts. */
  readonly files: readonly { readonly content: string; readonly target: string }[];
  /**
   * TCP ports (IPv4) it must listen on before it counts as started. None is published on the
   * host: zdt reaches it at its address on `network`, as it reaches the kind nodes.
   */
  readonly listens: readonly number[];
  /** How long it may take until it listens on all of them, ms. */
  readonly startupTimeoutMs: number;
  /** Each line it writes (stdout and stderr), as it writes it. */
  readonly onOutput?: (line: string) => void;
}

/** A container zdt started, removed (with its volumes) by stop(); safe to stop twice. */
export interface StartedContainer extends AsyncDisposable {
  readonly name: string;
  /** The docker command a person runs to remove it, for a run that exits without cleanup. */
  readonly undo: string;
  /** Its IPv4 address on ContainerSpec.network. */
  readonly address: string;
  stop(): Promise<void>;
}

/**
 * `docker run -d` of a local image (never pulled: a missing image rejects with ZDT_KIND), ready
 * once it listens on every port of `listens`. Rejects with ZDT_KIND, Docker's message and the
 * container's last output lines; a container that started but never listened is removed first.
 */
export async function startContainer(spec: ContainerSpec, signal?: AbortSignal): Promise<StartedContainer> {
  await requireImage(spec.image, signal);
  // What the container says, kept from its start: when it fails, that is why (a bad config, a
  // missing file), and by then testcontainers has removed it.
  const output: string[] = [];
  let partial = '';
  // Chunks do not follow lines: a line is whole once its newline has come.
  const read = (chunk: Buffer | string) => {
    const lines = (partial + String(chunk)).split('\n');
    partial = lines.pop()!;
    output.push(...lines);
    output.splice(0, output.length - 20);
    if (spec.onOutput) for (const line of lines) spec.onOutput(line);
  };
  // Run by /bin/sh in the container until it succeeds. /proc/net/tcp lists a socket listening on
  // every address as "<n>: 00000000:<PORT in hex> 00000000:0000 0A".
  const listening = spec.listens.map((p) => `grep -q ':${p.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A' /proc/net/tcp`).join(' && ');
  const started = await call(`run ${spec.name} (${spec.image})`, async () => {
    const { GenericContainer, Wait } = await import('testcontainers');
    return new GenericContainer(spec.image)
      .withLogConsumer((stream) => stream.on('data', read))
      .withName(spec.name)
      .withNetworkMode(spec.network)
      .withLabels({ ...spec.labels })
      .withCopyContentToContainer(spec.files.map((f) => ({ content: f.content, target: f.target })))
      .withWaitStrategy(Wait.forSuccessfulCommand(listening || 'true'))
      .withStartupTimeout(spec.startupTimeoutMs)
      .start();
  }, signal).catch(async (err: unknown) => {
    // Nothing else may hold the name, should a failed start have left the container.
    await removeContainer(spec.name);
    if (partial) output.push(partial);
    throw output.length > 0 ? new ZdtError(ErrorCode.Kind, `${(err as Error).message.trimEnd()}; its last output:\n${output.join('\n')}`, { cause: err, details: { container: spec.name } }) : err;
  });
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= call(`rm -f ${spec.name}`, () => started.stop({ timeout: 0, remove: true, removeVolumes: true }).then(() => undefined)));
  return {
    name: spec.name,
    undo: removeCommand(spec.name),
    address: started.getIpAddress(spec.network),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** The docker command a person runs to remove container `name`. */
export const removeCommand = (name: string): string => `docker rm -f ${name}`;

/** `docker rm -f` of one container by name; no error when there is none. */
async function removeContainer(name: string): Promise<void> {
  await call(`rm -f ${name}`, async (c) => {
    try {
      await c.container.dockerode.getContainer(name).remove({ force: true, v: true });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    }
  });
}

/** `docker ps -a --filter label=<label>=<value>`: every container with that label, running or not. */
function containersLabelled(label: string, value: string, signal?: AbortSignal) {
  return call(`ps --filter label=${label}=${value}`, (c) => c.container.dockerode.listContainers({ all: true, filters: { label: [`${label}=${value}`] } }), signal);
}

/** A listed container's name, without Docker's leading slash. */
const nameOf = (x: { readonly Names: readonly string[]; readonly Id: string }): string => (x.Names[0] ?? x.Id).replace(/^\//, '');

/** The names of the containers zdt started beside kind cluster `cluster` (ZDT_CLUSTER_LABEL), running or not. */
export async function zdtContainers(cluster: string, signal?: AbortSignal): Promise<string[]> {
  return (await containersLabelled(ZDT_CLUSTER_LABEL, cluster, signal)).map(nameOf);
}

/** Removes every container zdt started beside kind cluster `cluster`; returns their names. */
export async function removeContainers(cluster: string, signal?: AbortSignal): Promise<string[]> {
  const names = await zdtContainers(cluster, signal);
  for (const name of names) await removeContainer(name);
  return names;
}

/** A kind node container as Docker sees it: what a node fault changes and must give back. */
export interface KindNodeState {
  readonly name: string;
  /** Docker's state: running, paused, exited, ... */
  readonly state: string;
  /** The networks it is attached to ("kind"). */
  readonly networks: readonly string[];
}

/** Every node container, running or not, of kind cluster `name` (kind labels every node it creates), by name. */
export async function kindNodeStates(name: string, signal?: AbortSignal): Promise<KindNodeState[]> {
  return (await containersLabelled(KIND_CLUSTER_LABEL, name, signal))
    .map((x) => ({ name: nameOf(x), state: x.State, networks: Object.keys(x.NetworkSettings?.Networks ?? {}) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export interface NodeExecResult {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command inside a kind node's container (`docker exec <node> ...`), e.g. crictl on
 * `<cluster>-control-plane`: the one way zdt reaches into a node. A non-zero exit rejects with
 * ZDT_KIND and the tail of its output. Aborting rejects at once; the command itself runs on in
 * the node (Docker cannot stop an exec), so a script that must be undone traps its own exit.
 */
export async function execInNode(node: string, command: readonly string[], options: { readonly signal?: AbortSignal } = {}): Promise<NodeExecResult> {
  const { signal } = options;
  const run = call(`exec ${node} ${command.join(' ')}`, (c) => c.container.exec(c.container.getById(node), [...command]), signal);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    if (signal?.aborted) reject(abortError(signal));
    onAbort = () => reject(abortError(signal!));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  const result = await Promise.race([run, aborted]).finally(() => signal?.removeEventListener('abort', onAbort!));
  if (result.exitCode !== 0) {
    const tail = result.output.trim().split('\n').slice(-5).join('\n');
    throw new ZdtError(ErrorCode.Kind, `docker exec ${node} ${command[0]} exited with ${result.exitCode}${tail ? `:\n${tail}` : ''}`, { details: { node, exitCode: result.exitCode } });
  }
  return { stdout: result.stdout, stderr: result.stderr };
}

/** How a node's container is taken away, and the call that gives it back. */
export const NODE_FAULTS = ['kill', 'pause', 'disconnect'] as const;
export type NodeFault = (typeof NODE_FAULTS)[number];

/**
 * The partition, run inside the node: its interface on the kind network (the default route's)
 * goes down, so no packet gets in or out while every process runs on. Not `docker network
 * disconnect`: kind's network has no user-configured IPv4 subnet, so Docker would reconnect the
 * node with a new address, and a kind node whose address changed never comes back. The routes
 * are saved in the node first and put back after (kindnet's pod routes go with the link).
 */
const PARTITION = [
  'set -eu',
  "dev=$(ip route show default | awk '{print $5; exit}')",
  '[ -n "$dev" ] || { echo "no default route, so no network to cut" >&2; exit 1; }',
  'echo "$dev" > /run/zdt-partition.dev',
  'ip -4 route show > /run/zdt-partition.4',
  'ip -6 route show > /run/zdt-partition.6',
  // Keep the IPv6 addresses across the link's down and up, as the IPv4 ones are kept.
  'k=/proc/sys/net/ipv6/conf/$dev/keep_addr_on_down; if [ -w "$k" ]; then echo 1 > "$k"; fi',
  'ip link set "$dev" down',
].join('\n');
const HEAL = [
  'dev=$(cat /run/zdt-partition.dev)',
  'ip link set "$dev" up',
  'while read -r r; do ip -4 route replace $r 2>/dev/null || true; done < /run/zdt-partition.4',
  'while read -r r; do ip -6 route replace $r 2>/dev/null || true; done < /run/zdt-partition.6',
  'rm -f /run/zdt-partition.dev /run/zdt-partition.4 /run/zdt-partition.6',
].join('; ');

/** The docker command a person runs to undo each fault of `node`. */
const UNDO: Readonly<Record<NodeFault, (node: string) => string>> = {
  kill: (node) => `docker start ${node}`,
  pause: (node) => `docker unpause ${node}`,
  disconnect: (node) => `docker exec ${node} sh -c '${HEAL}'`,
};

/**
 * A node container taken away: `kill` is `docker kill` (SIGKILL, a power cut), `pause` is
 * `docker pause` (the freezer cgroup: every process stops, the network stays up), `disconnect`
 * takes the node's interface on the kind network down (a partition: processes run on, no packet
 * gets in or out; see PARTITION). `restore()` undoes it (`docker start`, `unpause`, the link up
 * with its routes) and is safe to call twice; always call it, whatever happened.
 */
export interface NodeDisruption {
  readonly node: string;
  readonly fault: NodeFault;
  /** The docker command a person runs to undo it, for a run that exits without cleanup. */
  readonly undo: string;
  restore(): Promise<void>;
}

export async function disruptNode(node: string, fault: NodeFault, signal?: AbortSignal): Promise<NodeDisruption> {
  if (fault === 'disconnect') await execInNode(node, ['sh', '-c', PARTITION], { signal });
  else {
    await call(`${fault} ${node}`, (c) => {
      const container = c.container.getById(node);
      return fault === 'kill' ? container.kill({ signal: 'SIGKILL' }) : container.pause();
    }, signal);
  }
  let restored: Promise<void> | undefined;
  return {
    node,
    fault,
    undo: UNDO[fault](node),
    restore: () =>
      (restored ??= (async () => {
        if (fault === 'disconnect') await execInNode(node, ['sh', '-c', HEAL]);
        else await call(`undo ${fault} of ${node}`, (c) => (fault === 'kill' ? c.container.getById(node).start() : c.container.getById(node).unpause()));
      })()),
  };
}
