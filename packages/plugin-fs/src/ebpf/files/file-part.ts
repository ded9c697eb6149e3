import { awaitOrAbort, Closed, ConfigError, LoadFailed, type EventFeed, type FamilyFilter, type FilterPart, type SourceContext, type SourceStats, type SourceStatsOptions } from '@bpfscope/core';
import { asNativeLoader, kernelCounters, loadNative, ProgramStatsReporter, readStatsCounters, type LoadedBpfObject, type NativeObjectLoader } from '@bpfscope/native';
import type { ResolvedFsOptions } from '../../options.js';
import type { FsField, FsKernelStats } from '../../records.js';
import type { FsEvent } from '../../records-events.js';
import type { FsServices } from '../../services.js';
import type { FilesReading, FsKernelPart } from '../kernel-part.js';
import { listFiles, listProcesses, type PrefixState } from './assemble-files.js';
import { OpenEventFeeds, type ToEpochMs } from './file-events.js';
import { anchorOf, FileFilterMaps, kernelFileFilter, OPEN_FILTER, type Anchor } from './file-filter.js';
import { fileLayouts, type FileLayouts } from './file-layouts.js';
import { FS_CNT, KernelReads } from './read-kernel.js';
import type { KernelFile } from './decode-maps.js';
import { FileRanking, type FileTable } from './top-files.js';

const ms = (x: number): number => Math.round(x * 1000) / 1000;

const FILES_OFF = 'per-file counts are off (option files: false): they add work to every read, write, open, close and fsync call; set files: true to count them';
const PROCESSES_OFF = 'per-process counts in the kernel are off (option processes: false)';
const NO_STORAGE = 'the eBPF source counts the file system calls, not the storage I/O they cause (read_bytes and write_bytes of /proc/<pid>/io)';

/**
 * The fs family's file part: per-process and per-file file I/O counted at the return of the
 * file system calls (`bpf/fs/fs_file.bpf.c`, the `tp_btf` syscall tracepoints), regular files
 * only. Per-process counts (option `processes`, on by default) cost every read, write, open
 * and fsync the resolution of its descriptor; per-file counts (option `files`, off by default)
 * add the file table, its paths and the closes. Each part loads an object of its own (not
 * shared between engines), so its filter and counts are its engine's alone.
 * @internal
 */
export class FilePart implements FsKernelPart<FilesReading> {
  readonly name = 'fs-file';
  readonly #loader: NativeObjectLoader;
  readonly #programStats = new ProgramStatsReporter();
  readonly #toEpochMs: ToEpochMs;
  #handle: LoadedBpfObject | null = null;
  #layouts: FileLayouts | null = null;
  #reads: KernelReads | null = null;
  /** The ranking's arrays, kept from one reading to the next. */
  readonly #ranking = new FileRanking();
  #filter: FileFilterMaps | null = null;
  #prefixes: PrefixState | null = null;
  #watched: Anchor[] = [];
  #watchMissing: string[] = [];
  #batchSize = 100;
  #delivered = 0;
  #counters: Record<string, number> = {};
  #unsettled = 0;
  #feeds: OpenEventFeeds | null = null;
  /** The exit and enter programs loaded: plain loads, or bpf_probe_read_kernel. */
  #programs: [string, string] = ['fs_exit', 'fs_enter'];

  /**
   * @param options - the plugin's checked options
   * @param services - the engine's loader and clock
   * @param programs - `probe-read`: load the programs of kernels without bpf_rdonly_cast even
   *   where it exists (for tests of them) @default 'auto'
   */
  constructor(
    private readonly options: ResolvedFsOptions,
    services: FsServices,
    private readonly programs: 'auto' | 'probe-read' = 'auto',
  ) {
    this.#loader = asNativeLoader(services.loader);
    const offset = services.clock.wallMs() - Number(services.clock.monotonicNs()) / 1e6;
    this.#toEpochMs = (ns) => offset + ns / 1e6;
  }

