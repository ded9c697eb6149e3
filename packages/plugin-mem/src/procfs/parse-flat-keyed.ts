import { parseFailure } from './parse-failure.js';

/**
 * Parse a flat keyed file: one `<key> <non-negative integer>` per line (memory.events,
 * memory.stat, memory.oom_control, /proc/vmstat).
 * @param text - the file's content
 * @param path - the file's path, for errors
 * @returns the values by key, in file order
 * @throws {@link @bpfscope/core!EventProcessingFailed} naming the path and line for a line that is not
 *   `<key> <integer>`, or a value above 2^53 (not exact as a JavaScript number)
 * @internal
 */
export function parseFlatKeyed(text: string, path: string): Record<string, number> {
  const out: Record<string, number> = {};
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((line, i) => {
    const m = /^([A-Za-z0-9_]+) (\d+)$/.exec(line);
    if (!m) throw parseFailure(path, i + 1, line, 'not a "<key> <non-negative integer>" line');
    const value = Number(m[2]);
    if (!Number.isSafeInteger(value)) throw parseFailure(path, i + 1, line, `${m[1]} ${m[2]} is above 2^53 and cannot be exact`);
    out[m[1] as string] = value;
  });
  return out;
}

/**
 * Take `key` out of a parsed flat keyed file.
 * @returns the value, or null when the key is absent
 * @internal
 */
export const keyed = (values: Readonly<Record<string, number>>, key: string): number | null => (Object.hasOwn(values, key) ? (values[key] as number) : null);
