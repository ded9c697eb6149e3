// The checks of single config values that every part of the config shares: each returns the
// value (or the default when it is absent) or throws a ConfigError naming the path. @internal
import { ConfigError } from '../errors/taxonomy.js';

/** A plain object (not null, not an array). */
export function record(value: unknown, at: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(at, value, 'an object');
  return value as Record<string, unknown>;
}

/** An integer from `min` to `max`, or `fallback` when absent. */
export function int(value: unknown, at: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  throw new ConfigError(at, value, `an integer from ${min} to ${max}`);
}

/** A boolean, or `fallback` when absent. */
export function bool(value: unknown, at: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  throw new ConfigError(at, value, 'true or false');
}
