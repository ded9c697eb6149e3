import { readFileSync } from 'node:fs';
import { awaitOrAbort, Closed, KeptSourceStats, type EventStream, type FamilyFilter, type KernelSamplingCounts, type KernelSamplingState, type ObjectLoader, type SamplingConfig, type SamplingPushdownResult, type PushdownResult, type ReadContext, type Source, type SourceContext, type SourceEventOptions, type SourceStats, type SourceStatsOptions } from '@bpfscope/core';
import { asNativeLoader, IteratorTable, loadNative, NativeObjectLoader, ProgramStatsReporter, type BpfObject, type IteratorTableOptions, type LoadedBpfObject } from '@bpfscope/native';
import type { ProcessRecord, ProcMetrics } from '../records.js';
import { applySelection, type ProcessSelection } from '../selection.js';
import { readBootTime } from '../procfs/scan-processes.js';
import { CgroupPathIndex } from './cgroup-paths.js';
import { decodeTaskTable, type TaskDecodeContext } from './decode-tasks.js';
import { MissedProcesses } from './missed-processes.js';
import { readContext } from '../procfs/read-process.js';
import { CommCache, procLayouts, type ProcLayouts } from './layouts.js';
import { procEventStream } from './proc-events.js';
import { ProcKernelSampling } from './proc-sampling.js';
import type { ProcessEvent } from '../tree/events.js';
import { ProcKernelFilter, procFilterLayouts } from './proc-kernel-filter.js';
import { ProcSourceStats } from './proc-source-stats.js';
import { PROC_OBJECT_PATH } from '../object-path.js';

export { PROC_OBJECT_PATH };

/**
 * The eBPF source of the proc family: the whole process table from one run of the
 * kernel's task iterator (`proc_iter`, read off the JavaScript thread), one record per
 * thread summed into its process in a single pass. Only the iterator program is loaded for
 * reads; {@link ProcEbpfSource.events} loads the fork/exec/exit hooks while a stream is open.
 *
 * Boot time (for absolute start times) comes from /proc/stat and cgroup paths from the
 * mounted cgroup v2 hierarchy: both are marked in `fieldSources`. A process /proc lists
 * that the iterator did not reach is read from procfs and counted in `filledFromProcfs`
 * (its record has `source: 'procfs'`).
 *
 * Records are frozen: a process none of whose fields changed since the previous reading
 * is given out as the same record object again (most processes are idle between two
 * readings, so a table costs little garbage). Compare records by value, or by identity
 * to find the ones that did not change.
 */
export class ProcEbpfSource implements Source<ProcMetrics> {
  readonly kind = 'ebpf' as const;
  readonly name = 'proc-ebpf';
  #obj: BpfObject | null = null;
  #handle: LoadedBpfObject | null = null;
  #loader: NativeObjectLoader | null = null;
  #ctx: TaskDecodeContext | null = null;
  #stats: Record<string, number> = {};
  readonly #kept = new KeptSourceStats();
  #loaded = false;
  readonly #programStats = new ProgramStatsReporter();
  readonly #figures = new ProcSourceStats(this.#programStats);
  readonly #sampling: ProcKernelSampling;
  #kfilter: ProcKernelFilter | null = null;
  /** Reads in flight: a filter change frees its old slot only after them. */
  readonly #inFlight = new Set<Promise<unknown>>();
  #missed: MissedProcesses | null = null;
  // The task table, read into one buffer every read reuses (a new 3 MB buffer per read
  // would wait for a GC to be freed), on this thread while it is small.
  #table: IteratorTable | null = null;
  #procRoot = '/proc';
  #batchSize = 100;
  /** Ends the event streams of this source when it closes. */
  #closing = new AbortController();

  /**
   * @param selection - the checked filters and top-K of the plugin
   * @param objectPath - the compiled proc.bpf.o
   * @param tableOptions - where the task table is read: `inlineMaxBytes` (see {@link @bpfscope/native!IteratorTableOptions})
   */
  constructor(
    private readonly selection: ProcessSelection = {},
    private readonly objectPath: string = PROC_OBJECT_PATH,
    private readonly tableOptions: Pick<IteratorTableOptions, 'inlineMaxBytes'> = {},
  ) {
    this.#sampling = new ProcKernelSampling(objectPath);
  }

