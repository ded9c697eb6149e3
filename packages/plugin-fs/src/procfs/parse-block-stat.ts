import { parseFailure } from '@bpfscope/core';
import { blockCounters, type BlockCounters } from './parse-diskstats.js';

/**
 * Parse /sys/block/&lt;dev&gt;/stat (or a partition's `stat`): one line of 11, 15 or 17
 * counters, as /proc/diskstats has them after the name.
 * @param path - the file's path, for errors
 * @param text - its content
 * @returns the counters
 * @throws {@link @bpfscope/core!EventProcessingFailed} when it is not such a line
 * @internal
 */
export function parseBlockStat(path: string, text: string): BlockCounters {
  const line = text.split('\n')[0] ?? '';
  const counters = blockCounters(line.trim().split(/\s+/));
  if (counters === null) throw parseFailure(path, 1, line, 'expected 11, 15 or 17 decimal counters');
  return counters;
}

/** Requests in flight on a device, by direction (/sys/block/&lt;dev&gt;/inflight). @internal */
export interface Inflight {
  reads: number;
  writes: number;
}

/**
 * Parse /sys/block/&lt;dev&gt;/inflight: two counters, reads and writes in flight.
 * @param path - the file's path, for errors
 * @param text - its content
 * @returns the two counts
 * @throws {@link @bpfscope/core!EventProcessingFailed} when it is not two decimal counters
 * @internal
 */
export function parseInflight(path: string, text: string): Inflight {
  const line = text.split('\n')[0] ?? '';
  const f = line.trim().split(/\s+/);
  if (f.length !== 2 || !f.every((x) => /^\d+$/.test(x))) throw parseFailure(path, 1, line, 'expected two decimal counters (reads, writes)');
  return { reads: Number(f[0]), writes: Number(f[1]) };
}

/**
 * Parse a sysfs `dev` file: `major:minor`.
 * @param path - the file's path, for errors
 * @param text - its content
 * @returns the numbers
 * @throws {@link @bpfscope/core!EventProcessingFailed} when it is not `major:minor`
 * @internal
 */
export function parseDevNumbers(path: string, text: string): { major: number; minor: number } {
  const line = text.split('\n')[0] ?? '';
  const m = /^(\d+):(\d+)$/.exec(line.trim());
  if (m === null) throw parseFailure(path, 1, line, 'expected "major:minor"');
  return { major: Number(m[1]), minor: Number(m[2]) };
}
