import { ConfigError } from '../errors/taxonomy.js';
import type { PriorityMatch } from './kernel-sampling.js';
import type { SamplingStrategy } from './sampler.js';

/** Keep every event (no sampling; counts still kept). */
export interface AllSamplingConfig {
  /** The strategy. */
  readonly strategy: 'all';
}

/** Uniform 1-in-N ({@link uniformSampler}). */
export interface UniformSamplingConfig {
  /** The strategy. */
  readonly strategy: 'uniform';
  /** Keep one event in `every`, an integer ≥ 1. */
  readonly every: number;
  /** `counter` (deterministic) or `random`. @default 'counter' */
  readonly mode?: 'counter' | 'random';
  /** Seed for `random` mode (reproducible runs). @default unseeded (Math.random) */
  readonly seed?: number;
}

/** Adaptive, holding a target rate ({@link adaptiveSampler}). */
export interface AdaptiveSamplingConfig {
  /** The strategy. */
  readonly strategy: 'adaptive';
  /** Kept events per second, > 0. */
  readonly targetPerSecond: number;
  /** Rate-measuring window, ms. @default 1000 */
  readonly windowMs?: number;
  /** Weight of the newest window in the rate estimate, in (0, 1]. @default 0.7 */
  readonly smoothing?: number;
  /** `counter` (even spacing) or `random`. @default 'counter' */
  readonly mode?: 'counter' | 'random';
  /** Seed for `random` mode. @default unseeded */
  readonly seed?: number;
}

/** Exactly `size` per window ({@link reservoirSampler}). */
export interface ReservoirSamplingConfig {
  /** The strategy. */
  readonly strategy: 'reservoir';
  /** Events kept per window, an integer ≥ 1. */
  readonly size: number;
  /** Window length in event time, ms, > 0. */
  readonly windowMs: number;
  /** Seed (reproducible picks). @default unseeded */
  readonly seed?: number;
}

/** Tail-based with a fixed threshold ({@link tailSampler}). */
export interface TailThresholdSamplingConfig {
  /** The strategy. */
  readonly strategy: 'tail';
  /** Keep events whose value (latency, in the family's unit) is ≥ this. */
  readonly threshold: number;
}

/** Tail-based over a sliding-window percentile ({@link tailSampler}). */
export interface TailPercentileSamplingConfig {
  /** The strategy. */
  readonly strategy: 'tail';
  /** Keep events at or above this percentile of the window, 0 < p < 100. */
  readonly percentile: number;
  /** Sliding window, ms of event time. @default 10000 */
  readonly windowMs?: number;
  /** Memory bound of the window, values. @default 1024 */
  readonly maxWindowEvents?: number;
  /** Keep all until the window holds this many values. @default 100 */
  readonly minWindowEvents?: number;
}

/** A token-bucket rate limit ({@link tokenBucket}). */
export interface TokenBucketSamplingConfig {
  /** The strategy. */
  readonly strategy: 'token-bucket';
  /** Events per second let through in the long run, > 0. */
  readonly ratePerSecond: number;
  /** Most events let through at once, ≥ 1. */
  readonly burst: number;
}

/**
 * Priority classes, each lower class sampled by its own inner strategy ({@link prioritySampler}).
 * Two forms: a `classify` function with `high` class names (user space only), or a
 * declarative `match` of high processes, cgroups and event kinds, which a family's kernel
 * decision can apply too (see {@link splitSamplingForKernel}); with `match`, every other
 * event goes through `otherwise`.
 */
export interface PrioritySamplingConfig<E = unknown> {
  /** The strategy. */
  readonly strategy: 'priority';
  /** Gives each event its class (with `high`; not with `match`). */
  readonly classify?: (event: E) => string;
  /** Classes never sampled away (with `classify`). */
  readonly high?: readonly string[];
  /** High events, declared: every event of these processes, cgroups or kinds is kept, weight 1 (instead of `classify` and `high`). */
  readonly match?: PriorityMatch;
  /** Inner strategy per named lower class. */
  readonly classes?: Readonly<Record<string, SamplingConfig<E>>>;
  /** Inner strategy of every other lower class (one sampler per class). @default `{ strategy: 'all' }` */
  readonly otherwise?: SamplingConfig<E>;
  /** Most lower classes with a sampler of their own. @default 1024 */
  readonly maxClasses?: number;
}

