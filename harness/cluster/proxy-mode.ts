/**
 * kube-proxy's modes (kind's `networking.kubeProxyMode`): which this host's kernel can run, and
 * a kind config that asks for one. The nodes are containers on the host's kernel, so the host
 * decides.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseDocument } from 'yaml';
import { ErrorCode, ZdtError } from '../errors.ts';

export const KUBE_PROXY_MODES = ['iptables', 'nftables', 'ipvs'] as const;
export type KubeProxyMode = (typeof KUBE_PROXY_MODES)[number];

/** kube-proxy's nftables mode refuses kernels before 5.13 (its nftables rules need them). */
const NFTABLES_KERNEL: readonly [number, number] = [5, 13];

/** What the host's kernel offers, read once from /proc and /sys (a test seam). */
export interface KernelFacts {
  /** "6.18.44-fc-v1252" */
  readonly release: string;
  /** CONFIG_* lines of /proc/config.gz, when the kernel exposes it. */
  readonly config: string | undefined;
  /** Whether a path exists (/proc/net/ip_vs, /sys/module/ip_vs, /lib/modules/...). */
  readonly exists: (path: string) => boolean;
}

export function hostKernel(): KernelFacts {
  let config: string | undefined;
  try {
    config = gunzipSync(readFileSync('/proc/config.gz')).toString('utf8');
  } catch {
    config = undefined;
  }
  return { release: release(), config, exists: existsSync };
}

/** Why this host cannot run kube-proxy in `mode`, or undefined when it can. */
export function unsupportedReason(mode: KubeProxyMode, kernel: KernelFacts = hostKernel()): string | undefined {
  const option = (name: string) => (kernel.config === undefined ? undefined : new RegExp(`^${name}=[ym]$`, 'm').test(kernel.config));
  if (mode === 'nftables') {
    const [major = 0, minor = 0] = kernel.release.split(/[.-]/).map(Number);
    const [needMajor, needMinor] = NFTABLES_KERNEL;
    if (major < needMajor || (major === needMajor && minor < needMinor)) return `kernel ${kernel.release} is older than ${needMajor}.${needMinor}, which kube-proxy's nftables mode needs`;
    if (option('CONFIG_NF_TABLES') === false) return `kernel ${kernel.release} was built without nf_tables (CONFIG_NF_TABLES)`;
  }
  if (mode === 'ipvs') {
    const loaded = kernel.exists('/proc/net/ip_vs') || kernel.exists('/sys/module/ip_vs');
    const loadable = kernel.exists(`/lib/modules/${kernel.release}/kernel/net/netfilter/ipvs`);
    if (!loaded && !loadable) {
      return option('CONFIG_IP_VS') === undefined
        ? `kernel ${kernel.release} has no ip_vs module loaded or installed (modprobe ip_vs on the host)`
        : `kernel ${kernel.release} was built without IPVS (CONFIG_IP_VS)`;
    }
  }
  return undefined;
}

/**
 * A copy of the kind config at `path` with `networking.kubeProxyMode: mode` and the cluster
 * named `name`, written to a temporary file whose path is returned (kind reads its config
 * from a file). Comments and everything else are kept.
 */
export async function kindConfigWithMode(path: string, mode: KubeProxyMode, name: string): Promise<string> {
  const doc = parseDocument(await readFile(path, 'utf8'));
  if (doc.errors.length > 0) throw new ZdtError(ErrorCode.InvalidOption, `kind config ${path}: ${doc.errors[0]!.message}`, { details: { option: 'kindConfig', value: path } });
  doc.setIn(['networking', 'kubeProxyMode'], mode);
  doc.set('name', name);
  const out = join(await mkdtemp(join(tmpdir(), 'zdt-kind-')), `kind-${mode}.yaml`);
  await writeFile(out, doc.toString());
  return out;
}
