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

  /** The events load's figures; with `programs` false, its counters alone. Null when it closed meanwhile. */
  #eventFigures(obj: BpfObject, programs = true): { counters: KernelCounters; programs: ProgramRunStats[] } | null {
    try {
      return {
        counters: { ...kernelCounters(obj, 'proc_stats'), role: 'events' },
        programs: programs ? this.reporter.programs(obj).filter((p) => HOOKS.has(p.program)) : [],
      };
    } catch {
      return null; // closed meanwhile: keep the last figures
    }
  }

  /** The whole SourceStats, from the table object and the events load; `programs: false` leaves the programs out. */
  sourceStats(table: BpfObject, counters: Readonly<Record<string, number>>, options: SourceStatsOptions = {}): SourceStats {
    const withPrograms = options.programs !== false;
    const open = this.#events.values().next().value;
    const fresh = open === undefined ? null : this.#eventFigures(open, withPrograms);
    // Whole figures are kept for after the stream closes.
    if (fresh !== null && withPrograms) this.#lastEvents = fresh;
    const events = fresh ?? this.#lastEvents;
    return {
      programs: withPrograms ? [...this.reporter.programs(table), ...(events?.programs ?? [])] : [],
      runStatsEnabled: this.reporter.enabled,
      kernelCounters: [{ ...kernelCounters(table, 'proc_stats'), role: 'table' }, ...(events ? [events.counters] : [])],
      counters: { ...counters },
    };
  }
}
