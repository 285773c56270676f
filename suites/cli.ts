/**
 * `zdt verify` as a user runs it, against the shared cluster attached through its kubeconfig
 * (so suites reuse the one cluster instead of creating their own).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runCli } from '../harness/cli/program.ts';
import { createKindCli } from '../harness/cluster/kind.ts';
import type { LoadedManifest } from '../harness/manifests/load.ts';
import { say, sharedCluster } from './hooks.ts';

/**
 * ARGS with `--entry nodeport` unless they choose an entry (--entry or --url): attached by
 * kubeconfig, zdt would load from a pod by default, and the suites judge the path a run that
 * creates its own kind cluster takes (suite 19 judges the in-cluster one).
 */
export const onNodePortUnlessChosen = (args: readonly string[]): string[] => (args.includes('--entry') || args.includes('--url') ? [...args] : [...args, '--entry', 'nodeport']);

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface AttachedCli extends AsyncDisposable {
  /** Scratch directory of this suite (reports, written variants, the kubeconfig). */
  readonly dir: string;
  readonly kubeconfig: string;
  /** `zdt verify ARGS --kubeconfig <shared cluster> --report-dir <dir>/reports`, on the NodePort path unless chosen (onNodePortUnlessChosen); stderr is echoed as progress. */
  verify(args: readonly string[]): Promise<CliRun>;
  /** Writes manifests into `<dir>/<name>/app.yaml` and returns that directory. */
  write(name: string, manifests: readonly LoadedManifest[]): Promise<string>;
}

/** `cliDefaultEntry`: leave --entry to the CLI (in-cluster, with --kubeconfig) rather than add `--entry nodeport`. */
export async function attachedCli({ cliDefaultEntry = false } = {}): Promise<AttachedCli> {
  const cluster = await sharedCluster();
  const dir = await mkdtemp(join(tmpdir(), 'zdt-cli-e2e-'));
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, await createKindCli().getKubeconfig(cluster.name));
  return {
    dir,
    kubeconfig,
    async verify(args) {
      let stdout = '';
      let stderr = '';
      const io = {
        stdout: { write: (t: string) => (stdout += t) },
        stderr: { write: (t: string) => ((stderr += t), say(t.trimEnd())) },
        env: process.env,
        signal: new AbortController().signal,
      };
      const code = await runCli(['verify', ...(cliDefaultEntry ? args : onNodePortUnlessChosen(args)), '--kubeconfig', kubeconfig, '--report-dir', join(dir, 'reports')], io);
      return { code, stdout, stderr };
    },
    async write(name, manifests) {
      const out = join(dir, name);
      await mkdir(out, { recursive: true });
      await writeFile(join(out, 'app.yaml'), manifests.map((m) => stringify(m.object)).join('---\n'));
      return out;
    },
    [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }),
  };
}
