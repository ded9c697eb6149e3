import { EventProcessingFailed } from '@bpfscope/core';
import { OomPredictor, oomKey, type OomPredictorOptions } from '../predict/oom-predictor.js';
import type { CgroupMemory, MemPrediction, SystemMemory } from '../records.js';

/** One reading's predictions, and the samples that could not be used. @internal */
export interface PredictionsUpdate {
  /** Predictions of every key with samples. */
  predictions: MemPrediction[];
  /** The samples of this reading that were invalid (negative or not finite), each named with its values; null when all were valid. */
  error: EventProcessingFailed | null;
}

/**
 * Feeds the system's and each limited cgroup's usage into an {@link OomPredictor} at every
 * reading and returns the predictions. Cgroups that are gone (or no longer limited) are
 * forgotten. A reading in the same clock tick as the previous one adds nothing and is
 * counted as skipped; an invalid sample (negative or non-finite usage or limit) is not
 * skipped silently: it is reported as an error naming the key and its values.
 * @internal
 */
export class MemPredictions {
  readonly #predictor: OomPredictor;
  readonly #cgroupKeys = new Set<string>();
  #skipped = 0;
  #invalid = 0;
  #lastAt = Number.NEGATIVE_INFINITY;

  constructor(options: OomPredictorOptions) {
    this.#predictor = new OomPredictor(options);
  }

  /**
   * Add this reading's samples and predict.
   * @param at - seconds on a monotonic clock
   */
  update(at: number, system: SystemMemory | null, cgroups: CgroupMemory | null): PredictionsUpdate {
    // Two readings within one clock tick: the samples add nothing to the fit.
    const sameTick = !(at > this.#lastAt);
    if (sameTick) this.#skipped++;
    else this.#lastAt = at;
    const out: MemPrediction[] = [];
    const invalid: Array<{ key: string; usage: number; limit: number | null; reason: string }> = [];
    const add = (key: string, usage: number, limit: number | null): void => {
      if (sameTick) return;
      try {
        this.#predictor.add(key, at, usage, limit);
      } catch (e) {
        if (!(e instanceof EventProcessingFailed)) throw e;
        this.#invalid++;
        invalid.push({ key, usage, limit, reason: e.message });
      }
    };
    if (system !== null && system.usedBytes !== null) {
      add(oomKey.system, system.usedBytes, system.totalBytes);
      const p = this.#predictor.predict(oomKey.system);
      if (p) out.push({ key: oomKey.system, target: 'system', path: null, ...p });
    }
    const seen = new Set<string>();
    for (const e of cgroups?.entries ?? []) {
      if (e.usageBytes === null || e.limitBytes === null) continue;
      const key = oomKey.cgroup(e.path);
      seen.add(key);
      this.#cgroupKeys.add(key);
      add(key, e.usageBytes, e.limitBytes);
      const p = this.#predictor.predict(key);
      if (p) out.push({ key, target: 'cgroup', path: e.path, ...p });
    }
    for (const key of this.#cgroupKeys) {
      if (seen.has(key)) continue;
      this.#predictor.delete(key);
      this.#cgroupKeys.delete(key);
    }
    const error =
      invalid.length === 0
        ? null
        : new EventProcessingFailed(`${invalid.length} memory sample(s) could not be used for prediction: ${invalid.map((i) => i.reason).join('; ')}`, {
            details: { invalid },
            remedy: 'The usage or limit read for these keys was negative or not a finite number; check the /proc/meminfo or cgroup files they came from. Their predictions use the earlier samples only.',
          });
    return { predictions: out, error };
  }

  /** Counters of the predictor, readings skipped for a repeated timestamp, and invalid samples. */
  stats(): Record<string, number> {
    const s = this.#predictor.stats();
    return { predictorKeys: s.keys, predictorSamples: s.samplesAdded, predictorRefused: s.samplesRefused, predictorSkipped: this.#skipped, predictorInvalid: this.#invalid };
  }
}
