// What a fuzz case may end in: a taxonomy error, or a valid result, i.e. one whose
// numbers are all finite (or null): no NaN or Infinity leaking into metrics.
import { isBpfscopeError } from '@bpfscope/core';

/** How one case ended. */
export type Outcome = { kind: 'valid' } | { kind: 'typed'; code: string } | { kind: 'bad'; why: string };

/** The first non-finite number in `value`, as a path (`.rows[3].bytes`), or undefined. */
export function nonFinite(value: unknown, path = '', seen = new Set<object>()): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path || '(result)'} = ${value}`;
  if (value === null || typeof value !== 'object') return undefined;
  if (isBpfscopeError(value) || seen.has(value)) return undefined; // an error kept beside the data is data
  seen.add(value);
  if (ArrayBuffer.isView(value)) {
    if (value instanceof Float64Array || value instanceof Float32Array) {
      const i = value.findIndex((v) => !Number.isFinite(v));
      return i < 0 ? undefined : `${path}[${i}] = ${value[i]}`;
    }
    return undefined;
  }
  const entries: Iterable<[unknown, unknown]> = value instanceof Map ? value.entries() : Array.isArray(value) || value instanceof Set ? [...value].entries() : Object.entries(value);
  for (const [k, v] of entries) {
    const bad = nonFinite(v, `${path}${typeof k === 'number' ? `[${k}]` : `.${String(k)}`}`, seen);
    if (bad !== undefined) return bad;
  }
  return undefined;
}

/** Runs one case and says how it ended. */
export function outcomeOf(run: () => unknown): Outcome {
  let result: unknown;
  try {
    result = run();
  } catch (e) {
    if (isBpfscopeError(e)) return { kind: 'typed', code: e.code };
    return { kind: 'bad', why: `threw a non-taxonomy ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}` };
  }
  const bad = nonFinite(result);
  return bad === undefined ? { kind: 'valid' } : { kind: 'bad', why: `non-finite number in the result: ${bad}` };
}