  /**
   * Load through the engine's object loader ({@link @bpfscope/core!OBJECT_LOADER}); without one the source uses a loader of its own.
   * @internal the collector calls it with the container's loader
   */
  useLoader(loader: ObjectLoader): void {
    this.#loader = asNativeLoader(loader);
  }

  async init(context: SourceContext): Promise<void> {
    loadNative();
    // Only the iterator is loaded. The object is shared with other engines (each handle reads
    // through an iterator link of its own); the only thing written into its maps is each
    // engine's filter slot (ProcKernelFilter), which leaves the other engines' readings whole.
    this.#loader ??= new NativeObjectLoader();
    // The engine's init time limit is the only one: on abort the handle the load gives is closed.
    // proc_filtering: this load's iterator applies the engines' filter slots (a load without it never filters).
    const loading = this.#loader.load({ path: this.objectPath, autoloadOff: ['proc_fork', 'proc_exec', 'proc_exit'], constants: { proc_filtering: 1 } });
    const handle = await awaitOrAbort(loading, context.signal, () => void loading.then((h) => h.close(), () => undefined));
    this.#handle = handle;
    const obj = handle.object;
    this.#obj = obj;
    this.#loaded = true;
    this.#sampling.started();
    const structs = handle.structLayouts();
    const layouts = procLayouts(structs);
    this.#kfilter = new ProcKernelFilter(obj, procFilterLayouts(structs));
    this.#procRoot = context.config.procRoot;
    this.#batchSize = context.config.batchSize;
    this.#programStats.start(context.config.programStats);
    const boot = readBootTime(context.config.procRoot);
    const procfs = readContext(context.config.procRoot, { sysRoot: context.config.sysRoot, bootTime: boot.bootTime }, boot.reason ?? '');
    this.#missed = new MissedProcesses(context.config.procRoot, procfs, context.logger);
    this.#ctx = {
      layouts,
      pageSize: procfs.pageSize,
      bootTime: boot.bootTime,
      bootTimeReason: boot.reason ?? '',
      cgroups: new CgroupPathIndex(context.config.procRoot),
      comms: new CommCache(),
      pids: this.selection.pids === undefined ? null : new Set(this.selection.pids),
      filterBit: 0,
      state: new Map(),
      generation: 0,
      prevAt: null,
    };
    // Attach now: an iterator that cannot attach must fail init, not the first read.
    // The first read goes straight into the buffer every read reuses, sized from
    // the kernel's task count, so no read grows a buffer step by step.
    this.#table = new IteratorTable('proc_iter', { inlineMaxBytes: this.tableOptions.inlineMaxBytes ?? INLINE_TABLE_BYTES, expectedBytes: taskCount(context.config.procRoot) * layouts.task.size });
    await awaitOrAbort(this.#table.read(obj, () => null), context.signal);
  }

