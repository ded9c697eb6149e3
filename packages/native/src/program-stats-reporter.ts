import type { BpfObject } from './bpf-object.js';
import { enableRunStats, type RunStatsHandle } from './run-stats.js';

/**
 * Per-program run statistics for a plugin's eBPF source: turns kernel run-time
 * counting on while the source runs (when asked to) and flattens the counts into the
 * `Record<string, number>` that `Source.stats()` returns, as `<program>.runs` and
 * `<program>.nsPerRun`.
 *
 * @example
 * ```ts
 * #programStats = new ProgramStatsReporter();
 * async init(ctx) { ...; this.#programStats.start(ctx.config.programStats); }
 * stats() { return { ...this.#programStats.read(this.#obj) }; }
 * async close() { this.#programStats.stop(); ... }
 * ```
 */
export class ProgramStatsReporter {
  #handle: RunStatsHandle | null = null;

  /** Start kernel counting when `enabled` (the engine's `programStats` setting). */
  start(enabled: boolean): void {
    if (enabled && !this.#handle) this.#handle = enableRunStats();
  }

  /**
   * The counts of every program of `obj` with at least one counted run.
   * @param obj - the source's loaded object, or null when it has none
   * @returns `<program>.runs` and `<program>.nsPerRun` entries; empty while counting is off
   */
  read(obj: BpfObject | null): Record<string, number> {
    if (!this.#handle || !obj) return {};
    const out: Record<string, number> = {};
    for (const p of obj.programStats()) {
      if (p.runCount === 0) continue;
      out[`${p.name}.runs`] = p.runCount;
      if (p.nsPerRun !== undefined) out[`${p.name}.nsPerRun`] = Math.round(p.nsPerRun * 10) / 10;
    }
    return out;
  }

  /** Stop counting (another holder may keep the kernel counting). */
  stop(): void {
    this.#handle?.close();
    this.#handle = null;
  }
}
