/** Kernel run statistics of one eBPF program (BPF_ENABLE_STATS: `run_cnt`, `run_time_ns`). */
export interface ProgramRunStats {
  /** Program name, e.g. `cpu_switch`. */
  readonly program: string;
  /** Kernel program id. */
  readonly id: number;
  /** Runs the kernel counted while run-time statistics were on (see {@link SourceStats.runStatsEnabled}). */
  readonly runs: number;
  /** Nanoseconds of run time counted in those runs. */
  readonly runTimeNs: number;
  /** `runTimeNs / runs`, or null while no run was counted. */
  readonly nsPerRun: number | null;
  /** Runs the kernel skipped because the program was already running on that CPU. */
  readonly recursionMisses: number;
}

/**
 * The shared per-CPU counters every bpfscope object keeps (`BPFSCOPE_STATS_MAP`,
 * bpf/include/bpfscope_stats.h), summed over the CPUs, since the object was loaded.
 */
export interface KernelCounters {
  /** The object, e.g. `cpu.bpf.o`. */
  readonly object: string;
  /** The stats map, e.g. `cpu_stats`. */
  readonly map: string;
  /** Program runs the programs counted themselves. */
  readonly invocations: number;
  /** Records sent to a ring buffer. */
  readonly eventsSent: number;
  /** Records or map entries lost to a full ring buffer or map. */
  readonly eventsDropped: number;
  /** Records (or tasks, calls: what the object's filter judges) a kernel filter let through. */
  readonly filterHits: number;
  /** Records a kernel filter rejected. */
  readonly filterMisses: number;
  /**
   * Bytes of the records sent to the object's ring buffers: each record's payload (its
   * struct's size, e.g. `struct proc_ev`), without the ring's own 8-byte header per record,
   * so `ringBufferBytes / eventsSent` is the record size when an object sends one kind.
   * Null for an object built before this counter (a stats map of 5 slots).
   */
  readonly ringBufferBytes: number | null;
  /**
   * What this load of the object serves, when a source loads one object twice with
   * different programs (each load has maps of its own): proc's `table` (the task iterator)
   * and `events` (the fork/exec/exit hooks, while an event stream is open). Absent when the
   * source loads the object once.
   */
  readonly role?: string;
}

/**
 * What a source's `stats()` returns, one shape for every source: a fallback source has
 * no programs and no kernel counters, only its own `counters`.
 */
export interface SourceStats {
  /** Every program of the source's objects, with the kernel's run counts. */
  readonly programs: readonly ProgramRunStats[];
  /**
   * Whether the source holds kernel run-time counting on (config `programStats`). When
   * false, `runs` stay 0 unless something else (another process, the sysctl
   * `kernel.bpf_stats_enabled`) turned counting on.
   */
  readonly runStatsEnabled: boolean;
  /** Each object's shared per-CPU counters. */
  readonly kernelCounters: readonly KernelCounters[];
  /** The source's own figures (decoded tasks, events received, ...), named by the source. */
  readonly counters: Readonly<Record<string, number>>;
}

/** What a caller of `Source.stats()` needs of it. */
export interface SourceStatsOptions {
  /**
   * false: `programs` may be left empty. Reading each program's run counts is one kernel
   * call per program; the overhead governor's windows judged on invocations use only the
   * kernel counters, and ask for them alone. @default true
   */
  readonly programs?: boolean;
}

/** The statistics of a source that reports none of its own. */
export const EMPTY_SOURCE_STATS: SourceStats = Object.freeze({
  programs: Object.freeze([]),
  runStatsEnabled: false,
  kernelCounters: Object.freeze([]),
  counters: Object.freeze({}),
});

/**
 * The last whole statistics of a source, kept for after it closes (its last counts stay
 * readable). Figures asked for without their programs are given out but not kept.
 *
 * @example
 * ```ts
 * readonly #kept = new KeptSourceStats();
 * stats(options?: SourceStatsOptions): SourceStats {
 *   if (!this.#running) return this.#kept.last;
 *   return this.#kept.keep(this.#read(options), options);
 * }
 * ```
 */
export class KeptSourceStats {
  #last: SourceStats = EMPTY_SOURCE_STATS;

  /** The last whole figures kept; empty before any. */
  get last(): SourceStats {
    return this.#last;
  }

  /**
   * @param stats - figures just read
   * @param options - what they were read with: unless `programs` is false, they are kept
   * @returns `stats`
   */
  keep(stats: SourceStats, options?: SourceStatsOptions): SourceStats {
    if (options?.programs !== false) this.#last = stats;
    return stats;
  }
}
