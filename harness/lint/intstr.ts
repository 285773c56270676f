/**
 * An int-or-percent scaled against `total`, as intstr.GetScaledValueFromIntOrPercent does:
 * each controller picks the rounding of a percentage (the disruption controller and a
 * Deployment's maxSurge round up, a Deployment's and a StatefulSet's maxUnavailable down).
 * Undefined for a string that is not a percentage, which the API rejects.
 */
export function scaled(value: number | string, total: number, round: 'up' | 'down'): number | undefined {
  if (typeof value === 'number') return value;
  const percent = /^(\d+)%$/.exec(value)?.[1];
  if (percent === undefined) return undefined;
  const exact = (Number(percent) * total) / 100;
  return round === 'up' ? Math.ceil(exact) : Math.floor(exact);
}
