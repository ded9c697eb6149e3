import { awaitOrAbort, Closed, ConfigError, KeptSourceStats, familyTimeouts, recordPasses, type EventStream, type KernelSamplingCounts, type SamplingConfig, type SamplingPushdownResult, type FamilyFilter, type FilterPart, type ObjectLoader, type PushdownResult, type ReadContext, type Source, type SourceContext, type SourceEventOptions, type SourceStats, type SourceStatsOptions } from '@bpfscope/core';
import { asNativeLoader, NativeObjectLoader, loadNative, type BpfObject, type LoadedBpfObject, possibleCpus, ProgramStatsReporter, routeLibbpfLog, type StructLayout, u32Key as u32 } from '@bpfscope/native';
import type { SyscallFilterState, SyscallMetrics, SyscallMode } from '../records.js';
import type { syscall } from '../plugin.js';
import { buildMetrics, type PreviousReading, type ProcessRecords, type Reading } from './build-metrics.js';
import { readCommAgain } from '../procfs/read-comm.js';
import { readDescendants } from '../procfs/read-descendants.js';
import { objectLayouts, syscallLayouts, writeConfig, type SyscallKernelConfig, type SyscallLayouts } from './syscall-maps.js';
import { addPid, filterLayouts, planKernelFilter, PID_TREE, writeKernelFilter, type FilterLayouts } from './syscall-filter-maps.js';
import { SyscallMapReader } from './syscall-read.js';
import { ExitedProcesses, kernelRows } from './exited-processes.js';
import { clearSlot, loadWithSlot, readSampling, releaseSlot } from './syscall-slots.js';
import { readSlot, slotStats } from './slot-reading.js';
import { SyscallChangeCounter } from './syscall-change-counter.js';
import { eventLayout, syscallEventStream, type SyscallEvent } from './syscall-events.js';
import { SYSCALL_OBJECT_PATH } from '../object-path.js';
import { pushSyscallSampling, syscallSamplingCounts } from './syscall-sampling.js';
import { SyscallLevels } from './syscall-levels.js';

export { SYSCALL_OBJECT_PATH };


/** Settings of the eBPF source. @internal */
export interface SyscallEbpfOptions {
  mode: SyscallMode;
  filter: SyscallFilterState;
  followForks: boolean;
  spawnParent: number;
  /** This process is not counted (0: it is). */
  excludeTgid: number;
  /** Per-process detail: the kernel keeps per-process rows for this engine's slot. */
  processes: boolean;
  topProcesses: number;
  objectPath: string;
}

/**
 * The eBPF source of the syscall family: per-syscall and per-process counts from
 * tp_btf/sys_enter, and in latency mode errors and latency from tp_btf/sys_exit; sampled
 * per-call events while a stream is open ({@link SyscallEbpfSource.events}).
 *
 * The object is loaded once per process (per mode) through the engine's object loader and
 * its programs attached once: each engine's source takes one of its slots, where the
 * kernel keeps that engine's filter, counters and event settings, so a second engine's
 * start loads and verifies nothing. When all slots are taken the source loads an object
 * of its own. Filters go into the slot's maps without a reload ({@link SyscallEbpfSource.pushdown}).
 */
