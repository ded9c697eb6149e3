// Feature probes load programs or create maps in the kernel: each answer is
// computed once per process and kept. The run counts let a test see that a
// second call was answered from the cache without timing it.

const results = new Map<string, unknown>();
const runs = new Map<string, number>();

/**
 * The cached result of probe `key`, running `probe` only the first time. A
 * probe that throws is not cached (the next call runs it again).
 * @internal
 */
export function cachedProbe<T>(key: string, probe: () => T): T {
  if (results.has(key)) return results.get(key) as T;
  runs.set(key, (runs.get(key) ?? 0) + 1);
  const value = probe();
  results.set(key, value);
  return value;
}

/**
 * How many times each feature probe really ran in this process, by key
 * (`prog:<type>`, `map:<type>`, `helper:<prog type>:<helper>`, `attach-types`).
 * @internal
 */
export function featureProbeRuns(): Readonly<Record<string, number>> {
  return Object.fromEntries(runs);
}
