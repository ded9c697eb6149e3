import { basename } from 'node:path';
import type { KernelCounters, ProgramRunStats, SourceStats, SourceStatsOptions } from '@bpfscope/core';
import type { BpfObject } from './bpf-object.js';
import { enableRunStats, type RunStatsHandle } from './run-stats.js';
import { readStatsCounters } from './stats-map.js';

/**
 * The statistics of an eBPF source in the shape of `Source.stats()` (core's `SourceStats`):
 * turns kernel run-time counting on while the source runs (when asked to, config
 * `programStats`), and reads each program's run count and run time and each object's
 * shared per-CPU counters (`BPFSCOPE_STATS_MAP`).
 *
 * @example
 * ```ts
 * #programStats = new ProgramStatsReporter();
 * async init(ctx) { ...; this.#programStats.start(ctx.config.programStats); }
 * stats() { return this.#programStats.sourceStats([{ object: this.#obj, statsMap: 'cpu_stats' }], { tasks }); }
 * async close() { this.#programStats.stop(); ... }
 * ```
 */
export class ProgramStatsReporter {
  #handle: RunStatsHandle | null = null;

  /** Start kernel counting when `enabled` (the engine's `programStats` setting). */
  start(enabled: boolean): void {
    if (enabled && !this.#handle) this.#handle = enableRunStats();
  }

  /** Whether this reporter holds kernel run-time counting on. */
  get enabled(): boolean {
    return this.#handle?.enabled ?? false;
  }

  /**
   * Every loaded program of `obj` with the kernel's run counts (0 while nothing counts).
   * @param obj - a loaded object, or null
   * @returns one entry per loaded program
   */
  programs(obj: BpfObject | null): ProgramRunStats[] {
    if (!obj) return [];
    return obj
      .programStats()
      .filter((p) => p.id !== 0)
      .map((p) => ({
        program: p.name,
        id: p.id,
        runs: p.runCount,
        runTimeNs: p.runTimeNs,
        nsPerRun: p.nsPerRun === undefined ? null : Math.round(p.nsPerRun * 10) / 10,
        recursionMisses: p.recursionMisses,
      }));
  }

  /**
   * The whole `SourceStats` of a source's objects.
   * @param objects - each loaded object (null ones are skipped) with the name of its stats map
   * @param counters - the source's own figures
   * @param options - `programs: false` leaves `programs` empty (no kernel call per program)
   * @returns programs, kernel counters and counters in one shape
   */
  sourceStats(objects: ReadonlyArray<{ object: BpfObject | null; statsMap: string }>, counters: Readonly<Record<string, number>> = {}, options: SourceStatsOptions = {}): SourceStats {
    const live = objects.filter((o): o is { object: BpfObject; statsMap: string } => o.object !== null);
    return {
      programs: options.programs === false ? [] : live.flatMap((o) => this.programs(o.object)),
      runStatsEnabled: this.enabled,
      kernelCounters: live.map((o) => kernelCounters(o.object, o.statsMap)),
      counters: { ...counters },
    };
  }

  /** Stop counting (another holder may keep the kernel counting). */
  stop(): void {
    this.#handle?.close();
    this.#handle = null;
  }
}

/**
 * An object's shared per-CPU counters (its `BPFSCOPE_STATS_MAP`), summed over the CPUs.
 * @param obj - the loaded object
 * @param statsMap - the map's name, e.g. `cpu_stats`
 * @returns the counters named as core's `KernelCounters`
 * @throws {@link @bpfscope/core!MapOperationFailed} when the map is not a stats map or cannot be read
 */
export function kernelCounters(obj: BpfObject, statsMap: string): KernelCounters {
  const c = readStatsCounters(obj.map(statsMap));
  return {
    object: basename(obj.name),
    map: statsMap,
    invocations: c.invocations,
    eventsSent: c.events,
    eventsDropped: c.drops,
    filterHits: c.filterHits,
    filterMisses: c.filterMisses,
    ringBufferBytes: c.ringBytes,
  };
}
