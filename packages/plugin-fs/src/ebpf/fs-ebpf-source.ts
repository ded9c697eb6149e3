import { awaitOrAbort, Closed, type EventStream, type FamilyFilter, type FilterPart, type PushdownResult, type ReadContext, type Source, type SourceContext, type SourceEventOptions, type SourceStats, type SourceStatsOptions } from '@bpfscope/core';
import type { ResolvedFsOptions } from '../options.js';
import type { FsField, FsKernelStats, FsMetrics } from '../records.js';
import type { FsEvent } from '../records-events.js';
import type { FsServices } from '../services.js';
import type { FsSideReads } from '../side-reads.js';
import { PROCESS_FSYNCS, PROCESS_OPENS } from '../procfs/fallback-reasons.js';
import { readProcessesInto } from '../procfs/read-processes.js';
import { BlockPart } from './block/block-part.js';
import { composePushdown } from './compose-pushdown.js';
import { mergedEventStream, type PartFeed } from './fs-events.js';
import type { FilesReading, FsKernelPart } from './kernel-part.js';

/** Why the eBPF source's devices carry no time totals. */
const DEVICE_TIME = 'the eBPF source times each request: the latency histograms\' sums are the time spent reading and writing since it started; the busy time (io_ticks) is a /proc/diskstats figure, which the fallback reads';

/** Why files are empty without a file part. */
function withoutFilePart(options: ResolvedFsOptions): Partial<Record<FsField, string>> {
  const notLoaded = 'the file part (bpf/fs_file.bpf.o) is not loaded by this source';
  return {
    files: options.files ? notLoaded : 'off: the fs option `files: true` counts operations per file (it adds work to every read, write, open, close and fsync system call)',
  };
}

/** The parts of a filter a kernel part's records can be judged by. */
const BLOCK_CONCERNS = (p: FilterPart): boolean => p === 'devices';

/**
 * The eBPF source of the fs family, composed of kernel parts with an object each: the
 * block-device part (`bpf/fs_block.bpf.o`: devices, their latency histograms and slow-io
 * events) always, and the file part (`bpf/fs_file.bpf.o`: processes, files and open events)
 * when given. Mounts come from statfs and /proc/self/mountinfo (`side`, marked `procfs`),
 * read the same way as the fallback reads them.
 * @internal
 */
export class FsEbpfSource implements Source<FsMetrics> {
  readonly kind = 'ebpf' as const;
  readonly name = 'fs-ebpf';
  readonly #block: BlockPart;
  readonly #parts: ReadonlyArray<FsKernelPart<unknown>>;
  #open = false;
  #since = '';
  /** Monotonic ms of the previous reading. */
  #prevAtMs: number | null = null;
  /** The filter set last, judged on the processes read from procfs (no file part) before their cut. */
  #filter: FamilyFilter = {};

  /**
   * @param options - the family's checked options
   * @param services - the engine's loader, procfs reader and clock
   * @param side - mounts and device names, read as the fallback reads them
   * @param filePart - the file part, or null when neither processes nor files are counted in the kernel
   */
  constructor(
    private readonly options: ResolvedFsOptions,
    private readonly services: FsServices,
    private readonly side: FsSideReads,
    private readonly filePart: FsKernelPart<FilesReading> | null,
  ) {
    this.#block = new BlockPart(options, services, side);
    this.#parts = filePart === null ? [this.#block] : [this.#block, filePart];
  }