/**
 * The sampling setting a family takes, e.g. `{ strategy: 'uniform', every: 10 }`.
 * Check one from outside with {@link validateSamplingConfig}; build it with
 * {@link createSamplingController}, which can change it at run time.
 */
export type SamplingConfig<E = unknown> =
  | AllSamplingConfig
  | UniformSamplingConfig
  | AdaptiveSamplingConfig
  | ReservoirSamplingConfig
  | TailThresholdSamplingConfig
  | TailPercentileSamplingConfig
  | TokenBucketSamplingConfig
  | PrioritySamplingConfig<E>;

type Check = (value: unknown, path: string) => void;
const STRATEGIES: readonly SamplingStrategy[] = ['all', 'uniform', 'adaptive', 'reservoir', 'tail', 'priority', 'token-bucket'];

const positive: Check = (v, p) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new ConfigError(p, v, 'a finite number > 0');
};
const integerAtLeast1: Check = (v, p) => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ConfigError(p, v, 'an integer ≥ 1');
};
const finite: Check = (v, p) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(p, v, 'a finite number');
};
const seed: Check = (v, p) => {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ConfigError(p, v, 'an integer seed');
};
const mode: Check = (v, p) => {
  if (v !== 'counter' && v !== 'random') throw new ConfigError(p, v, '"counter" or "random"');
};
const fraction: Check = (v, p) => {
  if (typeof v !== 'number' || !(v > 0 && v <= 1)) throw new ConfigError(p, v, 'a number in (0, 1]');
};
const percent: Check = (v, p) => {
  if (typeof v !== 'number' || !(v > 0 && v < 100)) throw new ConfigError(p, v, 'a percentile between 0 and 100 (exclusive)');
};
const burst: Check = (v, p) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 1) throw new ConfigError(p, v, 'a finite number ≥ 1');
};
const fn: Check = (v, p) => {
  if (typeof v !== 'function') throw new ConfigError(p, typeof v, 'a function (event) => class name');
};
const names: Check = (v, p) => {
  if (!Array.isArray(v)) throw new ConfigError(p, v, 'an array of class names');
  v.forEach((c, i) => {
    if (typeof c !== 'string') throw new ConfigError(`${p}[${i}]`, c, 'a class name (string)');
  });
};

const ids = (what: string, ok: (x: unknown) => boolean): Check => (v, p) => {
  if (!Array.isArray(v)) throw new ConfigError(p, v, `an array of ${what}`);
  v.forEach((x, i) => {
    if (!ok(x)) throw new ConfigError(`${p}[${i}]`, x, what);
  });
};
const MATCH: Record<string, Check> = {
  pids: ids('process ids (integers ≥ 0)', (x) => Number.isSafeInteger(x) && (x as number) >= 0),
  cgroups: ids('cgroup v2 ids (integers ≥ 0, number or bigint)', (x) => (typeof x === 'bigint' && x >= 0n) || (Number.isSafeInteger(x) && (x as number) >= 0)),
  kinds: ids('event kinds (strings or integers ≥ 0)', (x) => typeof x === 'string' || (Number.isSafeInteger(x) && (x as number) >= 0)),
};
const priorityMatch: Check = (v, p) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(p, v, 'an object { pids?, cgroups?, kinds? }');
  for (const [key, x] of Object.entries(v)) {
    const check = MATCH[key];
    if (check === undefined) throw new ConfigError(`${p}.${key}`, x, 'no such field of a priority match (known: pids, cgroups, kinds)');
    if (x !== undefined) check(x, `${p}.${key}`);
  }
};

