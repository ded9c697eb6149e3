import type { KernelCounters, ProgramRunStats, SourceStats, SourceStatsOptions } from '@bpfscope/core';
import { kernelCounters, type BpfObject, type ProgramStatsReporter } from '@bpfscope/native';

const HOOKS = new Set(['proc_fork', 'proc_exec', 'proc_exit']);

/**
 * The proc source's statistics over its two loads of proc.bpf.o: the task iterator's
 * (`table`, always) and the fork/exec/exit hooks' (`events`, while an event stream is
 * open, then the last figures), each with its own maps and so its own shared counters.
 * @internal
 */
export class ProcSourceStats {
  /** Open event streams' objects (handles of one shared load: the same maps). */
  readonly #events = new Set<BpfObject>();
  #lastEvents: { counters: KernelCounters; programs: ProgramRunStats[] } | null = null;

  constructor(private readonly reporter: ProgramStatsReporter) {}

  /** For {@link ProcEventDeps.track}. */
  readonly track = {
    opened: (obj: BpfObject): void => void this.#events.add(obj),
    closed: (obj: BpfObject): void => {
      this.#lastEvents = this.#eventFigures(obj) ?? this.#lastEvents;
      this.#events.delete(obj);
    },
  };

  #eventFigures(obj: BpfObject): { counters: KernelCounters; programs: ProgramRunStats[] } | null {
    try {
      return {
        counters: { ...kernelCounters(obj, 'proc_stats'), role: 'events' },
        programs: this.reporter.programs(obj).filter((p) => HOOKS.has(p.program)),
      };
    } catch {
      return null; // closed meanwhile: keep the last figures
    }
  }

  /** The events load's counters alone (for stats without programs). */
  #eventCounters(obj: BpfObject): KernelCounters | null {
    try {
      return { ...kernelCounters(obj, 'proc_stats'), role: 'events' };
    } catch {
      return null;
    }
  }

  /** The whole SourceStats, from the table object and the events load; `programs: false` leaves the programs out. */
  sourceStats(table: BpfObject, counters: Readonly<Record<string, number>>, options: SourceStatsOptions = {}): SourceStats {
    const withPrograms = options.programs !== false;
    const open = this.#events.values().next().value;
    let events = this.#lastEvents;
    if (open !== undefined && withPrograms) events = this.#lastEvents = this.#eventFigures(open) ?? this.#lastEvents;
    else if (open !== undefined) {
      const c = this.#eventCounters(open);
      if (c !== null) events = { counters: c, programs: [] };
    }
    return {
      programs: withPrograms ? [...this.reporter.programs(table), ...(events?.programs ?? [])] : [],
      runStatsEnabled: this.reporter.enabled,
      kernelCounters: [{ ...kernelCounters(table, 'proc_stats'), role: 'table' }, ...(events ? [events.counters] : [])],
      counters: { ...counters },
    };
  }
}
