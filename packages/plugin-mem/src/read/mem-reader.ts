import { isBpfscopeError, type BpfscopeError, type Clock, type KeptFiles, type ProcfsReader } from '@bpfscope/core';
import type { ResolvedMemOptions } from '../options.js';
import type { VmstatCounts } from '../procfs/parse-vmstat.js';
import { readMeminfo, readVmstatCounts } from '../procfs/read-mem-proc.js';
import type { CgroupMemory, MemField, MemMetrics, SystemMemory } from '../records.js';
import type { CgroupListing } from '../cgroup/list-memory-cgroups.js';
import { readCgroupEntries } from './cgroup-entries.js';
import { FaultRanking, type FaultRows } from './fault-ranking.js';
import { MemPredictions } from './mem-predictions.js';
import { swapMemory, systemMemory, vmstatCounters } from './system-memory.js';

/** The process faults of a reading: its rows, the error that stopped their read, or nothing read (option `processes: false`). @internal */
export type FaultsResult = { rows: FaultRows; error: null } | { rows: null; error: BpfscopeError } | { rows: null; error: null };

/** Why `processes` is empty and `processCount` null with the option off. @internal */
export const PROCESSES_OFF = 'per-process faults are not read: they are opt-in (option processes: true)';

type Parts = Pick<MemMetrics, 'errors' | 'unavailable'>;

/** The kernel's count of changes to the cgroup hierarchies, and when the last happened (ns on {@link CgroupChangeCounter.nowNs}'s clock; 0n: none). @internal */
export interface CgroupChanges {
  count: number;
  lastNs: bigint;
}

/** Where the changes to the cgroup hierarchies are counted (the mem eBPF source's programs). @internal */
export interface CgroupChangeCounter {
  /** The count and the last change's time, or null when it cannot be read now (that reading walks). */
  read(): CgroupChanges | null;
  /** Now, on the clock of `lastNs` (the kernel's CLOCK_MONOTONIC). */
  nowNs(): bigint;
}

/**
 * A walk is reused only when it began this long after the last change: cgroup_mkdir fires
 * just before the kernel makes the new directory visible, in the same critical section
 * (microseconds, unless its writer waits for a lock), so a walk begun right after it may
 * miss the directory.
 */
const SETTLE_NS = 50_000_000n;

/** ... and for this long at most: should a directory still have been made visible later than that, a walk this old is made again. */
const MAX_REUSE_NS = 30_000_000_000n;

// A part whose input is missing is unavailable (with the reason); one whose input is
// malformed is recorded with its taxonomy error; anything else is a bug and propagates.
function attempt<T>(parts: Parts, field: MemField, read: () => T): T | null {
  try {
    return read();
  } catch (e) {
    if (!isBpfscopeError(e)) throw e;
    if (e.code === 'DATA_UNAVAILABLE') parts.unavailable[field] = e.message;
    else parts.errors[field] = e;
    return null;
  }
}

/**
 * What both sources of the mem family read the same way: /proc/meminfo, /proc/vmstat,
 * the limited memory cgroups, the predictions, and the ranking of process faults.
 * @internal
 */
export class MemReader {
  readonly #predictions: MemPredictions;
  readonly #ranking = new FaultRanking();
  #baselineOomKills: number | null = null;
  #prevVmstat: VmstatCounts | null = null;
  #prevAt: number | null = null;
  /** Wall-clock ms at monotonic 0: samples are timed on the monotonic clock and shown as wall time. */
  #wallOrigin = 0;
  #since = '';
  /** The boot time (ISO), or the reason it is unknown: read once, at start. */
  #boot: { iso: string | null; reason: string | null } = { iso: null, reason: 'not read yet' };
  /** The cgroup hierarchy the last reading found, looked for first by the next (list-memory-cgroups.ts). */
  #hierarchy: 'v1' | 'v2' | undefined;
  /** The cgroup limit files kept open from reading to reading; undefined until the first reading, null once closed. */
  #kept: KeptFiles | null | undefined;
  /** The cgroup directories of the last walk, the change count read before it and when it began (CLOCK_MONOTONIC ns). */
  #listing: { dirs: CgroupListing; count: number; startNs: bigint } | null = null;
  #walks = 0;
  #walksReused = 0;

  /**
   * @param procfs - where procfs and sysfs are read (the engine's `PROCFS_READER`)
   * @param clock - the engine's `CLOCK`
   * @param options - the plugin's options
   * @param changes - the kernel's count of cgroup changes (the eBPF source's), or null: each reading walks the hierarchy
   */
  constructor(
    private readonly procfs: ProcfsReader,
    private readonly clock: Clock,
    private readonly options: ResolvedMemOptions,
    private readonly changes: CgroupChangeCounter | null = null,
  ) {
    this.#predictions = new MemPredictions(options.prediction);
  }

  /** Take the baseline: the time counting starts and the OOM kill count then. */
  start(): void {
    const wall = this.clock.wallMs();
    this.#prevAt = this.#monotonicMs();
    this.#wallOrigin = wall - this.#prevAt;
    this.#since = new Date(wall).toISOString();
    const boot = this.procfs.machineConstants().bootTimeMs;
    this.#boot = boot.value === null ? { iso: null, reason: boot.reason } : { iso: new Date(boot.value).toISOString(), reason: null };
    try {
      this.#prevVmstat = readVmstatCounts(this.procfs);
      this.#baselineOomKills = this.#prevVmstat.oomKill;
    } catch (e) {
      if (!isBpfscopeError(e)) throw e;
      this.#prevVmstat = null; // each reading reports the failure
    }
  }