  async init(context: SourceContext): Promise<void> {
    try {
      for (const part of this.#parts) await part.init(context);
    } catch (e) {
      await this.close();
      throw e;
    }
    this.#open = true;
    this.#since = new Date(this.services.clock.wallMs()).toISOString();
    this.#prevAtMs = null;
  }

  async read(context: ReadContext): Promise<FsMetrics> {
    if (!this.#open) throw new Closed('the fs-ebpf source (not initialised, or closed)');
    const clock = this.services.clock;
    const now = clock.wallMs();
    const atMs = Number(clock.monotonicNs()) / 1e6;
    const [devices, files, mounts] = await awaitOrAbort(
      Promise.all([this.#block.read(now), this.filePart === null ? null : this.filePart.read(now), this.side.mounts()]),
      context.signal,
    );
    const m: FsMetrics = {
      countersSince: this.#since,
      intervalMs: this.#prevAtMs === null ? null : Math.round((atMs - this.#prevAtMs) * 1000) / 1000,
      files: files?.files ?? [],
      fileCount: files?.fileCount ?? 0,
      filesLeftOut: files?.filesLeftOut ?? 0,
      processes: files?.processes ?? [],
      devices: devices.devices,
      mounts: mounts.mounts,
      kernel: this.#kernel(),
      skippedLines: mounts.skippedLines > 0 ? { mountinfo: mounts.skippedLines } : {},
      skippedMounts: mounts.skippedMounts,
      fieldSources: { mounts: 'procfs' },
      unavailable: { ...(files?.unavailable ?? withoutFilePart(this.options)), ...devices.unavailable, 'devices.time': DEVICE_TIME },
      errors: mounts.error === null ? {} : { mounts: mounts.error },
    };
    // Processes not counted in the kernel: their I/O over their lives from /proc/<pid>/io, as the fallback reads it.
    if (files === null || !this.options.processes) {
      delete m.unavailable.processes;
      m.unavailable['processes.opens'] = PROCESS_OPENS;
      m.unavailable['processes.fsyncs'] = PROCESS_FSYNCS;
      m.fieldSources.processes = 'procfs';
      readProcessesInto(m, this.services.procfs, this.options, this.#filter);
    }
    this.#prevAtMs = atMs;
    return m;
  }

  #kernel(): FsKernelStats {
    const sum: FsKernelStats = { invocations: 0, events: 0, drops: 0, delivered: 0, mapFull: 0 };
    for (const part of this.#parts) {
      const k = part.kernel();
      sum.invocations += k.invocations;
      sum.events += k.events;
      sum.drops += k.drops;
      sum.delivered += k.delivered;
      sum.mapFull += k.mapFull;
    }
    return sum;
  }

  /**
   * Apply a filter in the kernel at run time (filter maps, no reload): `devices` in the block
   * part; pids, cgroups, path prefixes and operation kinds in the file part when it is loaded
   * (as far as it takes them). A part is pushed down when every kernel part whose records it
   * concerns applied it; the engine applies the rest in user space.
   * @param filter - the whole filter ({} clears the pushed part)
   * @returns the parts applied in the kernel and the rest
   */
  async pushdown(filter: FamilyFilter): Promise<PushdownResult> {
    if (!this.#open) throw new Closed('the fs-ebpf source (not initialised, or closed)');
    this.#filter = filter;
    const block = await this.#block.pushdown(filter);
    const parts = [{ pushed: block, concerns: BLOCK_CONCERNS }];
    if (this.filePart !== null) {
      const files = this.options.files;
      // Without per-file records, nothing the file part reports has a device.
      parts.push({ pushed: await this.filePart.pushdown(filter), concerns: (p) => files || p !== 'devices' });
    }
    return composePushdown(filter, parts);
  }

  /**
   * The family's events: `slow-io` from the block part, `open` from the file part (watched
   * paths), in one stream. Option `types`: the kinds to keep (default both); a part none of
   * whose kinds is wanted is not started.
   * @param options - signal, queue, and `types`
   * @returns the stream
   * @throws {@link @bpfscope/core!ConfigError} for a bad `types`
   */
  events(options: SourceEventOptions): EventStream<FsEvent> {
    if (!this.#open) throw new Closed('the fs-ebpf source (not initialised, or closed)');
    const feeds: PartFeed[] = [{ kinds: ['slow-io'], start: (push, fail) => this.#block.startEvents(push, fail) }];
    const file = this.filePart;
    if (file !== null) feeds.push({ kinds: ['open'], start: (push, fail) => file.startEvents(push, fail) });
    return mergedEventStream(feeds, options);
  }

  stats(options?: SourceStatsOptions): SourceStats {
    const all = this.#parts.map((p) => [p.name, p.stats(options)] as const);
    const counters: Record<string, number> = {};
    for (const [name, s] of all) for (const [k, v] of Object.entries(s.counters)) counters[`${name}.${k}`] = v;
    return {
      programs: all.flatMap(([, s]) => s.programs),
      runStatsEnabled: all.some(([, s]) => s.runStatsEnabled),
      kernelCounters: all.flatMap(([, s]) => s.kernelCounters),
      counters,
    };
  }

  detached(): string | null {
    for (const part of this.#parts) {
      const why = part.detached();
      if (why !== null) return why;
    }
    return null;
  }

  async close(): Promise<void> {
    this.#open = false;
    for (const part of this.#parts) await part.close();
  }
}
