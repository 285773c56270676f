import { setupCommand } from './paths.ts';
import { ErrorCode } from '../errors.ts';
import { execFile, type ExecOptions, type ExecResult } from './exec.ts';

const HINT = `install Docker, or run \`${setupCommand('host-setup.sh')}\` on a Debian host`;

/** True when the local Docker engine has this image (no pull is attempted). */
export async function dockerImageExists(image: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await execFile('docker', ['image', 'inspect', '--format', '{{.Id}}', image], { signal, code: ErrorCode.Kind, missingHint: HINT });
    return true;
  } catch {
    return false;
  }
}

/** IDs of the containers, running or not, of kind cluster `name` (kind labels every node it creates). */
export async function kindClusterContainers(name: string, signal?: AbortSignal): Promise<string[]> {
  const { stdout } = await execFile('docker', ['ps', '-a', '-q', '--filter', `label=io.x-k8s.kind.cluster=${name}`], { signal, code: ErrorCode.Kind, missingHint: HINT });
  return stdout.split('\n').filter((l) => l.trim());
}

/**
 * Runs a command inside a kind node's container (`docker exec <node> ...`), e.g. crictl on
 * `<cluster>-control-plane`: the one way zdt reaches into a node.
 */
export function execInNode(node: string, command: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  return execFile('docker', ['exec', node, ...command], { code: ErrorCode.Kind, missingHint: HINT, ...options });
}