export class SyscallEbpfSource implements Source<SyscallMetrics> {
  readonly kind = 'ebpf' as const;
  readonly name = 'syscall-ebpf';
  #obj: BpfObject | null = null;
  #handle: LoadedBpfObject | null = null;
  #loader: NativeObjectLoader | null = null;
  #slot = 0;
  #layouts: SyscallLayouts | null = null;
  #filterLayouts: FilterLayouts | null = null;
  #eventLayout: StructLayout | null = null;
  #config: SyscallKernelConfig;
  #cpus = 0;
  #since = '';
  #procRoot = '/proc';
  #batchSize = 100;
  #prev: PreviousReading | null = null;
  #maps: SyscallMapReader | null = null;
  #exited: ExitedProcesses | null = null;
  /** Process records given out, given out again while unchanged. */
  #records: ProcessRecords = { kept: new Map(), generation: 0, comm: (pid, gone) => readCommAgain(this.#procRoot, pid, gone) };
  /** The reading in progress: readings run one after another (they share the reader's buffers). */
  #reading: Promise<unknown> = Promise.resolve();
  #counter: SyscallChangeCounter;
  #filter: SyscallFilterState;
  #spec: FamilyFilter;
  #userParts: FilterPart[] = [];
  #filterIndex = 0;
  #writing: Promise<unknown> = Promise.resolve();
  readonly #kept = new KeptSourceStats();
  #loaded = false;
  #streams = 0;
  #closing = new AbortController();
  readonly #programStats = new ProgramStatsReporter();
  #releaseLog: () => void = () => undefined;
  /** The level of detail in force under the overhead governor: the mode, the events' thinning. */
  readonly #levels: SyscallLevels;
  /** The last init's context, for the reload of a change of level. */
  #context: SourceContext | null = null;
  /** A change of level in progress (reads wait for it), and why the last one failed. */
  #switching: Promise<void> | null = null;
  #switchFailure: string | null = null;

