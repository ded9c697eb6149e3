import { ConfigError } from '@bpfscope/core';
import { fitRing, type LinearFit } from './linear-fit.js';

/** How close a key is to running out of memory, from the least to the most urgent. */
export type WarningLevel = 'none' | 'watch' | 'warning' | 'critical';

/** One threshold: the level applies when either condition holds. */
export interface LevelThreshold {
  /** Predicted seconds to exhaustion at or below which the level applies. */
  secondsToExhaustion: number;
  /** Current usage / limit at or above which the level applies (0 to 1). */
  usageFraction: number;
}

/** Thresholds of the three levels above `none`. */
export interface WarningThresholds {
  /** @default \{ secondsToExhaustion: 300, usageFraction: 0.95 \} (5 minutes, 95 %) */
  critical: LevelThreshold;
  /** @default \{ secondsToExhaustion: 1800, usageFraction: 0.85 \} (30 minutes, 85 %) */
  warning: LevelThreshold;
  /** @default \{ secondsToExhaustion: 7200, usageFraction: 0.7 \} (2 hours, 70 %) */
  watch: LevelThreshold;
}

/** The default {@link WarningThresholds}. */
export const DEFAULT_WARNING_THRESHOLDS: Readonly<WarningThresholds> = Object.freeze({
  critical: Object.freeze({ secondsToExhaustion: 300, usageFraction: 0.95 }),
  warning: Object.freeze({ secondsToExhaustion: 1800, usageFraction: 0.85 }),
  watch: Object.freeze({ secondsToExhaustion: 7200, usageFraction: 0.7 }),
});

/** Options of a prediction; every field optional. */
export interface PredictionOptions {
  /** Fewest samples for a time to exhaustion (at least 2). @default 3 */
  minSamples?: number;
  /**
   * Lowest R² for a time to exhaustion: below it the line explains too little of the
   * usage's movement for its extrapolation to mean anything. 0 accepts any fit. @default 0.5
   */
  minRSquared?: number;
  /** Level thresholds; missing levels keep their defaults. */
  thresholds?: Partial<WarningThresholds>;
}

/**
 * How far to trust a prediction. Not a probability: two plain figures of the fit, to be
 * read together (a perfect R² over 3 samples says less than R² 0.95 over 60).
 */
export interface PredictionConfidence {
  /**
   * R² of the least-squares line over the window (see {@link LinearFit.rSquared}): the share
   * of the usage's variance around its mean that a straight line explains, 0 to 1. Null
   * when usage never moved or fewer than 2 samples exist.
   */
  rSquared: number | null;
  /** Number of samples in the window the line was fitted to. */
  samples: number;
}

/** A prediction for one key (the system, a cgroup or a process). */
export interface OomPrediction {
  /** Timestamp of the newest sample (seconds), or null without samples. */
  latestTimestamp: number | null;
  /** Usage at the newest sample (bytes), or null without samples. */
  latestUsage: number | null;
  /** The limit (bytes), or null when there is none. */
  limit: number | null;
  /** latestUsage / limit, or null without a limit or samples. */
  usageFraction: number | null;
  /** The least-squares line through the window, or null with fewer than 2 samples or one timestamp. */
  fit: LinearFit | null;
  /** How far to trust the time: see {@link PredictionConfidence}. */
  confidence: PredictionConfidence;
  /**
   * Seconds from the newest sample until the fitted line reaches the limit (0 when the line
   * is already at or over it); null when the reason below says why not.
   */
  secondsToExhaustion: number | null;
  /** Timestamp at which the fitted line reaches the limit, or null with secondsToExhaustion. */
  exhaustionTime: number | null;
  /** Why secondsToExhaustion is null; null when it is a number. */
  reason: string | null;
  /** The most urgent level whose threshold holds (time to exhaustion or usage fraction). */
  level: WarningLevel;
}

/** Options resolved and checked. @internal */
export interface ResolvedPredictionOptions {
  minSamples: number;
  minRSquared: number;
  thresholds: WarningThresholds;
}

