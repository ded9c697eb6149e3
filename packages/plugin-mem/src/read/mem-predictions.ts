import { OomPredictor, oomKey, type OomPredictorOptions } from '../predict/oom-predictor.js';
import type { CgroupMemory, MemPrediction, SystemMemory } from '../records.js';

/**
 * Feeds the system's and each limited cgroup's usage into an {@link OomPredictor} at every
 * reading and returns the predictions. Cgroups that are gone (or no longer limited) are
 * forgotten.
 * @internal
 */
export class MemPredictions {
  readonly #predictor: OomPredictor;
  readonly #cgroupKeys = new Set<string>();
  #skipped = 0;

  constructor(options: OomPredictorOptions) {
    this.#predictor = new OomPredictor(options);
  }

  /**
   * Add this reading's samples and predict.
   * @param at - seconds on a monotonic clock
   */
  update(at: number, system: SystemMemory | null, cgroups: CgroupMemory | null): MemPrediction[] {
    const out: MemPrediction[] = [];
    if (system !== null && system.usedBytes !== null && this.#add(oomKey.system, at, system.usedBytes, system.totalBytes)) {
      const p = this.#predictor.predict(oomKey.system);
      if (p) out.push({ key: oomKey.system, target: 'system', path: null, ...p });
    }
    const seen = new Set<string>();
    for (const e of cgroups?.entries ?? []) {
      if (e.usageBytes === null || e.limitBytes === null) continue;
      const key = oomKey.cgroup(e.path);
      seen.add(key);
      this.#cgroupKeys.add(key);
      if (!this.#add(key, at, e.usageBytes, e.limitBytes)) continue;
      const p = this.#predictor.predict(key);
      if (p) out.push({ key, target: 'cgroup', path: e.path, ...p });
    }
    for (const key of this.#cgroupKeys) {
      if (seen.has(key)) continue;
      this.#predictor.delete(key);
      this.#cgroupKeys.delete(key);
    }
    return out;
  }

  #add(key: string, at: number, usage: number, limit: number): boolean {
    try {
      return this.#predictor.add(key, at, usage, limit);
    } catch {
      // Two readings within one clock tick: the sample adds nothing to the fit.
      this.#skipped++;
      return this.#predictor.predict(key) !== null;
    }
  }

  /** Counters of the predictor, and samples skipped for a repeated timestamp. */
  stats(): Record<string, number> {
    const s = this.#predictor.stats();
    return { predictorKeys: s.keys, predictorSamples: s.samplesAdded, predictorRefused: s.samplesRefused, predictorSkipped: this.#skipped };
  }
}
