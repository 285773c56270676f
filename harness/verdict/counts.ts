/** Tallies for reports: how many times each label (an outcome, a pod, a cause) was seen. */

/** Adds `by` (default 1) to `key`'s count. */
export function increment<K>(counts: Map<K, number>, key: K, by = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

/** The counts as `[key, count]`, most frequent first then by key, so reports read the same every run. */
export function ranked<K extends string>(counts: ReadonlyMap<K, number>): [K, number][] {
  return [...counts].sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
}
