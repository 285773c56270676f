/**
 * A host-wide claim on a kind cluster name, so two zdt runs never drain, reset or delete the
 * same cluster: the second one refuses with the first one's pid instead. The claim is a file
 * holding the owner's pid (`<cache>/locks/kind-<name>.pid`), so scripts can check it too
 * (.ci/run's leftover sweep skips a cluster whose owner is alive). A claim whose process is
 * gone is stale and taken over. Claims are re-entrant within one process, and a process the
 * owner started shares its claim without taking it over (a test harness driving the CLI on its
 * own cluster).
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, ZdtError } from '../errors.ts';
import { cacheDir } from './paths.ts';

export interface ClusterClaim extends AsyncDisposable {
  readonly name: string;
  release(): Promise<void>;
}

const held = new Map<string, number>();

export const claimPath = (name: string, env: NodeJS.ProcessEnv = process.env): string => join(cacheDir(env), 'locks', `kind-${name}.pid`);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims kind cluster `name` for this process until release(). Rejects with ZDT_CLUSTER_IN_USE
 * naming the other run's pid when a live process holds it.
 */
export async function claimCluster(name: string, env: NodeJS.ProcessEnv = process.env): Promise<ClusterClaim> {
  const path = claimPath(name, env);
  const count = held.get(path) ?? 0;
  if (count === 0) {
    await mkdir(join(cacheDir(env), 'locks'), { recursive: true });
    for (let attempt = 0; ; attempt++) {
      try {
        const file = await open(path, 'wx');
        await file.writeFile(`${process.pid}\n${process.argv.slice(1).join(' ')}\n${new Date().toISOString()}\n`);
        await file.close();
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw claimError(name, path, err);
        const [pid = '', command = '', since = ''] = (await readFile(path, 'utf8').catch(() => '')).split('\n');
        // Borrowed from the parent: nothing to write, and the parent's claim is never removed here.
        if (Number(pid) === process.ppid) return { name, release: async () => {}, [Symbol.asyncDispose]: async () => {} };
        if (Number(pid) > 0 && Number(pid) !== process.pid && alive(Number(pid))) {
          throw new ZdtError(
            ErrorCode.ClusterInUse,
            `kind cluster ${name} is in use by another zdt run (pid ${pid}${command ? `, ${command.split(' ').slice(1, 3).join(' ')}` : ''}${since ? ` since ${since}` : ''}): wait for it to finish, or give this run a cluster of its own with a kind config of another name and host port (--kind-config)`,
            { details: { cluster: name, pid: Number(pid), claim: path } },
          );
        }
        // The owner is gone: the claim is stale.
        await rm(path, { force: true });
      }
    }
  }
  held.set(path, count + 1);
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    const left = (held.get(path) ?? 1) - 1;
    if (left > 0) held.set(path, left);
    else {
      held.delete(path);
      await rm(path, { force: true });
    }
  };
  return { name, release, [Symbol.asyncDispose]: release };
}

function claimError(name: string, path: string, err: unknown): ZdtError {
  return new ZdtError(ErrorCode.ClusterInUse, `cannot claim kind cluster ${name} (${path}): ${(err as Error).message}`, { cause: err, details: { cluster: name, claim: path } });
}
