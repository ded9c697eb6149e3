const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/**
 * Bytes in binary units with one decimal (`512 B`, `7.6 GiB`), or `-` for an absent value.
 * @internal
 */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '-';
  let v = bytes;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < BYTE_UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${BYTE_UNITS[u]}`;
}

/**
 * A duration in nanoseconds with a unit that keeps three significant digits (`850 ns`,
 * `8.39 ms`, `1.20 s`).
 * @internal
 */
export function formatNs(ns: number): string {
  if (ns >= 1e9) return `${(ns / 1e9).toPrecision(3)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toPrecision(3)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toPrecision(3)} us`;
  return `${Math.round(ns)} ns`;
}

/**
 * A log2 histogram bucket, the only thing a log2 histogram knows of a quantile: both
 * bounds in the lower bound's unit (`4.19-8.39 ms`).
 * @internal
 */
export function formatNsRange(lower: number, upper: number): string {
  const [lo, unit] = splitUnit(formatNs(lower));
  const scale = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 }[unit as 'ns' | 'us' | 'ms' | 's'];
  const hi = upper / scale;
  return `${lo}-${hi >= 100 ? hi.toFixed(0) : hi.toPrecision(3)} ${unit}`;
}

function splitUnit(s: string): [string, string] {
  const i = s.lastIndexOf(' ');
  return [s.slice(0, i), s.slice(i + 1)];
}
