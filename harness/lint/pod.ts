import type { Container, PodSpec } from '../kube/types.ts';
import { programOf, shellScript, shellSyntaxError, withoutComments, type ShellScript } from './shell.ts';

/** Kubernetes' default terminationGracePeriodSeconds. */
export const DEFAULT_GRACE_SECONDS = 30;

/**
 * Containers that take traffic: those declaring ports, or the first (main) container when
 * none does, since declared ports are informational and an app can listen without them.
 */
export function servingContainers(spec: PodSpec | undefined): Container[] {
  const containers = spec?.containers ?? [];
  const withPorts = containers.filter((c) => (c.ports?.length ?? 0) > 0);
  return withPorts.length > 0 ? withPorts : containers.slice(0, 1);
}

const SECONDS_PER_UNIT: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };
// `sleep N[smhd]` as a shell word: at the start or after whitespace/`;&|(`, so `nosleep 5` is ignored;
// not sent to the background (`sleep 15 &`), where the hook goes on at once.
const SLEEP = /(?:^|[\s;&|(])sleep\s+(\d+(?:\.\d+)?)([smhd]?)(?=$|[\s;&|)])(?!\s*&(?!&))/g;

const preStopShell = (container: Container): ShellScript | undefined => shellScript(container.lifecycle?.preStop?.exec?.command ?? []);

/**
 * Seconds the container's preStop hook waits before the app is told to stop: the
 * `sleep.seconds` action, or the sum of `sleep N` calls in what the exec hook runs: a bare
 * `["sleep","15"]`, or a shell's `-c` script (`["sh","-c","sleep 15 && nginx -s quit"]`)
 * without its comments and only if the shell can parse it. The one parser of preStop delays;
 * undefined when the hook does not visibly delay.
 */
export function preStopDelaySeconds(container: Container): number | undefined {
  const preStop = container.lifecycle?.preStop;
  if (!preStop) return undefined;
  if (typeof preStop.sleep?.seconds === 'number') return preStop.sleep.seconds > 0 ? preStop.sleep.seconds : undefined;
  const command = preStop.exec?.command ?? [];
  const shell = preStopShell(container);
  const program = programOf(command);
  // Only text that runs counts: never a shell's $0 and arguments, nor another program's arguments.
  const runs = shell !== undefined ? withoutComments(shell.script) : program.name === 'sleep' ? ['sleep', ...program.args].join(' ') : '';
  let total = 0;
  for (const [, amount, unit] of runs.matchAll(SLEEP)) {
    total += Number(amount) * (SECONDS_PER_UNIT[unit ?? ''] ?? 1);
  }
  // A script that does not parse never runs: the hook fails at once. Checked only when a delay is at stake.
  if (total === 0 || (shell !== undefined && shellSyntaxError(shell) !== undefined)) return undefined;
  return total;
}

/** The shell's own error when the preStop exec hook runs a `-c` script that does not parse. */
export function preStopSyntaxError(container: Container): string | undefined {
  const shell = preStopShell(container);
  return shell === undefined ? undefined : shellSyntaxError(shell);
}

export function graceSeconds(spec: PodSpec | undefined): number {
  return spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
}
