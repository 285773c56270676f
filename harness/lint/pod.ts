import type { Container, PodSpec } from '../kube/types.ts';

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
// `sleep N[smhd]` as a shell word: at the start or after whitespace/`;&|(`, so `nosleep 5` is ignored.
const SLEEP = /(?:^|[\s;&|(])sleep\s+(\d+(?:\.\d+)?)([smhd]?)(?=$|[\s;&|)])/g;

/**
 * Seconds the container's preStop hook waits before the app is told to stop: the
 * `sleep.seconds` action, or the sum of `sleep N` calls in an exec command
 * (`["sleep","15"]` or `["sh","-c","sleep 15 && nginx -s quit"]`). Undefined when the hook
 * does not visibly delay.
 */
export function preStopDelaySeconds(container: Container): number | undefined {
  const preStop = container.lifecycle?.preStop;
  if (!preStop) return undefined;
  if (typeof preStop.sleep?.seconds === 'number') return preStop.sleep.seconds > 0 ? preStop.sleep.seconds : undefined;
  const command = (preStop.exec?.command ?? []).join(' ');
  let total = 0;
  for (const [, amount, unit] of command.matchAll(SLEEP)) {
    total += Number(amount) * (SECONDS_PER_UNIT[unit ?? ''] ?? 1);
  }
  return total > 0 ? total : undefined;
}

export function graceSeconds(spec: PodSpec | undefined): number {
  return spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
}
