import { parseFailure } from '@bpfscope/core';

// The kernel prints "no limit" in cgroup v1 as PAGE_COUNTER_MAX × PAGE_SIZE, which is
// LONG_MAX rounded down to a page: 9223372036854771712 with 4 KiB pages, a little less
// with bigger pages. Any value at or above 2^62 (4 EiB) is taken as that sentinel.
const V1_NO_LIMIT = 2n ** 62n;

function singleLine(text: string, path: string): string {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (text.length > 0 && !body.includes('\n')) return body;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length !== 1) throw parseFailure(path, lines.length === 0 ? 1 : 2, lines[1] ?? '', `${lines.length} lines, 1 expected`);
  return lines[0] as string;
}

/**
 * Parse a one-number cgroup file (memory.current, memory.swap.current,
 * memory.usage_in_bytes, memory.failcnt, ...).
 * @param text - the file's content
 * @param path - the file's path, for errors
 * @returns the number
 * @throws {@link @bpfscope/core!EventProcessingFailed} naming the path and line when the file is not one
 *   line holding a non-negative integer below 2^53
 */
export function parseCgroupValue(text: string, path: string): number {
  const line = singleLine(text, path);
  if (!/^\d+$/.test(line)) throw parseFailure(path, 1, line, `"${line.slice(0, 30)}" is not a non-negative integer`);
  const value = Number(line);
  if (!Number.isSafeInteger(value)) throw parseFailure(path, 1, line, `${line} is above 2^53 and cannot be exact`);
  return value;
}

/**
 * Parse cgroup v2 memory.max (or memory.high, memory.swap.max): `max` or a byte count.
 * @param text - the file's content
 * @param path - the file's path, for errors
 * @returns the limit in bytes, or null for `max` (no limit)
 * @throws {@link @bpfscope/core!EventProcessingFailed} naming the path and line for anything else
 */
export function parseMemoryMax(text: string, path: string): number | null {
  const line = singleLine(text, path);
  if (line === 'max') return null;
  if (!/^\d+$/.test(line)) throw parseFailure(path, 1, line, `"${line.slice(0, 30)}" is neither "max" nor a byte count`);
  return parseCgroupValue(text, path);
}

/**
 * Parse cgroup v1 memory.limit_in_bytes (or memory.memsw.limit_in_bytes): a byte count,
 * where the kernel's "no limit" value (≥ 2^62, e.g. 9223372036854771712) means no limit.
 * @param text - the file's content
 * @param path - the file's path, for errors
 * @returns the limit in bytes, or null for no limit
 * @throws {@link @bpfscope/core!EventProcessingFailed} naming the path and line for a file that is not one
 *   non-negative integer, or a limit between 2^53 and 2^62 (not exact as a number)
 */
export function parseV1Limit(text: string, path: string): number | null {
  const line = singleLine(text, path);
  if (!/^\d+$/.test(line)) throw parseFailure(path, 1, line, `"${line.slice(0, 30)}" is not a byte count`);
  // Below 19 digits a value is below 2^62 (4.6e18): no BigInt needed to know.
  if (line.length >= 19 && BigInt(line) >= V1_NO_LIMIT) return null;
  return parseCgroupValue(text, path);
}
