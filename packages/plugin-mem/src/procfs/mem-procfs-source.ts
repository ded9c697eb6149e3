import { DataUnavailable, EMPTY_SOURCE_STATS, isBpfscopeError, type ReadContext, type Source, type SourceContext, type SourceStats } from '@bpfscope/core';
import type { ResolvedMemOptions } from '../options.js';
import { MemReader, type FaultsResult } from '../read/mem-reader.js';
import { totalsRows } from '../read/fault-ranking.js';
import type { MemMetrics } from '../records.js';
import { scanPidFaults } from './scan-pid-faults.js';
import type { mem, MemCollector } from '../plugin.js';
import type { MemServices } from '../services.js';

/** Why the procfs source has no OOM victims. @internal */
export const PROCFS_NO_VICTIMS =
  'procfs keeps no record of who the OOM killer chose: victims (PID, command, cgroup) need the eBPF source (tp_btf/mark_victim). ' +
  'Only the counts are measured here: /proc/vmstat oom_kill, memory.events oom_kill (cgroup v2), memory.oom_control oom_kill (cgroup v1)';

/**
 * The procfs/sysfs fallback of the mem family: /proc/meminfo, /proc/vmstat,
 * /proc/&lt;pid&gt;/stat for per-process faults, the memory cgroup files, and the
 * predictions over them. OOM kills are counts only; victims are reported unavailable.
 */
export class MemProcfsSource implements Source<MemMetrics> {
  readonly kind = 'procfs' as const;
  readonly name = 'mem-procfs';
  #reader: MemReader | null = null;

  /**
   * @param options - the plugin's options, with the family's config applied
   * @param services - the engine's procfs reader and clock (the {@link MemCollector} resolves them from the container)
   * @internal use the {@link mem} plugin factory
   */
  constructor(private readonly options: ResolvedMemOptions, private readonly services: Pick<MemServices, 'procfs' | 'clock'>) {}

  async init(_context: SourceContext): Promise<void> {
    const { procfs, clock } = this.services;
    try {
      procfs.listProc('');
    } catch (cause) {
      throw new DataUnavailable(procfs.procRoot, 'the procfs root cannot be listed', { cause });
    }
    const reader = new MemReader(procfs, clock, this.options);
    reader.start();
    this.#reader = reader;
  }

  async read(_context: ReadContext): Promise<MemMetrics> {
    const reader = this.#reader;
    if (!reader) throw new DataUnavailable('mem-procfs', 'the source is not initialised');
    let faults: FaultsResult = { rows: null, error: null };
    try {
      if (this.options.processes) faults = { rows: totalsRows(scanPidFaults(this.services.procfs, this.options.pids)), error: null };
    } catch (e) {
      if (!isBpfscopeError(e)) throw e;
      faults = { rows: null, error: e };
    }
    const m = reader.read(faults);
    m.unavailable.oomVictims = PROCFS_NO_VICTIMS;
    m.unavailable.kernel = 'kernel-side counters exist only with the eBPF source';
    m.fieldSources = { cgroups: 'sysfs' };
    return m;
  }

  stats(): SourceStats {
    return { ...EMPTY_SOURCE_STATS, counters: this.#reader?.stats() ?? {} };
  }

  async close(): Promise<void> {
    this.#reader?.close();
    this.#reader = null;
  }
}