  /** @internal use the {@link syscall} plugin factory */
  constructor(private readonly options: SyscallEbpfOptions) {
    this.#filter = options.filter;
    this.#spec = { ...(options.filter.pids ? { pids: options.filter.pids } : {}), ...(options.filter.syscalls ? { syscalls: options.filter.syscalls } : {}) };
    this.#config = { followForks: options.followForks, spawnParent: options.spawnParent, excludeTgid: options.excludeTgid, events: false, sampleEvery: 1 };
    this.#levels = new SyscallLevels(options.mode);
    this.#counter = new SyscallChangeCounter(options.excludeTgid !== 0, options.mode === 'counts');
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
    this.#context = context;
    this.#levels.allowReload = context.config.governor.allowReload;
    this.#switchFailure = null;
    this.#releaseLog = routeLibbpfLog(context.logger, context.config.logLevel);
    this.#procRoot = context.config.procRoot;
    this.#batchSize = context.config.batchSize;
    const latency = this.#levels.mode === 'latency';
    this.#loader ??= new NativeObjectLoader();
    // Only the programs this mode attaches: sc_exit for latency.
    const request = { path: this.options.objectPath, autoloadOff: latency ? [] : ['sc_exit'], constants: { sc_latency: latency ? 1 : 0 } };
    const { handle, slot, dirty } = await loadWithSlot(this.#loader, request, context.signal);
    this.#handle = handle;
    this.#slot = slot;
    const obj = handle.object;
    this.#obj = obj;
    this.#loaded = true;
    const structs = objectLayouts(handle);
    this.#layouts = syscallLayouts(structs);
    this.#filterLayouts = filterLayouts(structs);
    this.#eventLayout = eventLayout(structs);
    if (dirty) await awaitOrAbort(clearSlot(obj, this.#slot), context.signal);
    this.#writeConfig();
    this.#cpus = possibleCpus();
    const procRoot = this.#procRoot;
    this.#maps = new SyscallMapReader(obj, this.#layouts, this.#cpus, this.#slot);
    this.#exited = this.options.processes ? new ExitedProcesses(obj, this.#layouts, this.#slot, procRoot, this.#maps) : null;
    // The filter's flip marks the slot in use: from then on the programs count for it.
    await awaitOrAbort(this.#applyFilter(true), context.signal);
    for (const p of [...(latency ? ['sc_exit'] : []), 'sc_enter', 'sc_fork', 'sc_exec']) handle.attach(p);
    this.#programStats.start(context.config.programStats);
    this.#since = new Date().toISOString();
    this.#counter.bump();
    this.#counter.starting();
    // The counter's check reads the reading's exact sums: in the turn, before the next reading.
    this.#prev = await awaitOrAbort(this.#readInTurn((r) => {
      if (!context.signal.aborted) this.#counter.ended(r.counts, r.table, { hits: null, gaveHits: false }, true);
      return { at: r.at, total: r.counts.total };
    }), context.signal);
  }

  /**
   * Change the PID and syscall filters at run time (the plugin's `setFilter`): the same path as
   * {@link SyscallEbpfSource.pushdown}.
   * @param filter - the new filter (normalised)
   */
  async setFilter(filter: SyscallFilterState): Promise<void> {
    await this.pushdown({ ...(filter.pids ? { pids: filter.pids } : {}), ...(filter.syscalls ? { syscalls: filter.syscalls } : {}) });
  }

  /**
   * Apply a filter in the kernel without a reload, in this engine's slot: pids, comms and
   * cgroup ids (allow and deny lists), mount and network namespaces, syscall ids and
   * categories, and `descendantsOf` (followed at fork) go into generation-flipped filter
   * maps; thresholds cannot go down. Before init the filter is kept and written at init.
   * @param filter - the whole filter (replaces the previous one)
   * @returns the parts the programs now apply and the parts they cannot
   * @throws {@link @bpfscope/core!ConfigError} for an unknown syscall category or too many pids
   */
  async pushdown(filter: FamilyFilter): Promise<PushdownResult> {
    const { result } = planKernelFilter(filter, this.options.spawnParent);
    this.#spec = filter;
    this.#userParts = [...result.notPushed];
    this.#filter = { pids: filter.pids ? [...filter.pids] : null, syscalls: filter.syscalls ? [...filter.syscalls] : null };
    this.#counter.bump();
    if (this.#obj) await this.#applyFilter();
    return result;
  }

  /** The slot's filter index in force (slot × 2 + generation; flips at each change). @internal for tests */
  get filterGeneration(): number {
    return this.#filterIndex;
  }

  /**
   * What the kernel keeps per process for this engine's slot: its `sc_proc` rows and its
   * runs pending in `sc_cpu` (on any CPU), as process ids, one per row or run.
   * @internal for tests
   */
  async kernelProcessRows(): Promise<{ rows: number[]; runs: number[] }> {
    return kernelRows(this.#obj!, this.#layouts!, this.#slot);
  }

  /** Changes are written one after another: two flips never interleave their writes. */
  #applyFilter(clean = false): Promise<void> {
    const obj = this.#obj!;
    const { kernel } = planKernelFilter(this.#spec, this.options.spawnParent);
    const run = this.#writing.then(async () => {
      const roots = kernel.treeRoots;
      this.#filterIndex = await writeKernelFilter(obj, this.#filterLayouts!, this.#slot, kernel, roots ? readDescendants(this.#procRoot, roots) : [], clean, this.options.processes);
      // A process forked between the walk and the flip was judged by the old filter: walk again.
      if (roots) for (const pid of readDescendants(this.#procRoot, roots)) addPid(obj, this.#filterLayouts!, this.#filterIndex, pid, PID_TREE);
    });
    this.#writing = run.catch(() => undefined);
    return run;
  }

  /** One reading, turned into what the caller keeps before the next reading may start. */
  #readInTurn<T>(use: (r: Reading) => T): Promise<T> {
    const turn = this.#reading.then(async () => use(await this.#read()));
    this.#reading = turn.catch(() => undefined);
    return turn;
  }

  #read(): Promise<Reading> {
    return readSlot(this.#obj!, this.#maps!, this.#exited, this.#slot, this.#levels.mode === 'latency');
  }

  async read(context: ReadContext): Promise<SyscallMetrics> {
    if (this.#switching) await awaitOrAbort(this.#switching, context.signal);
    if (!this.#obj) throw new Closed(`the syscall-ebpf source (${this.#switchFailure ?? 'not initialised, or closed'})`);
    const before = this.#counter.starting();
    const metrics = await awaitOrAbort(this.#readInTurn((cur) => {
      const prev = this.#prev;
      this.#prev = { at: cur.at, total: cur.counts.total };
      // A reading whose caller gave up vouches for nothing (the counter stays null until the next).
      if (!context.signal.aborted) this.#counter.ended(cur.counts, cur.table, before);
      return buildMetrics(cur, prev, { mode: this.#levels.mode, degraded: this.#levels.latencyOff, since: this.#since, filter: this.#filter, topProcesses: this.options.topProcesses, records: this.#records });
    }), context.signal);
    return metrics;
  }

  /**
   * The change counter of aggressive caching (docs/caching.md; `SyscallChangeCounter`):
   * the calls this engine's slot counted (its filter hits when this process is excluded:
   * always in counts-only mode, in latency mode while no call was in flight at the last
   * reading; else the sum of its `sc_counts`), plus the object's drops, plus this source's
   * inits and filter changes. Null (decode) until a reading vouched for it: its per-process
   * rows added up to its per-syscall counts, which, counting hits, were the hits before it.
   * @returns the counter, or null
   */
  changeCounter(): bigint | null {
    const loaded = this.#obj && this.#loaded;
    return this.#counter.read(loaded ? { obj: this.#obj!, layouts: this.#layouts!, cpus: this.#cpus, slot: this.#slot } : null);
  }

  /**
   * Per-call events, sampled in the kernel ({@link SyscallEventOptions}): they pass this
   * engine's filter (the kernel part, then pid and comm parts left to user space). The
   * programs send nothing while no stream of this engine is open.
   * @param options - signal, queue, `sampleEvery`
   * @returns the stream
   * @throws {@link @bpfscope/core!ConfigError} for an unknown or bad option
   */
  events(options: SourceEventOptions): EventStream<SyscallEvent> {
    const handle = this.#handle;
    if (handle === null || !this.#loaded) throw new Closed('the syscall-ebpf source (not initialised, or closed)');
    const signal = AbortSignal.any([options.signal, this.#closing.signal]);
    const obj = handle.object;
    return syscallEventStream({
      handle,
      slot: this.#slot,
      batchSize: this.#batchSize,
      layout: this.#eventLayout!,
      subscribe: (every) => {
        if (this.#streams > 0 && every !== this.#config.sampleEvery) {
          throw new ConfigError('events.sampleEvery', every, `${this.#config.sampleEvery}, the rate of this engine's open syscall stream (one rate per engine at a time)`);
        }
        if (this.#streams++ > 0) return;
        obj.map('sc_sampling').update(u32(this.#slot), new Uint8Array(24));
        this.#config = { ...this.#config, events: true, sampleEvery: every };
        this.#writeConfig();
      },
      unsubscribe: () => {
        if (--this.#streams > 0 || !this.#loaded) return;
        this.#config = { ...this.#config, events: false };
        this.#writeConfig();
      },
      dropped: () => readSampling(this.#obj, this.#slot).dropped,
      keep: (e) => this.#keepEvent(e),
    }, { ...options, signal });
  }

  /**
   * Sampling of this engine's events in the kernel (its slot is its own event source):
   * uniform, priority by pid, cgroup or syscall (name or number), the token bucket, and in
   * latency mode the tail threshold on the call's duration (ns). Applied after `sampleEvery`;
   * an event's `weight` is the product.
   * @param config - the setting, or null for none
   * @returns the kernel part applied and the user-space rest
   * @throws {@link @bpfscope/core!ConfigError} for an unknown syscall kind or too many high entries
   */
  async samplingPushdown(config: SamplingConfig<unknown> | null): Promise<SamplingPushdownResult<unknown>> {
    if (!this.#obj || !this.#loaded) throw new Closed('the syscall-ebpf source (not initialised, or closed)');
    return pushSyscallSampling(this.#obj, this.#slot, config, this.#levels.mode === 'latency');
  }

  /** This slot's kernel sampling counts since the slot was taken. @returns the counts, or null before init */
  samplingCounts(): KernelSamplingCounts | null {
    return this.#obj && this.#loaded ? syscallSamplingCounts(this.#obj, this.#slot) : null;
  }

  /** The parts of the filter the kernel did not apply, over what an event carries. */
  #keepEvent(e: SyscallEvent): boolean {
    return recordPasses(this.#spec, this.#userParts, { pid: e.pid, comm: e.comm });
  }

  /** Why the source no longer counts though it was initialised (a program's link is gone), or null. */
  detached(): string | null {
    if (this.#switchFailure) return this.#switchFailure;
    if (!this.#handle) return null;
    const gone = this.#handle.detachedPrograms();
    return gone.length > 0 ? `program${gone.length > 1 ? 's' : ''} ${gone.join(', ')} of ${this.name} ${gone.length > 1 ? 'are' : 'is'} no longer attached` : null;
  }

  /**
   * Program run counts and kernel ns of the (shared) programs; the kernel counters with this
   * engine's own filter hits and misses; `slot` and the event sampling figures:
   * `eventsSeen` (calls that passed the filter while events were on), `eventsSent`,
   * `eventsSampledAway`, `eventsDropped` (ring full).
   */
  stats(options?: SourceStatsOptions): SourceStats {
    if (!this.#obj || !this.#loaded) return this.#kept.last;
    // Whole figures are kept for after close: the last counts stay readable.
    return this.#kept.keep(slotStats(this.#handle!, this.#slot, this.#levels, this.#programStats, options), options);
  }

  /**
   * The levels the overhead governor may put in force (docs/governor.md): in latency mode
   * with `governor.allowReload` counts only, then sampled events; otherwise sampled events.
   * @returns the names of the levels
   */
  degradationLevels(): readonly string[] {
    return this.#levels.names();
  }

  /**
   * Put a level in force. Shedding latency reloads the programs in counts-only mode, and
   * level 0 in latency mode again: the reload takes a slot of the object of that mode, so
   * the counters start again (`countersSince` moves), open event streams of this source end,
   * and the filter is written again; reads wait for it. While latency is shed, errors and
   * latency are unavailable with the governor's reason. Sampled events write a larger
   * `sample_every` into this engine's slot (events carry it as their weight).
   * @param level - the level
   * @param reason - the governor's reason
   */
  async setDegradation(level: number, reason: string): Promise<void> {
    const context = this.#context;
    if (!this.#levels.set(level, reason) || !context) {
      if (this.#obj && this.#loaded) this.#writeConfig();
      return;
    }
    const mode = this.#levels.mode;
    const run = (async (): Promise<void> => {
      await this.#reading;
      await this.close();
      this.#counter = new SyscallChangeCounter(this.options.excludeTgid !== 0, mode === 'counts');
      try {
        await this.init({ ...context, signal: AbortSignal.timeout(familyTimeouts(context.config, 'syscall').initMs) });
      } catch (e) {
        await this.close();
        this.#switchFailure = `the reload in ${mode} mode for the overhead governor failed: ${e instanceof Error ? e.message : String(e)}`;
        throw e;
      }
    })();
    this.#switching = run.catch(() => undefined).then(() => void (this.#switching = null));
    await run;
  }

  /** The slot's settings, with the governor's thinning of the events. */
  #writeConfig(): void {
    writeConfig(this.#obj!, this.#layouts!, this.#slot, { ...this.#config, sampleEvery: this.#levels.kernelEvery(this.#config.sampleEvery) });
  }

  async close(): Promise<void> {
    if (this.#obj && this.#loaded) this.stats();
    this.#loaded = false;
    this.#closing.abort();
    this.#closing = new AbortController();
    this.#programStats.stop();
    this.#releaseLog();
    await this.#writing;
    if (this.#obj) releaseSlot(this.#obj, this.#slot);
    this.#handle?.close();
    this.#handle = null;
    this.#obj = null;
    this.#prev = null;
    this.#counter.reset();
    this.#maps = null;
    this.#exited = null;
    this.#records.kept.clear();
    this.#streams = 0;
  }
}
