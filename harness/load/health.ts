import { readFile } from 'node:fs/promises';
import { getPriority } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { autogroupNice, GENERATOR_NICE } from './priority.ts';

/**
 * How the load generator's process fared over a run: whether late starts came from its own work
 * or from a machine short of CPU. All figures cover the run from start to stop.
 */
export interface GeneratorHealth {
  /** The event loop's delay (perf_hooks.monitorEventLoopDelay), ms: p99 and max. A late start needs a delay above the late-start bound. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  /** CPU time the process used (all its threads), percent of one core over the wall time. */
  readonly cpuPercent: number;
  /**
   * Percent of the wall time in which some runnable task on the machine waited for a CPU
   * (Linux pressure stall information, /proc/pressure/cpu "some"); null where the kernel does not
   * expose it.
   */
  readonly cpuPressurePercent: number | null;
  /**
   * The generator thread's nice value (-20 highest .. 19 lowest; priority.ts raises it to
   * GENERATOR_NICE where allowed), read when it started; null where the OS does not say.
   */
  readonly nice: number | null;
  /**
   * The nice of the session's autogroup the process was scheduled in, read when it started
   * (priority.ts autogroupNice: where the kernel groups tasks by session, the group competes
   * with the cluster as one task of this nice); null where there is no autogroup.
   */
  readonly autogroupNice: number | null;
}

/** The histogram's sampling interval, ms: finer than the late-start bound (50 ms) by far. */
const RESOLUTION_MS = 10;
const PSI_CPU = '/proc/pressure/cpu';

/** Starts measuring; `stop()` ends it and resolves with the figures. */
export function watchGeneratorHealth(): { stop(): Promise<GeneratorHealth> } {
  const loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  loop.enable();
  const startedNs = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const pressure = cpuPressureTotalUs();
  const nice = niceOfThisThread();
  const group = autogroupNice();
  return {
    async stop() {
      loop.disable();
      const wallUs = Number(process.hrtime.bigint() - startedNs) / 1000;
      const used = process.cpuUsage(cpu);
      const [before, after] = await Promise.all([pressure, cpuPressureTotalUs()]);
      const percent = (us: number) => (wallUs > 0 ? Math.min(100, (100 * us) / wallUs) : 0);
      return {
        loopDelayP99Ms: delayMs(loop.percentile(99), loop.count),
        loopDelayMaxMs: delayMs(loop.max, loop.count),
        cpuPercent: wallUs > 0 ? (100 * (used.user + used.system)) / wallUs : 0,
        cpuPressurePercent: before === null || after === null ? null : percent(after - before),
        nice,
        autogroupNice: group,
      };
    },
  };
}

/**
 * A histogram value as a delay, ms: it holds nanoseconds between samples, the sampling interval
 * included (an idle loop reads 10.0-10.9 ms); 0 when empty (a run shorter than one sample).
 */
const delayMs = (ns: number, count: number): number => (count > 0 ? Math.max(0, ns / 1e6 - RESOLUTION_MS) : 0);

function niceOfThisThread(): number | null {
  try {
    return getPriority();
  } catch {
    return null;
  }
}

/** The "some" line's total (µs of stall since boot), or null without PSI. */
async function cpuPressureTotalUs(): Promise<number | null> {
  try {
    const match = /^some .*\btotal=(\d+)/m.exec(await readFile(PSI_CPU, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** One figure for several generators in one process (one per Service): the worst of each. */
export function worstHealth(all: readonly GeneratorHealth[]): GeneratorHealth | undefined {
  if (all.length === 0) return undefined;
  const pressures = all.map((h) => h.cpuPressurePercent).filter((p): p is number => p !== null);
  return {
    loopDelayP99Ms: Math.max(...all.map((h) => h.loopDelayP99Ms)),
    loopDelayMaxMs: Math.max(...all.map((h) => h.loopDelayMaxMs)),
    cpuPercent: Math.max(...all.map((h) => h.cpuPercent)),
    cpuPressurePercent: pressures.length > 0 ? Math.max(...pressures) : null,
    nice: worstNice(all.map((h) => h.nice)),
    autogroupNice: worstNice(all.map((h) => h.autogroupNice)),
  };
}

/** The lowest priority (highest nice) of several; null if any is unknown. */
function worstNice(all: readonly (number | null)[]): number | null {
  return all.some((n) => n === null) ? null : Math.max(...(all as number[]));
}

/** Above this share of wall time with tasks waiting for a CPU, the machine, not the generator, is the limit. */
const CONTENDED_PRESSURE_PERCENT = 20;
/** Above this share of a core, the generator's own work is the limit (its event loop is one thread). */
const BUSY_CPU_PERCENT = 80;

/**
 * Why a generator with these figures fell behind, for a report: "its event loop was held up to
 * 280 ms while tasks waited for a CPU 61% of the time: the machine is short of CPU ...".
 */
export function explainHealth(h: GeneratorHealth): string {
  const held = `its event loop was held up to ${Math.round(h.loopDelayMaxMs)} ms`;
  if (h.cpuPercent >= BUSY_CPU_PERCENT) return `${held} and it used ${Math.round(h.cpuPercent)}% of a core: its own work is the limit (lower --rate, or --connection keep-alive)`;
  if (h.cpuPressurePercent !== null && h.cpuPressurePercent >= CONTENDED_PRESSURE_PERCENT) {
    // Only where autogroups apply does a raise outrank the cluster (priority.ts); in a pod or a systemd session scope the cgroups decide.
    const level = h.autogroupNice === null ? [] : [h.nice !== null && h.nice > GENERATOR_NICE ? `at nice ${h.nice}` : '', h.autogroupNice > GENERATOR_NICE ? `in a session (autogroup) at nice ${h.autogroupNice}` : ''].filter(Boolean);
    const priority = level.length > 0 ? `; it ran ${level.join(' ')}, level with the cluster's work: zdt asks for nice ${GENERATOR_NICE}, which needs root or CAP_SYS_NICE` : '';
    return `${held} while tasks waited for a CPU ${Math.round(h.cpuPressurePercent)}% of the time (it used ${Math.round(h.cpuPercent)}% of a core): the machine is short of CPU (fewer nodes or other work on it, or a lower --rate)${priority}`;
  }
  return `${held}, using ${Math.round(h.cpuPercent)}% of a core`;
}
