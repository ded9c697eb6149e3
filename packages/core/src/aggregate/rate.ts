/**
 * Per-second rate of a monotonic counter between two readings.
 * @param earlier - counter value at the earlier reading
 * @param later - counter value at the later reading
 * @param intervalMs - time between the readings, ms
 * @returns the rate, or null when it cannot be measured: a missing reading, no time
 *   passed, or the counter went backwards (reset or wrap) — never a guess
 */
export function ratePerSecond(earlier: number | bigint | null, later: number | bigint | null, intervalMs: number): number | null {
  if (earlier === null || later === null || !(intervalMs > 0)) return null;
  const delta = Number(BigInt(later) - BigInt(earlier));
  if (delta < 0) return null;
  return delta / (intervalMs / 1000);
}
