import { ConfigError } from '../errors/taxonomy.js';

/** A boolean option. */
export interface BooleanRule {
  /** The type. */
  readonly type: 'boolean';
  /** Value when the option is not given. */
  readonly default?: boolean;
}

/** A number option, integer or not, with optional bounds (inclusive). */
export interface NumberRule {
  /** The type. */
  readonly type: 'integer' | 'number';
  /** Smallest value allowed. */
  readonly min?: number;
  /** Largest value allowed. */
  readonly max?: number;
  /** Value when the option is not given. */
  readonly default?: number;
}

/** A string option, optionally one of a list. */
export interface StringRule {
  /** The type. */
  readonly type: 'string';
  /** The values allowed; any string when absent. */
  readonly values?: readonly string[];
  /** Value when the option is not given. */
  readonly default?: string;
}

/** A list option of integers (each within the bounds) or strings. */
export interface ListRule {
  /** The type. */
  readonly type: 'integer[]' | 'string[]';
  /** Smallest item allowed (integer lists). */
  readonly min?: number;
  /** Largest item allowed (integer lists). */
  readonly max?: number;
  /** Most items allowed. */
  readonly maxItems?: number;
  /** Value when the option is not given. */
  readonly default?: readonly number[] | readonly string[];
}

/** One option of a family: its type, bounds and default. */
export type OptionRule = BooleanRule | NumberRule | StringRule | ListRule;

/**
 * The options a plugin accepts for one family under `config.families.<family>`
 * (besides `mode`, `enabled`, `initTimeoutMs`, `readTimeoutMs` and `cache`, which the engine owns). Declared on {@link Plugin.optionSchemas}.
 */
export type OptionSchema = Readonly<Record<string, OptionRule>>;

/** A family's options after validation: every key of the schema, with defaults filled in when given. */
export type FamilyOptions = Readonly<Record<string, unknown>>;

// The keys of every family that the engine owns (see FamilyConfig), validated by validateConfig.
const ENGINE_KEYS = ['mode', 'enabled', 'initTimeoutMs', 'readTimeoutMs', 'cache'];

/**
 * Check `config.families.<family>` against a plugin's schema.
 * @param family - the family name, for the error path
 * @param schema - the plugin's schema for it
 * @param given - the family's config (may hold the engine's keys `mode`, `enabled`, `initTimeoutMs`, `readTimeoutMs`, `cache`, which are skipped)
 * @returns the options, defaults filled in
 * @throws {@link ConfigError} naming `families.<family>.<key>` for an unknown key or a bad value
 * @internal
 */
export function validateFamilyOptions(family: string, schema: OptionSchema, given: Readonly<Record<string, unknown>> = {}): FamilyOptions {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(given)) {
    if (ENGINE_KEYS.includes(key)) continue;
    const rule = Object.hasOwn(schema, key) ? schema[key] : undefined;
    const path = `families.${family}.${key}`;
    if (rule === undefined) {
      const known = [...ENGINE_KEYS, ...Object.keys(schema)].join(', ');
      throw new ConfigError(path, value, `one of the options of the ${family} family (${known})`);
    }
    out[key] = check(path, rule, value);
  }
  for (const [key, rule] of Object.entries(schema)) if (!(key in out) && rule.default !== undefined) out[key] = rule.default;
  return Object.freeze(out);
}

function check(path: string, rule: OptionRule, value: unknown): unknown {
  switch (rule.type) {
    case 'boolean':
      if (typeof value !== 'boolean') throw new ConfigError(path, value, 'true or false');
      return value;
    case 'integer':
    case 'number':
      return numberIn(path, rule.type, rule.min, rule.max, value);
    case 'string':
      if (typeof value !== 'string' || (rule.values !== undefined && !rule.values.includes(value))) {
        throw new ConfigError(path, value, rule.values === undefined ? 'a string' : `one of ${rule.values.join(', ')}`);
      }
      return value;
    case 'integer[]':
      return list(path, value, rule.maxItems, (v, i) => numberIn(`${path}[${i}]`, 'integer', rule.min, rule.max, v));
    default:
      return list(path, value, rule.maxItems, (v, i) => {
        if (typeof v !== 'string') throw new ConfigError(`${path}[${i}]`, v, 'a string');
        return v;
      });
  }
}

function numberIn(path: string, type: 'integer' | 'number', min: number | undefined, max: number | undefined, value: unknown): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && (type === 'number' || Number.isInteger(value));
  if (!ok || (min !== undefined && value < min) || (max !== undefined && value > max)) {
    const range = min !== undefined && max !== undefined ? ` from ${min} to ${max}` : min !== undefined ? ` of at least ${min}` : max !== undefined ? ` of at most ${max}` : '';
    throw new ConfigError(path, value, `${type === 'integer' ? 'an integer' : 'a finite number'}${range}`);
  }
  return value;
}

function list<T>(path: string, value: unknown, maxItems: number | undefined, each: (v: unknown, i: number) => T): readonly T[] {
  if (!Array.isArray(value)) throw new ConfigError(path, value, 'an array');
  if (maxItems !== undefined && value.length > maxItems) throw new ConfigError(path, value, `an array of at most ${maxItems} items`);
  return Object.freeze(value.map(each));
}
