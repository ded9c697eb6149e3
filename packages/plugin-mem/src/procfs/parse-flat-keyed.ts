import { parseFailure } from '@bpfscope/core';

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

const isKeyChar = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;

/**
 * {@link parseFlatKeyed} for a hot file of which only a few keys are used: every line is
 * checked the same way (same errors), but only the values of `keys` are kept, in `out`
 * (NaN for a key the file lacks; the last line wins for a repeated key). Allocates
 * nothing unless it throws.
 * @param text - the file's content
 * @param path - the file's path, for errors
 * @param keys - the keys wanted
 * @param out - their values, index by index (at least `keys.length` long)
 * @returns the number of lines
 * @throws {@link @bpfscope/core!EventProcessingFailed} as {@link parseFlatKeyed} does
 * @internal
 */
export function scanFlatKeyed(text: string, path: string, keys: readonly string[], out: Float64Array): number {
  out.fill(NaN, 0, keys.length);
  let lineNo = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    let i = start;
    while (i < end && isKeyChar(text.charCodeAt(i))) i++;
    const keyEnd = i;
    if (keyEnd === start || keyEnd + 1 >= end || text.charCodeAt(keyEnd) !== 32) throw parseFailure(path, lineNo, text.slice(start, end), 'not a "<key> <non-negative integer>" line');
    let value = 0;
    for (i = keyEnd + 1; i < end; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) throw parseFailure(path, lineNo, text.slice(start, end), 'not a "<key> <non-negative integer>" line');
      value = value * 10 + d;
    }
    if (!Number.isSafeInteger(value)) {
      throw parseFailure(path, lineNo, text.slice(start, end), `${text.slice(start, keyEnd)} ${text.slice(keyEnd + 1, end)} is above 2^53 and cannot be exact`);
    }
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      if (key.length === keyEnd - start && text.startsWith(key, start)) {
        out[k] = value;
        break;
      }
    }
    start = end + 1;
  }
  return lineNo;
}