/** @internal */
export function resolvePredictionOptions(options: PredictionOptions = {}): ResolvedPredictionOptions {
  const { minSamples = 3, minRSquared = 0.5 } = options;
  if (!Number.isInteger(minSamples) || minSamples < 2) throw new ConfigError('oom.minSamples', minSamples, 'an integer >= 2');
  if (!(minRSquared >= 0 && minRSquared <= 1)) throw new ConfigError('oom.minRSquared', minRSquared, 'a number from 0 to 1');
  const thresholds = { ...DEFAULT_WARNING_THRESHOLDS, ...options.thresholds };
  for (const level of ['critical', 'warning', 'watch'] as const) {
    const t = thresholds[level];
    if (!(t.secondsToExhaustion >= 0) || !(t.usageFraction >= 0)) throw new ConfigError(`oom.thresholds.${level}`, t, 'secondsToExhaustion >= 0 and usageFraction >= 0');
  }
  return { minSamples, minRSquared, thresholds };
}

/** The prediction over a ring of samples. @internal */
export function predictRing(times: Float64Array, values: Float64Array, start: number, count: number, limit: number | null, o: ResolvedPredictionOptions): OomPrediction {
  const last = count === 0 ? -1 : (start + count - 1) % times.length;
  const latestTimestamp = last < 0 ? null : (times[last] as number);
  const latestUsage = last < 0 ? null : (values[last] as number);
  const usageFraction = limit === null || latestUsage === null || limit <= 0 ? null : latestUsage / limit;
  const fit = fitRing(times, values, start, count);
  let secondsToExhaustion: number | null = null;
  let reason: string | null = null;
  if (limit === null) reason = 'there is no limit to exhaust';
  else if (count < o.minSamples) reason = `${count} sample(s), at least ${o.minSamples} needed`;
  else if (fit === null) reason = 'every sample has the same timestamp: no trend can be fitted';
  else if (fit.slope <= 0) reason = 'usage is not growing (slope <= 0)';
  else if (fit.rSquared === null || fit.rSquared < o.minRSquared) reason = `the fit is too weak to extrapolate (R² ${fit.rSquared} < ${o.minRSquared})`;
  else {
    const crossing = (limit - fit.intercept) / fit.slope;
    secondsToExhaustion = Math.max(0, crossing - (latestTimestamp as number));
  }
  const t = o.thresholds;
  const hits = (th: LevelThreshold): boolean =>
    (secondsToExhaustion !== null && secondsToExhaustion <= th.secondsToExhaustion) || (usageFraction !== null && usageFraction >= th.usageFraction);
  const level: WarningLevel = hits(t.critical) ? 'critical' : hits(t.warning) ? 'warning' : hits(t.watch) ? 'watch' : 'none';
  return {
    latestTimestamp,
    latestUsage,
    limit,
    usageFraction,
    fit,
    confidence: { rSquared: fit?.rSquared ?? null, samples: count },
    secondsToExhaustion,
    exhaustionTime: secondsToExhaustion === null ? null : (latestTimestamp as number) + secondsToExhaustion,
    reason,
    level,
  };
}

/**
 * Predict when memory usage reaches its limit, from a window of samples: fit a
 * least-squares line, extrapolate it to the limit, and grade the urgency.
 * @param samples - `(timestamp in seconds, usage in bytes)` pairs, oldest first
 * @param limit - the limit in bytes (MemTotal for the system, memory.max for a cgroup), or null for none
 * @param options - minimum samples and R², level thresholds
 * @returns the fit, the time to exhaustion (or why there is none), the confidence and the level
 * @throws {@link @bpfscope/core!ConfigError} for invalid options
 * @example
 * ```ts
 * const p = predictExhaustion([{ timestamp: 0, usage: 1000 }, { timestamp: 10, usage: 1040 }, { timestamp: 20, usage: 1080 }], 2000);
 * p.secondsToExhaustion; // 230
 * ```
 */
export function predictExhaustion(samples: ReadonlyArray<{ readonly timestamp: number; readonly usage: number }>, limit: number | null, options?: PredictionOptions): OomPrediction {
  const times = Float64Array.from(samples, (s) => s.timestamp);
  const values = Float64Array.from(samples, (s) => s.usage);
  return predictRing(times, values, 0, samples.length, limit, resolvePredictionOptions(options));
}