  async init(context: SourceContext): Promise<void> {
    const o = this.options;
    if (!o.files && !o.processes) throw new ConfigError('fs.processes', false, 'true, or files: true (the file part counts per process or per file)');
    loadNative();
    const handle = await this.#load(context.signal);
    this.#handle = handle;
    const [exit, enter] = this.#programs;
    try {
      const layouts = fileLayouts(handle.structLayouts());
      const recs = handle.object.map('fs_recs');
      for (const [map, n, size] of [[recs, layouts.fileBlock, layouts.file.size], [handle.object.map('fs_fp_recs'), layouts.fileProcBlock, layouts.fileProc.size]] as const) {
        if (map.valueSize !== n * size) throw new LoadFailed(o.fileObjectPath, `${map.name} holds ${map.valueSize}-byte values, not blocks of ${n} records of ${size} bytes`, '', { op: 'read BTF', details: { map: map.name } });
      }
      const table = Math.min(handle.object.map('fs_files').maxEntries, recs.maxEntries * layouts.fileBlock);
      if (o.maxTrackedFiles > table) throw new ConfigError('fs.maxTrackedFiles', o.maxTrackedFiles, `an integer from 1 to ${table} (the file table of ${o.fileObjectPath})`);
      this.#layouts = layouts;
      this.#reads = new KernelReads(handle.object, layouts);
      this.#watched = [];
      this.#watchMissing = [];
      if (o.files) {
        for (const p of o.watchPaths) {
          const a = anchorOf(p);
          if (a === null) this.#watchMissing.push(p);
          else this.#watched.push(a);
        }
      }
      if (this.#watchMissing.length > 0) context.logger.warn(`fs: watched paths that do not exist now are not watched (they are matched by device and inode): ${this.#watchMissing.join(', ')}`);
      this.#filter = new FileFilterMaps(handle.object, layouts, this.#watched);
      this.#filter.set(OPEN_FILTER);
      this.#prefixes = null;
      handle.attach(exit);
      if (o.files) handle.attach(enter);
      if (o.processes) handle.attach('fs_proc_exit');
    } catch (e) {
      await this.close();
      throw e;
    }
    this.#batchSize = context.config.batchSize;
    this.#programStats.start(context.config.programStats);
  }

  /**
   * Load the object with the programs that read inode fields by plain loads (bpf_rdonly_cast,
   * kernels from 6.2), or, where the kernel refuses them, with those that read each field with
   * bpf_probe_read_kernel (slower). Only the programs it attaches: closes are counted with
   * files, exits with processes.
   */
  async #load(signal: AbortSignal): Promise<LoadedBpfObject> {
    const o = this.options;
    const request = (fast: boolean) => ({
      path: o.fileObjectPath,
      constants: { fs_procs_on: o.processes ? 1 : 0, fs_files_on: o.files ? 1 : 0, fs_max_files: BigInt(o.maxTrackedFiles) },
      autoloadOff: [
        ...(fast ? ['fs_exit_pr', 'fs_enter_pr'] : ['fs_exit', 'fs_enter']),
        ...(o.files ? [] : [fast ? 'fs_enter' : 'fs_enter_pr']),
        ...(o.processes ? [] : ['fs_proc_exit']),
      ],
      shared: false,
    });
    const attempt = async (fast: boolean): Promise<LoadedBpfObject> => {
      const loading = this.#loader.load(request(fast));
      return awaitOrAbort(loading, signal, () => void loading.then((h) => h.close(), () => undefined));
    };
    if (this.programs === 'probe-read') {
      const h = await attempt(false);
      this.#programs = ['fs_exit_pr', 'fs_enter_pr'];
      return h;
    }
    try {
      const h = await attempt(true);
      this.#programs = ['fs_exit', 'fs_enter'];
      return h;
    } catch (e) {
      if (!(e instanceof LoadFailed)) throw e;
      const h = await attempt(false);
      this.#programs = ['fs_exit_pr', 'fs_enter_pr'];
      return h;
    }
  }

