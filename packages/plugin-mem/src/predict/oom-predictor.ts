import { ConfigError, EventProcessingFailed } from '@bpfscope/core';
import { predictRing, resolvePredictionOptions, type OomPrediction, type PredictionOptions, type ResolvedPredictionOptions } from './predict-exhaustion.js';

/** Options of an {@link OomPredictor}; every field optional. */
export interface OomPredictorOptions extends PredictionOptions {
  /** Samples kept per key (a ring: the oldest is dropped when it is full). @default 60 */
  capacity?: number;
  /** Keys tracked at most; samples for further keys are refused and counted. @default 10000 */
  maxKeys?: number;
}

/** Counters of an {@link OomPredictor}. */
export interface OomPredictorStats {
  /** Keys tracked now. */
  keys: number;
  /** Samples accepted since creation. */
  samplesAdded: number;
  /** Samples that pushed the oldest one of a full ring out (the window moved, by design). */
  samplesEvicted: number;
  /** Samples refused because `maxKeys` keys were already tracked. */
  samplesRefused: number;
}

/** Conventional key names: the whole system, a cgroup by path, a process by PID. */
export const oomKey = Object.freeze({
  /** The key of the whole system (usage = MemTotal − MemAvailable, limit = MemTotal). */
  system: 'system',
  /**
   * The key of a cgroup.
   * @param path - cgroup path, e.g. `/system.slice`
   * @returns `cgroup:<path>`
   */
  cgroup: (path: string): string => `cgroup:${path}`,
  /**
   * The key of a process.
   * @param pid - process ID
   * @returns `pid:<pid>`
   */
  pid: (pid: number): string => `pid:${pid}`,
});

interface Ring {
  times: Float64Array;
  values: Float64Array;
  start: number;
  count: number;
  limit: number | null;
}

/**
 * Keeps a bounded window of `(timestamp, usage)` samples per key (the system, a cgroup, a
 * process) and predicts, for each, when usage reaches its limit ({@link predictExhaustion}
 * on the window).
 * @example
 * ```ts
 * const predictor = new OomPredictor({ capacity: 60 });
 * predictor.add(oomKey.cgroup('/app'), Date.now() / 1000, current, max);
 * for (const [key, p] of predictor.predictAll()) if (p.level !== 'none') console.log(key, p.level, p.secondsToExhaustion);
 * ```
 */
export class OomPredictor {
  readonly #rings = new Map<string, Ring>();
  readonly #capacity: number;
  readonly #maxKeys: number;
  readonly #options: ResolvedPredictionOptions;
  #added = 0;
  #evicted = 0;
  #refused = 0;

  /**
   * @param options - ring capacity, key cap, minimum samples and R², level thresholds
   * @throws {@link @bpfscope/core!ConfigError} for an invalid option
   */
  constructor(options: OomPredictorOptions = {}) {
    const { capacity = 60, maxKeys = 10_000 } = options;
    if (!Number.isInteger(capacity) || capacity < 2 || capacity > 1_000_000) throw new ConfigError('oom.capacity', capacity, 'an integer from 2 to 1000000');
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new ConfigError('oom.maxKeys', maxKeys, 'an integer >= 1');
    this.#capacity = capacity;
    this.#maxKeys = maxKeys;
    this.#options = resolvePredictionOptions(options);
  }

  /**
   * Record a sample for `key`. Timestamps of a key must increase strictly.
   * @param key - e.g. {@link oomKey}`.cgroup('/app')`
   * @param timestamp - seconds (any origin: Unix time or time since boot, the same for all samples of the key)
   * @param usage - bytes in use
   * @param limit - the key's limit in bytes now, or null for none (the newest limit is used)
   * @returns false when the sample was refused because `maxKeys` keys are tracked (counted in {@link OomPredictor.stats})
   * @throws {@link @bpfscope/core!EventProcessingFailed} for a non-finite or negative value, or a timestamp not after the key's previous one
   */
  add(key: string, timestamp: number, usage: number, limit: number | null): boolean {
    if (!Number.isFinite(timestamp) || !Number.isFinite(usage) || usage < 0 || (limit !== null && !(Number.isFinite(limit) && limit >= 0))) {
      throw new EventProcessingFailed(`OOM sample for ${key} is invalid: timestamp ${timestamp}, usage ${usage}, limit ${limit}`, {
        details: { key, timestamp, usage, limit },
        remedy: 'Pass finite numbers: a timestamp in seconds, usage and limit in bytes (limit null for none).',
      });
    }
    let ring = this.#rings.get(key);
    if (ring === undefined) {
      if (this.#rings.size >= this.#maxKeys) {
        this.#refused++;
        return false;
      }
      ring = { times: new Float64Array(this.#capacity), values: new Float64Array(this.#capacity), start: 0, count: 0, limit };
      this.#rings.set(key, ring);
    } else if (ring.count > 0) {
      const previous = ring.times[(ring.start + ring.count - 1) % this.#capacity] as number;
      if (!(timestamp > previous)) {
        throw new EventProcessingFailed(`OOM sample for ${key} at ${timestamp} is not after the previous one (${previous})`, {
          details: { key, timestamp, previous },
          remedy: 'Give each key samples in time order, with a monotonic clock.',
        });
      }
    }
    const at = (ring.start + ring.count) % this.#capacity;
    ring.times[at] = timestamp;
    ring.values[at] = usage;
    if (ring.count < this.#capacity) ring.count++;
    else {
      ring.start = (ring.start + 1) % this.#capacity;
      this.#evicted++;
    }
    ring.limit = limit;
    this.#added++;
    return true;
  }

  /**
   * The prediction for one key.
   * @param key - the key
   * @returns the prediction, or null for a key without samples
   */
  predict(key: string): OomPrediction | null {
    const r = this.#rings.get(key);
    return r === undefined ? null : predictRing(r.times, r.values, r.start, r.count, r.limit, this.#options);
  }

  /**
   * Predictions for every key.
   * @returns a map from key to prediction, in the order the keys were first seen
   */
  predictAll(): Map<string, OomPrediction> {
    const out = new Map<string, OomPrediction>();
    for (const [key, r] of this.#rings) out.set(key, predictRing(r.times, r.values, r.start, r.count, r.limit, this.#options));
    return out;
  }

  /**
   * Forget a key (a cgroup removed, a process exited).
   * @param key - the key
   * @returns whether the key was tracked
   */
  delete(key: string): boolean {
    return this.#rings.delete(key);
  }

  /** @returns counters of keys and samples */
  stats(): OomPredictorStats {
    return { keys: this.#rings.size, samplesAdded: this.#added, samplesEvicted: this.#evicted, samplesRefused: this.#refused };
  }
}