  async read(context: ReadContext): Promise<ProcMetrics> {
    const obj = this.#obj;
    const ctx = this.#ctx;
    const tasks = this.#table;
    if (obj === null || ctx === null || this.#kfilter === null || tasks === null) throw new Error('proc-ebpf source is not initialised');
    // The slot in force when the read starts is the one its records carry.
    const kfilter = this.#kfilter;
    const bit = kfilter.bit;
    const kernelPart = kfilter.filter;
    // Decoded as the read ends (its buffer is the next read's), unless the read was aborted meanwhile.
    const reading = tasks.read(obj, (bytes) => {
      if (context.signal.aborted) return null;
      const at = performance.now();
      const prevAt = ctx.prevAt;
      ctx.filterBit = bit;
      return { table: decodeTaskTable(bytes, ctx, at), at, prevAt };
    });
    this.#inFlight.add(reading);
    const decoded = await awaitOrAbort(reading.finally(() => this.#inFlight.delete(reading)), context.signal);
    if (decoded === null) throw context.signal.reason ?? new Error('proc-ebpf: the read was aborted');
    const { table, at, prevAt } = decoded;
    const intervalMs = prevAt === null ? null : Math.round((at - prevAt) * 1000) / 1000;
    const t0 = performance.now();
    // Under a kernel filter the iterator leaves most processes out on purpose: only the
    // processes it is known to miss (and a pid list's) are looked for in procfs, and the
    // kernel part judges them as the iterator would have.
    const candidates = kernelPart === null ? ctx.pids : new Set([...this.#missed!.knownPids(), ...(kernelPart.pids ?? [])].filter((p) => ctx.pids === null || ctx.pids.has(p)));
    const missed = this.#missed!.fill(table.processes, table.tasks, candidates);
    if (kernelPart !== null) missed.records = missed.records.filter((r) => kfilter.passes(r));
    const fillMs = performance.now() - t0;
    let processes = table.processes;
    if (missed.records.length > 0) processes = mergeByPid(processes, missed.records);
    const sel = applySelection(processes, this.selection);
    this.#stats = {
      tasks: table.tasks,
      processes: processes.length,
      leaderless: table.leaderless,
      filledFromProcfs: missed.records.length,
      missedFillMs: Math.round(fillMs * 1000) / 1000,
      missedListed: missed.listed ? 1 : 0,
      cgroupWalks: ctx.cgroups.walks,
    };
    const unavailable: ProcMetrics['unavailable'] = {
      cgroups: 'the eBPF source reads only the cgroup v2 membership, not the v1 hierarchies',
    };
    if (ctx.bootTime === null) unavailable.startTime = ctx.bootTimeReason;
    return {
      countersSince: ctx.bootTime === null ? null : new Date(ctx.bootTime * 1000).toISOString(),
      intervalMs,
      total: processes.length,
      matched: sel.matched,
      processes: sel.processes,
      vanished: missed.vanished,
      filledFromProcfs: missed.records.length,
      malformed: 0,
      unmeasured: sel.unmeasured,
      fieldSources: { startTime: 'procfs', cgroupPath: 'sysfs', container: 'sysfs' },
      unavailable,
    };
  }

  /**
   * Apply the kernel part of a filter in the task iterator, at run time (filter maps, no
   * reload): `pids`, `excludePids`, `comms`, `excludeComms`, `cgroupIds`,
   * `excludeCgroupIds`, `mountNamespaces`, `netNamespaces` and `processKinds`, each judged
   * on the process's leader. The object is shared by this process's engines: each filter
   * takes one of 32 slots; with none free, nothing goes down. Thresholds (`maxNice`,
   * `minCpuPercent`, ...) stay in user space.
   * @param filter - the whole filter ({} clears the kernel part)
   * @returns the parts applied in the kernel and the rest
   */
  async pushdown(filter: FamilyFilter): Promise<PushdownResult> {
    const obj = this.#obj;
    const kfilter = this.#kfilter;
    if (obj === null || kfilter === null || this.#ctx === null) throw new Closed('the proc-ebpf source (not initialised, or closed)');
    // Learn which processes the iterator cannot reach while it still writes every task.
    if (!this.#missed!.learned) {
      const bytes = await obj.readIterator('proc_iter');
      this.#missed!.fill(leaders(bytes, this.#ctx.layouts), bytes.length / this.#ctx.layouts.task.size, null);
    }
    const { result, previous } = kfilter.set(filter);
    // Reads started before the change carry the old slot's bit: free it after them.
    await Promise.allSettled([...this.#inFlight]);
    kfilter.release(previous);
    return result;
  }

  /**
   * Process fork, exec and exit events (exit with the process's totals) from the proc
   * object's hooks and ring buffer, shared with every other stream of this process.
   * @param options - signal, queue, and {@link ProcEventOptions} (`tree`, `types`, `initial`)
   * @returns the stream; the hooks stay attached while any stream of the process is open
   * @throws {@link @bpfscope/core!ConfigError} for an unknown or bad option
   */
  events(options: SourceEventOptions): EventStream<ProcessEvent> {
    if (this.#loader === null || !this.#loaded) throw new Closed('the proc-ebpf source (not initialised, or closed)');
    const signal = AbortSignal.any([options.signal, this.#closing.signal]);
    return procEventStream({ loader: this.#loader, objectPath: this.objectPath, procRoot: this.#procRoot, batchSize: this.#batchSize, track: this.#figures.track, sampling: this.#sampling }, { ...options, signal });
  }

  /**
   * Sampling of fork, exec and exit events in the kernel, before their ring space is taken:
   * uniform, priority by pid, cgroup or kind (`fork`, `exec`, `exit`), the token bucket (no
   * tail: these events have no latency). One setting per process (the object is shared):
   * while another engine holds it, nothing is written and the setting is the rest, whole.
   * @param config - the setting, or null for none
   * @returns the kernel part applied and the user-space rest
   * @throws {@link @bpfscope/core!ConfigError} for a kind proc has not
   */
  async samplingPushdown(config: SamplingConfig<unknown> | null): Promise<SamplingPushdownResult<unknown>> {
    return this.#sampling.push(config);
  }

  /** The kernel sampling counts since the source started: the process's (every engine's events). @returns the counts */
  samplingCounts(): KernelSamplingCounts {
    return this.#sampling.counts();
  }

  /** The kernel setting in force for proc events and whether another engine put it there. @returns the state */
  samplingState(): KernelSamplingState {
    return this.#sampling.state();
  }

  stats(options?: SourceStatsOptions): SourceStats {
    if (!this.#obj || !this.#loaded) return this.#kept.last;
    // The iterator's runs (tableReads) are the table object's invocations, read here with the
    // other figures and not at every reading. Whole figures are kept for after close.
    const s = this.#figures.sourceStats(this.#obj, this.#stats, options);
    const table = s.kernelCounters.find((k) => k.role === 'table');
    return this.#kept.keep(table ? { ...s, counters: { ...s.counters, tableReads: table.invocations } } : s, options);
  }

  async close(): Promise<void> {
    if (this.#obj && this.#loaded) this.stats();
    this.#loaded = false;
    this.#closing.abort();
    this.#closing = new AbortController();
    this.#sampling.release();
    this.#programStats.stop();
    this.#kfilter?.close();
    this.#kfilter = null;
    this.#handle?.close();
    this.#handle = null;
    this.#obj = null;
    this.#ctx = null;
    this.#missed?.close();
    this.#missed = null;
    this.#table = null;
  }
}

/** The leaders' PIDs of an iterator output, in PID order (as {@link MissedProcesses.fill} takes them). */
function leaders(bytes: Uint8Array, layouts: ProcLayouts): Array<{ pid: number }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const o = layouts.task;
  const out: Array<{ pid: number }> = [];
  for (let b = 0; b + o.size <= bytes.length; b += o.size) if (view.getUint32(b + o.is_leader, true) !== 0) out.push({ pid: view.getUint32(b + o.tgid, true) });
  return out.sort((a, b) => a.pid - b.pid);
}

/**
 * The task table is read on the engine's thread up to this size: 320 bytes per task, about
 * 0.8 µs of the kernel's time each, so 256 KiB (about 800 tasks) is about 0.65 ms. Larger
 * tables are read on a pool thread.
 */
const INLINE_TABLE_BYTES = 256 * 1024;

/** Tasks (threads) alive, from /proc/loadavg's `running/total` field; 0 when unreadable. */
function taskCount(procRoot: string): number {
  try {
    return Number(/ \d+\/(\d+) /.exec(readFileSync(`${procRoot}/loadavg`, 'latin1'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Two lists in ascending PID order as one (the table and the few processes read from procfs: a merge, not a sort per reading). */
function mergeByPid(a: readonly ProcessRecord[], b: readonly ProcessRecord[]): ProcessRecord[] {
  const out: ProcessRecord[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]!.pid <= b[j]!.pid ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}
