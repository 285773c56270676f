import { readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * The nice value the generator asks for (Linux: -20 highest .. 19 lowest). The kind nodes it
 * shares the machine with run at 0; at -10 the scheduler weighs it about 9 times a nice-0 task
 * (the kernel's sched_prio_to_weight: 9548 against 1024), so a wake-up of its timer preempts the
 * cluster's work instead of queueing behind it. It uses a third of a core at most rates, so the
 * cluster loses little. `npm run bench` (bench/generator-priority.ts) measures it.
 */
export const GENERATOR_NICE = -10;

/**
 * Asks for `nice` on the calling thread (on Linux, nice is per thread and setpriority(2) with
 * pid 0 names the caller, which Node's os.setPriority passes through). Raising priority needs
 * root, CAP_SYS_NICE or a RLIMIT_NICE that allows it: without, the thread keeps its nice, which
 * the generator's health reports, rather than failing the run.
 */
export function setThreadNice(nice: number = GENERATOR_NICE): void {
  try {
    if (getPriority() !== nice) setPriority(nice);
  } catch {
    // EACCES / EPERM: not allowed here; the health's nice says what the thread has.
  }
}

/** Where the kernel reads a process's autogroup and the switch that turns autogroups on. */
export interface AutogroupFiles {
  readonly enabled: string;
  readonly cgroup: string;
  /** The cgroup namespace link: autogroups apply only in the initial one. */
  readonly cgroupNamespace: string;
  readonly autogroup: string;
}

const PROC: AutogroupFiles = {
  enabled: '/proc/sys/kernel/sched_autogroup_enabled',
  cgroup: '/proc/self/cgroup',
  cgroupNamespace: '/proc/self/ns/cgroup',
  autogroup: '/proc/self/autogroup',
};

/** The initial cgroup namespace's inode number (the kernel's PROC_CGROUP_INIT_INO). */
const INITIAL_CGROUP_NAMESPACE = 'cgroup:[4026531835]';

/**
 * Whether /proc/self/cgroup (its text) puts the process in the root cpu cgroup: the v1 line whose
 * controllers include cpu, else the v2 line ("0::"). On a hybrid host the v1 cpu line decides.
 */
export function inRootCpuCgroup(cgroup: string): boolean {
  const v1 = /^\d+:(?:[^:]*,)?cpu(?:,[^:]*)?:(.*)$/m.exec(cgroup);
  const line = v1 ?? /^0::(.*)$/m.exec(cgroup);
  return line !== null && line[1] === '/';
}

/**
 * The nice of the autogroup this process is scheduled in, or null where there is none. With
 * autogroup scheduling on (sched(7)), the kernel puts the root cgroup's tasks in one group per
 * session and weighs that group as one task of the group's nice: a thread's own nice then counts
 * only against its session's other threads, while the cluster's containers (Docker's cgroup)
 * compete with the whole session. Not in a container: a cgroup namespace shows its own root as
 * "/", and autogroups never apply there.
 */
export function autogroupNice(files: AutogroupFiles = PROC): number | null {
  try {
    if (readFileSync(files.enabled, 'utf8').trim() !== '1') return null;
    if (readlinkSync(files.cgroupNamespace) !== INITIAL_CGROUP_NAMESPACE) return null;
    if (!inRootCpuCgroup(readFileSync(files.cgroup, 'utf8'))) return null;
    const match = /\bnice (-?\d+)/.exec(readFileSync(files.autogroup, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** The kernel takes one autogroup write per 100 ms machine-wide from a writer without CAP_SYS_ADMIN (EAGAIN otherwise). */
const WRITE_GAP_MS = 110;
const WRITE_TRIES = 5;

/** Writes the autogroup's nice and reads it back; true once it holds. Synchronous: it also runs in an 'exit' handler. */
function writeAutogroup(nice: number): boolean {
  for (let attempt = 1; attempt <= WRITE_TRIES; attempt++) {
    try {
      writeFileSync(PROC.autogroup, String(nice));
    } catch (err) {
      // EACCES / EPERM: raising needs CAP_SYS_NICE, and no retry changes that.
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return false;
    }
    if (autogroupNice() === nice) return true;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, WRITE_GAP_MS);
  }
  return false;
}

/** What this process holds: its holders, the nice it wrote, and what was there before. */
const held = { holders: new Set<symbol>(), wrote: null as number | null, before: null as number | null };

/** Puts the autogroup back if it still holds what this process wrote (another process may have written since: its value stays). */
function restore(): void {
  if (held.wrote !== null && held.before !== null && autogroupNice() === held.wrote) writeAutogroup(held.before);
  held.wrote = null;
  process.off('exit', restore);
}

/**
 * Raises this process's autogroup (autogroupNice) to `nice` while a generator runs, never to a
 * lower priority than it has, and puts it back when the last holder releases, or when the process
 * exits: the autogroup is the whole session's (the shell that started zdt too), so it must not
 * outlive the load. A SIGKILL or a crash of Node itself leaves it raised until the session ends.
 * Without autogroups, or without root or CAP_SYS_NICE, it changes nothing. Returns the autogroup's
 * nice in effect after (null without autogroups) and release(), which may be called more than once.
 */
export function holdSessionPriority(nice: number = GENERATOR_NICE): { readonly nice: number | null; release(): void } {
  const key = Symbol('holder');
  held.holders.add(key);
  const current = autogroupNice();
  if (current !== null && current > nice) {
    if (held.wrote === null) held.before = current;
    if (writeAutogroup(nice)) {
      if (held.wrote === null) process.on('exit', restore);
      held.wrote = nice;
    }
  }
  return {
    nice: autogroupNice(),
    release() {
      if (!held.holders.delete(key)) return;
      if (held.holders.size === 0) restore();
    },
  };
}