  #monotonicMs(): number {
    return Number(this.clock.monotonicNs()) / 1e6;
  }

  /** The time counting started (ISO). */
  get since(): string {
    return this.#since;
  }

  /**
   * One reading of everything but the OOM victims and the kernel counters.
   * @param faults - this reading's process faults (unfiltered)
   */
  read(faults: FaultsResult): MemMetrics {
    const errors: MemMetrics['errors'] = {};
    const unavailable: MemMetrics['unavailable'] = {};
    const now = this.#monotonicMs();
    const intervalMs = this.#prevAt === null ? null : now - this.#prevAt;
    this.#prevAt = now;
    const parts: Parts = { errors, unavailable };
    const meminfo = attempt(parts, 'system', () => readMeminfo(this.procfs));
    const system: SystemMemory | null = meminfo === null ? null : systemMemory(meminfo);
    const swap = meminfo === null ? null : swapMemory(meminfo);
    if (meminfo !== null && swap === null) unavailable.swap = '/proc/meminfo has no SwapTotal/SwapFree lines';
    if (errors.system) errors.swap = errors.system;
    if (unavailable.system) unavailable.swap = unavailable.system;
    const vm = attempt(parts, 'vmstat', () => readVmstatCounts(this.procfs));
    const vmstat = vm === null ? null : vmstatCounters(vm, this.#prevVmstat, intervalMs);
    if (vm !== null) this.#prevVmstat = vm;
    const cgroups = this.#cgroups(errors, unavailable);
    const pids = this.options.pids;
    let processes: MemMetrics['processes'] = [];
    let processCount: number | null = null;
    if (faults.error !== null) {
      if (faults.error.code === 'DATA_UNAVAILABLE') unavailable.processes = faults.error.message;
      else errors.processes = faults.error;
    } else if (faults.rows === null) {
      unavailable.processes = PROCESSES_OFF;
    } else {
      const rows = faults.rows;
      processCount = 0;
      const include = pids === null ? undefined : (r: number): boolean => pids.has(rows.pid(r));
      if (include === undefined) processCount = rows.length;
      else for (let r = 0; r < rows.length; r++) if (include(r)) processCount++;
      processes = this.#ranking.rank(rows, intervalMs, this.options.topProcesses, include);
    }
    const predicted = this.#predictions.update((this.#wallOrigin + now) / 1000, system, cgroups);
    if (predicted.error !== null) errors.predictions = predicted.error;
    const predictions = predicted.predictions;
    const sinceBoot = vmstat?.oomKill ?? null;
    if (vmstat !== null && sinceBoot === null) unavailable.oomCounts = '/proc/vmstat has no oom_kill counter (Linux 4.13 or newer has it)';
    if (this.#boot.reason !== null) unavailable.bootTime = this.#boot.reason;
    return {
      countersSince: this.#since,
      bootTime: this.#boot.iso,
      intervalMs: intervalMs === null ? null : Math.round(intervalMs * 1000) / 1000,
      system,
      swap,
      vmstat,
      processes,
      processCount,
      cgroups,
      oom: {
        sinceBoot,
        sinceStart: sinceBoot === null || this.#baselineOomKills === null ? null : sinceBoot - this.#baselineOomKills,
        events: null,
        victims: null,
        victimsEvicted: 0,
      },
      predictions,
      kernel: null,
      fieldSources: {},
      unavailable,
      errors,
    };
  }

  #cgroups(errors: MemMetrics['errors'], unavailable: MemMetrics['unavailable']): CgroupMemory | null {
    if (!this.options.cgroups) {
      unavailable.cgroups = 'cgroups are not read: the mem plugin was created with cgroups: false';
      return null;
    }
    if (this.#kept === undefined) this.#kept = this.procfs.keepSysFiles?.() ?? null;
    // The count is read before the walk: a change after it moves the count the next reading sees.
    const changes = this.changes?.read() ?? null;
    const startNs = changes === null ? 0n : this.changes!.nowNs();
    const last = this.#listing;
    const reuse = changes !== null && last !== null && changes.count === last.count && changes.lastNs + SETTLE_NS <= last.startNs && startNs - last.startNs < MAX_REUSE_NS;
    try {
      const { listing, ...cgroups } = readCgroupEntries(this.procfs, this.#hierarchy, this.#kept, reuse ? last.dirs : null);
      this.#hierarchy = cgroups.hierarchy;
      if (reuse && listing === last.dirs) this.#walksReused++;
      else {
        this.#walks++;
        this.#listing = changes === null ? null : { dirs: listing, count: changes.count, startNs };
      }
      return cgroups;
    } catch (e) {
      this.#listing = null;
      if (!isBpfscopeError(e)) throw e;
      if (e.code === 'DATA_UNAVAILABLE') unavailable.cgroups = e.message;
      else errors.cgroups = e;
      return null;
    } finally {
      // The limit files of cgroups this reading did not reach (removed ones) are closed.
      this.#kept?.sweep();
    }
  }

  /** Close the files kept open; a reading after it (one in flight) reads by path. */
  close(): void {
    this.#kept?.close();
    this.#kept = null;
  }

  /** Counters of the predictor, and how often the cgroup hierarchy was walked and how often a walk was reused (nothing changed since). */
  stats(): Record<string, number> {
    return { ...this.#predictions.stats(), cgroupWalks: this.#walks, cgroupWalksReused: this.#walksReused };
  }
}
