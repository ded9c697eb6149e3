import { DataUnavailable, EMPTY_SOURCE_STATS, filterParts, isBpfscopeError, recordPasses, type BpfscopeError, type FamilyFilter, type PushdownResult, type ReadContext, type Source, type SourceContext, type SourceStats } from '@bpfscope/core';
import type { ResolvedFsOptions } from '../options.js';
import type { FsMetrics } from '../records.js';
import type { FsServices } from '../services.js';
import type { FsSideReads } from '../side-reads.js';
import { fileFilterRecord } from '../filter-record.js';
import { FALLBACK_UNAVAILABLE, OPEN_FILES_ONLY } from './fallback-reasons.js';
import { readOpenFiles } from './read-open-files.js';
import { fallbackDevice, readBlockDevices } from './read-devices.js';
import { listPids, readComm, readProcessesInto } from './read-processes.js';

/**
 * The procfs/sysfs fallback of the fs family: block devices from /proc/diskstats (or
 * /sys/block/&lt;dev&gt;/stat) with counters since boot, processes from /proc/&lt;pid&gt;/io
 * (over each process's life), and mounts from the side reader. What procfs cannot count
 * (operations per file, latency histograms, opens and fsyncs) is reported unavailable.
 * @internal
 */
export class FsProcfsSource implements Source<FsMetrics> {
  readonly kind = 'procfs' as const;
  readonly name = 'fs-procfs';
  #since: string | null = null;
  #prevNs: bigint | null = null;
  #reads = 0;
  #filter: FamilyFilter = {};

  /**
   * @param options - the plugin's options, with the family's config applied
   * @param services - the engine's procfs reader and clock
   * @param side - mounts and device names, read as the eBPF source reads them
   */
  constructor(
    private readonly options: ResolvedFsOptions,
    private readonly services: Pick<FsServices, 'procfs' | 'clock'>,
    private readonly side: FsSideReads,
  ) {}

  async init(_context: SourceContext): Promise<void> {
    const read = readBlockDevices(this.services.procfs);
    if (read.error !== null) {
      throw new DataUnavailable('block device counters', `neither /proc/diskstats nor /sys/block could be read (${read.error.message})`, {
        cause: read.error,
        remedy: 'Run with procfs mounted on /proc (or sysfs on /sys), or give the engine the right procRoot and sysRoot.',
      });
    }
    this.#since = new Date(this.services.clock.wallMs()).toISOString();
  }

  async read(_context: ReadContext): Promise<FsMetrics> {
    if (this.#since === null) throw new DataUnavailable('fs-procfs', 'the source is not initialised');
    this.#reads++;
    const { procfs, clock } = this.services;
    const now = clock.monotonicNs();
    const m: FsMetrics = {
      countersSince: this.#since, intervalMs: this.#prevNs === null ? null : Number(now - this.#prevNs) / 1e6,
      files: [], fileCount: 0, filesLeftOut: 0, processes: [], devices: [], mounts: [], kernel: null,
      skippedLines: {}, skippedMounts: {}, fieldSources: {}, unavailable: { ...FALLBACK_UNAVAILABLE }, errors: {},
    };
    this.#prevNs = now;
    const devices = readBlockDevices(procfs);
    if (devices.error !== null) m.errors.devices = devices.error;
    if (devices.source === 'sysfs') m.fieldSources.devices = 'sysfs';
    Object.assign(m.skippedLines, devices.skipped);
    m.devices = devices.devices.map((d) => fallbackDevice(d, devices.source)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    readProcessesInto(m, procfs, this.options, this.#filter);
    if (this.options.files) this.#openFiles(m);
    const mounts = await this.side.mounts();
    m.mounts = mounts.mounts;
    if (mounts.error !== null) m.errors.mounts = mounts.error;
    if (mounts.skippedLines > 0) m.skippedLines['self/mountinfo'] = mounts.skippedLines;
    Object.assign(m.skippedMounts, mounts.skippedMounts);
    return m;
  }

  /** With the `files` option: the regular files held open now, counts null (procfs counts none per file). */
  #openFiles(m: FsMetrics): void {
    const procfs = this.services.procfs;
    let pids: number[];
    try {
      pids = listPids(procfs);
    } catch (e) {
      if (!isBpfscopeError(e)) throw e;
      m.errors.files = e as BpfscopeError;
      return;
    }
    const comm = (pid: number): string | null => readComm(procfs, pid);
    const filter = this.#filter;
    const parts = filterParts(filter);
    const r = readOpenFiles(procfs.procRoot, pids, comm, this.options, parts.length === 0 ? undefined : (f) => recordPasses(filter, parts, fileFilterRecord(f)));
    m.files = r.files;
    m.fileCount = r.fileCount;
    m.unavailable.files = OPEN_FILES_ONLY + (r.unreadable > 0 ? `; the descriptors of ${r.unreadable} process(es) could not be listed (another user's, without CAP_SYS_PTRACE): their files are left out` : '');
  }

  /**
   * Applies nothing in a kernel (it has no programs), so every part stays with the engine's
   * user-space filter; but it judges the processes by the filter before its `topK` cut, so
   * that a process the filter asks for is listed though others did more I/O.
   */
  async pushdown(filter: FamilyFilter): Promise<PushdownResult> {
    this.#filter = filter;
    return { pushedDown: [], notPushed: filterParts(filter) };
  }

  stats(): SourceStats {
    return { ...EMPTY_SOURCE_STATS, counters: { reads: this.#reads } };
  }

  async close(): Promise<void> {
    this.#since = null;
  }
}
