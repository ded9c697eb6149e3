import { ConfigError } from '@bpfscope/core';
import type { ProcessRecord } from './records.js';

/**
 * The measure {@link topProcesses} ranks by: `cpu` = user + system seconds since each
 * process started, `cpuPercent` = CPU use over the last interval (unmeasured on a first
 * reading), `rss` = resident bytes (current), `io` = storage bytes read + written since
 * the process started (io `read_bytes` + `write_bytes`).
 */
export type TopMeasure = 'cpu' | 'cpuPercent' | 'rss' | 'io';

/** The result of {@link topProcesses}. */
export interface TopProcesses {
  /** At most `k` records, largest measure first; ties by ascending PID. */
  top: ProcessRecord[];
  /** Records left out of the ranking because the measure is unavailable for them (`io` of another user's process without root, `cpuPercent` on a first reading). */
  unmeasured: number;
}

const MEASURES: Readonly<Record<TopMeasure, (r: ProcessRecord) => number | null>> = {
  cpu: (r) => r.userSeconds + r.systemSeconds,
  cpuPercent: (r) => r.cpuPercent,
  rss: (r) => r.rssBytes,
  io: (r) => (r.ioReadBytes === null || r.ioWriteBytes === null ? null : r.ioReadBytes + r.ioWriteBytes),
};

/**
 * The `k` processes with the largest measure.
 * @param records - process records
 * @param by - the measure
 * @param k - cap on the number of records returned (0 to 100,000)
 * @returns the top records and how many could not be ranked
 * @throws {@link @bpfscope/core!ConfigError} for an unknown measure or a `k` that is not an integer in range
 */
export function topProcesses(records: readonly ProcessRecord[], by: TopMeasure, k: number): TopProcesses {
  const measure = Object.hasOwn(MEASURES, by) ? MEASURES[by] : undefined;
  if (measure === undefined) throw new ConfigError('top.by', by, "'cpu', 'cpuPercent', 'rss' or 'io'");
  if (!Number.isInteger(k) || k < 0 || k > 100_000) throw new ConfigError('top.k', k, 'an integer from 0 to 100000');
  const ranked: Array<{ r: ProcessRecord; v: number }> = [];
  let unmeasured = 0;
  for (const r of records) {
    const v = measure(r);
    if (v === null) unmeasured++;
    else ranked.push({ r, v });
  }
  ranked.sort((a, b) => b.v - a.v || a.r.pid - b.r.pid);
  return { top: ranked.slice(0, k).map((x) => x.r), unmeasured };
}