  async read(_nowMs: number): Promise<FilesReading> {
    const reads = this.#reads;
    if (reads === null) throw new Closed('the fs file part (not initialised, or closed)');
    const o = this.options;
    const t0 = performance.now();
    // Ended processes are read before the table, so their last counts are in this reading.
    const gone = o.processes ? reads.gone() : [];
    const { procs, settled } = o.processes ? await reads.processes() : { procs: [], settled: true };
    const table: FileTable | null = o.files ? reads.files() : null;
    const t1 = performance.now();
    const details = { pathOf: (f: KernelFile) => reads.path(f), processesOf: (listed: readonly KernelFile[]) => reads.fileProcs(listed) };
    const listed = table !== null ? listFiles(table, this.#ranking, details, o, this.#prefixes) : { files: [], fileCount: 0 };
    const processes = o.processes ? listProcesses(procs, o) : [];
    const t2 = performance.now();
    reads.forget(gone);
    const counts = reads.counts();
    const unavailable: Partial<Record<FsField, string>> = {};
    if (!o.files) unavailable.files = FILES_OFF;
    if (!o.processes) unavailable.processes = PROCESSES_OFF;
    else unavailable['processes.storageBytes'] = NO_STORAGE;
    if (o.files && counts[FS_CNT.fileProcFull]! > 0) unavailable['files.topProcesses'] = `the (file, process) table was full: ${counts[FS_CNT.fileProcFull]} operations are in no file's top processes`;
    if (!settled) this.#unsettled++;
    if (o.files && counts[FS_CNT.pathFull]! > 0) unavailable['files.path'] = `the path table was full for ${counts[FS_CNT.pathFull]} files (their paths are unresolved)`;
    // A full process table (more than its 16384 processes with file I/O since the start) leaves
    // operations out of every process's counts: they are in kernel().mapFull and here.
    this.#counters = {
      // Slots of the file table read (files tracked, and any slot handed out but unused).
      files: table?.count ?? 0, processes: procs.length, ended: gone.length,
      processTableFull: counts[FS_CNT.procFull]!,
      // Readings in which other processes' calls kept moving runs into the table over every
      // try: a run moved during the last may count twice or not at all in that reading.
      unsettledReadings: this.#unsettled,
      // Operations on left-out files once the record of them (65536 files) was full too:
      // filesLeftOut is then a lower bound.
      leftOutUncounted: counts[FS_CNT.lostFull]!,
      // Where a reading's time goes: the map reads, and the listing (decoding included).
      readMs: ms(performance.now() - t0), mapsMs: ms(t1 - t0), listMs: ms(t2 - t1),
    };
    return { files: listed.files, fileCount: listed.fileCount, filesLeftOut: counts[FS_CNT.filesLost]!, processes, unavailable };
  }

  /**
   * Apply in the kernel (map writes, no reload) what it can hold of `filter`: pids,
   * excludePids, cgroupIds, excludeCgroupIds, fileOperations, and pathPrefixes (with files
   * on, each prefix resolved now to its directory's device and inode). They count from now on.
   */
  async pushdown(filter: FamilyFilter): Promise<readonly FilterPart[]> {
    const maps = this.#filter;
    const handle = this.#handle;
    if (maps === null || handle === null) throw new Closed('the fs file part (not initialised, or closed)');
    const bounds = { ids: handle.object.map('fs_pids').maxEntries, anchors: handle.object.map('fs_anchors').maxEntries };
    const { kernel, pushed } = kernelFileFilter(filter, this.options.files, bounds, this.#watched.length);
    maps.set(kernel);
    this.#prefixes = pushed.includes('pathPrefixes') ? { prefixes: filter.pathPrefixes!, gen: maps.generation } : null;
    return pushed;
  }

  kernel(): FsKernelStats {
    const h = this.#handle;
    if (h === null || this.#reads === null) return { invocations: 0, events: 0, drops: 0, delivered: this.#delivered, mapFull: 0 };
    const s = readStatsCounters(h.object.map('fs_file_stats'));
    const c = this.#reads.counts();
    return {
      invocations: s.invocations,
      events: s.events,
      drops: s.drops,
      delivered: this.#delivered,
      mapFull: c[FS_CNT.lostFull]! + c[FS_CNT.fileProcFull]! + c[FS_CNT.procFull]! + c[FS_CNT.pathFull]!,
    };
  }

  stats(options?: SourceStatsOptions): SourceStats {
    const h = this.#handle;
    return {
      programs: options?.programs === false ? [] : this.#programStats.programs(h?.object ?? null),
      runStatsEnabled: this.#programStats.enabled,
      kernelCounters: h === null ? [] : [kernelCounters(h.object, 'fs_file_stats')],
      counters: { ...this.#counters, watchedPaths: this.#watched.length, watchPathsMissing: this.#watchMissing.length },
    };
  }

  detached(): string | null {
    const gone = this.#handle?.detachedPrograms() ?? [];
    return gone.length === 0 ? null : `programs of ${this.options.fileObjectPath} were detached from outside: ${gone.join(', ')}`;
  }

  startEvents(push: (event: FsEvent) => void, fail: (error: unknown) => void): Promise<EventFeed> | null {
    const handle = this.#handle;
    const layouts = this.#layouts;
    if (handle === null || layouts === null || !this.options.files || this.#watched.length === 0) return null;
    this.#feeds ??= new OpenEventFeeds({ handle, layouts, toEpochMs: this.#toEpochMs, batchSize: this.#batchSize, delivered: (n) => void (this.#delivered += n) });
    return Promise.resolve(this.#feeds.add(push, fail));
  }

  async close(): Promise<void> {
    this.#feeds?.close();
    this.#feeds = null;
    this.#programStats.stop();
    this.#handle?.close();
    this.#handle = null;
    this.#layouts = null;
    this.#reads = null;
    this.#filter = null;
  }
}
