/**
 * The only place that runs the `kind` binary. Everything else talks to the KindCli interface,
 * which tests can replace.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ErrorCode } from '../errors.ts';
import { cachedBinary, setupCommand } from './paths.ts';
import { execFile } from './exec.ts';

export interface CreateClusterOptions {
  readonly name: string;
  readonly configPath: string;
  /** Node image (plain name:tag); undefined lets kind use its stock kindest/node image. */
  readonly image?: string;
  readonly signal?: AbortSignal;
  readonly onLine?: (line: string) => void;
}

export interface KindCli {
  readonly binary: string;
  createCluster(options: CreateClusterOptions): Promise<void>;
  deleteCluster(name: string, signal?: AbortSignal): Promise<void>;
  getClusters(signal?: AbortSignal): Promise<string[]>;
  /** The kubeconfig (YAML) for reaching the cluster from this host. */
  getKubeconfig(name: string, signal?: AbortSignal): Promise<string>;
  /** `kind load docker-image` of IMAGES at once: one archive (shared layers once), one import per node. */
  loadDockerImages(name: string, images: readonly string[], signal?: AbortSignal): Promise<void>;
}

const MISSING = `run \`${setupCommand()}\` (builds kind into ~/.cache/zdt/bin), put kind on PATH, or set ZDT_KIND`;

/** $ZDT_KIND, else `kind` on PATH, else the one setup:offline built. */
export function findKind(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ZDT_KIND) return env.ZDT_KIND;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'kind'))) return join(dir, 'kind');
  }
  return cachedBinary('kind', env);
}

export function createKindCli(binary: string = findKind()): KindCli {
  const run = (args: string[], opts: { signal?: AbortSignal; onLine?: (l: string) => void; processGroup?: boolean } = {}) =>
    execFile(binary, args, { ...opts, code: ErrorCode.Kind, missingHint: MISSING });
  return {
    binary,
    async createCluster({ name, configPath, image, signal, onLine }) {
      const args = ['create', 'cluster', '--name', name, '--config', configPath, '--wait', '0s'];
      if (image) args.push('--image', image);
      await run(args, { signal, onLine, processGroup: true });
    },
    async deleteCluster(name, signal) {
      await run(['delete', 'cluster', '--name', name], { signal });
    },
    async getClusters(signal) {
      const { stdout } = await run(['get', 'clusters'], { signal });
      return stdout.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('No kind clusters'));
    },
    async getKubeconfig(name, signal) {
      return (await run(['get', 'kubeconfig', '--name', name], { signal })).stdout;
    },
    async loadDockerImages(name, images, signal) {
      await run(['load', 'docker-image', '--name', name, ...images], { signal });
    },
  };
}