/** Per strategy: required fields, optional fields. */
const FIELDS: Record<SamplingStrategy, [Record<string, Check>, Record<string, Check>]> = {
  all: [{}, {}],
  uniform: [{ every: integerAtLeast1 }, { mode, seed }],
  adaptive: [{ targetPerSecond: positive }, { windowMs: positive, smoothing: fraction, mode, seed }],
  reservoir: [{ size: integerAtLeast1, windowMs: positive }, { seed }],
  tail: [{}, { threshold: finite, percentile: percent, windowMs: positive, maxWindowEvents: integerAtLeast1, minWindowEvents: integerAtLeast1 }],
  'token-bucket': [{ ratePerSecond: positive, burst }, {}],
  priority: [{}, { classify: fn, high: names, match: priorityMatch, classes: () => {}, otherwise: () => {}, maxClasses: integerAtLeast1 }],
};

/**
 * Checks a sampling setting given from outside (a config file, a run-time change).
 *
 * @param value - the setting
 * @param path - where it sits in the whole config, for the error, e.g. `families.syscall.sampling`
 * @returns the same value, typed
 * @throws {@link ConfigError} naming the path of the first bad or unknown field, the value and what is allowed
 */
export function validateSamplingConfig<E = unknown>(value: unknown, path = 'sampling'): SamplingConfig<E> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(path, value, 'an object with a "strategy" field');
  const o = value as Record<string, unknown>;
  const strategy = o['strategy'];
  if (typeof strategy !== 'string' || !(STRATEGIES as readonly string[]).includes(strategy)) {
    throw new ConfigError(`${path}.strategy`, strategy, STRATEGIES.map((s) => `"${s}"`).join(', '));
  }
  const [required, optional] = FIELDS[strategy as SamplingStrategy];
  for (const [key, check] of Object.entries(required)) check(o[key], `${path}.${key}`);
  for (const [key, v] of Object.entries(o)) {
    if (key === 'strategy' || key in required) continue;
    const check = optional[key];
    if (check === undefined) {
      const known = ['strategy', ...Object.keys(required), ...Object.keys(optional)].join(', ');
      throw new ConfigError(`${path}.${key}`, v, `no such field for strategy "${strategy}" (known: ${known})`);
    }
    if (v !== undefined) check(v, `${path}.${key}`);
  }
  if (strategy === 'tail') validateTail(o, path);
  if (strategy === 'priority') validatePriority(o, path);
  return value as SamplingConfig<E>;
}

function validateTail(o: Record<string, unknown>, path: string): void {
  const hasThreshold = o['threshold'] !== undefined;
  const hasPercentile = o['percentile'] !== undefined;
  if (hasThreshold === hasPercentile) {
    throw new ConfigError(`${path}.threshold`, o['threshold'], 'exactly one of "threshold" (fixed) or "percentile" (sliding window)');
  }
  if (hasThreshold) {
    for (const key of ['windowMs', 'maxWindowEvents', 'minWindowEvents']) {
      if (o[key] !== undefined) throw new ConfigError(`${path}.${key}`, o[key], 'nothing: it applies to percentile mode only');
    }
  }
}

function validatePriority(o: Record<string, unknown>, path: string): void {
  if (o['match'] !== undefined) {
    for (const key of ['classify', 'high', 'classes']) {
      if (o[key] !== undefined) throw new ConfigError(`${path}.${key}`, o[key], 'nothing: with "match" the high events are declared, every other event goes through "otherwise"');
    }
  } else {
    if (o['classify'] === undefined) throw new ConfigError(`${path}.classify`, undefined, 'a function (event) => class name with "high", or a declarative "match" instead');
    if (o['high'] === undefined) throw new ConfigError(`${path}.high`, undefined, 'an array of class names');
  }
  const high = (o['high'] ?? []) as string[];
  const classes = o['classes'];
  if (classes !== undefined) {
    if (typeof classes !== 'object' || classes === null || Array.isArray(classes)) {
      throw new ConfigError(`${path}.classes`, classes, 'an object of class name → sampling setting');
    }
    for (const [cls, inner] of Object.entries(classes)) {
      if (high.includes(cls)) throw new ConfigError(`${path}.classes.${cls}`, inner, `nothing: "${cls}" is a high class and is never sampled`);
      validateSamplingConfig(inner, `${path}.classes.${cls}`);
    }
  }
  if (o['otherwise'] !== undefined) validateSamplingConfig(o['otherwise'], `${path}.otherwise`);
}
