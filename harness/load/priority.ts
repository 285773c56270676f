import { readFileSync, writeFileSync } from 'node:fs';
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
 * pid 0 names the caller, which Node's os.setPriority passes through) and returns the nice in
 * effect after. Raising priority needs root or CAP_SYS_NICE: without it the thread keeps its
 * nice, which the generator's health reports, rather than failing the run.
 */
export function setThreadNice(nice: number = GENERATOR_NICE): number {
  try {
    if (getPriority() !== nice) setPriority(nice);
  } catch {
    // EACCES / EPERM: not allowed here; the nice read below says what the thread has.
  }
  return getPriority();
}

const AUTOGROUP = '/proc/self/autogroup';

/**
 * The nice of the autogroup this process is scheduled in, or null where there is none. With
 * autogroup scheduling on (sched(7); /proc/sys/kernel/sched_autogroup_enabled), the kernel puts
 * the root cgroup's tasks in one group per session and weighs that group as one task of the
 * group's nice: a thread's own nice then counts only against its session's other threads, while
 * the cluster's containers (Docker's cgroup) compete with the whole session. Measured on the
 * 2-core CI machine: a generator thread at nice -10 in a nice-0 session still waited up to 95 ms
 * of a 100 ms window for a CPU; with the session at -10, 20 ms at most.
 */
export function autogroupNice(): number | null {
  try {
    if (readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() !== '1') return null;
    // Autogroups apply to the root cgroup's tasks only (cgroup v1 "cpu" line, or v2's "0::").
    const cgroup = readFileSync('/proc/self/cgroup', 'utf8');
    const cpu = /^\d+:(?:[^:]*\bcpu\b[^:]*|):(.*)$/m.exec(cgroup);
    if (!cpu || cpu[1] !== '/') return null;
    const match = /\bnice (-?\d+)/.exec(readFileSync(AUTOGROUP, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

let holders = 0;
let restoreTo: number | null = null;

/**
 * Raises this process's autogroup (autogroupNice) to `nice` while a generator runs, never lowers
 * it, and puts it back when the last holder releases: the autogroup is the whole session's (the
 * shell that started zdt too), so it must not outlive the load. Without autogroups, or without
 * root or CAP_SYS_NICE, it changes nothing. Returns the autogroup's nice in effect (null without).
 */
export function holdSessionPriority(nice: number = GENERATOR_NICE): { readonly nice: number | null; release(): void } {
  if (holders++ === 0) {
    restoreTo = autogroupNice();
    if (restoreTo !== null && restoreTo > nice) writeAutogroup(nice);
  }
  let released = false;
  return {
    nice: autogroupNice(),
    release() {
      if (released) return;
      released = true;
      if (--holders === 0 && restoreTo !== null && autogroupNice() !== restoreTo) writeAutogroup(restoreTo);
    },
  };
}

function writeAutogroup(nice: number): void {
  try {
    writeFileSync(AUTOGROUP, String(nice));
  } catch {
    // EACCES / EPERM: raising needs CAP_SYS_NICE; the health's autogroupNice says what it had.
  }
}
