import { fileURLToPath } from 'node:url';
import { awaitOrAbort, EMPTY_SOURCE_STATS, type FamilyFilter, type ObjectLoader, type PushdownResult, type ReadContext, type Source, type SourceContext, type SourceStats } from '@bpfscope/core';
import { asNativeLoader, NativeObjectLoader, loadNative, type BpfObject, type LoadedBpfObject, possibleCpus, ProgramStatsReporter, routeLibbpfLog, type BpfLink } from '@bpfscope/native';
import type { SyscallFilterState, SyscallMetrics, SyscallMode } from '../records.js';
import type { syscall } from '../plugin.js';
import { buildMetrics, type Reading } from './build-metrics.js';
import { readComm } from '../procfs/read-comm.js';
import { readLatencyHistograms, readProcessTable, readSyscallCounts, syscallLayouts, writeConfig, type SyscallLayouts } from './syscall-maps.js';
import { filterLayouts, planKernelFilter, writeKernelFilter, type FilterLayouts } from './syscall-filter-maps.js';

/** Where the compiled object ships in this package. @internal */
export const SYSCALL_OBJECT_PATH = fileURLToPath(new URL('../../bpf/syscall.bpf.o', import.meta.url));

/** Settings of the eBPF source. @internal */
export interface SyscallEbpfOptions {
  mode: SyscallMode;
  filter: SyscallFilterState;
  followForks: boolean;
  spawnParent: number;
  /** This process is not counted (0: it is). */
  excludeTgid: number;
  topProcesses: number;
  objectPath: string;
}

/**
 * The eBPF source of the syscall family: per-syscall and per-process counts from
 * tp_btf/sys_enter, and in latency mode errors and latency from tp_btf/sys_exit. In
 * counts-only mode sys_enter keeps a run of calls per CPU, which it and
 * tp_btf/sched_switch move into the per-process table; a reading adds the runs the
 * CPUs still hold.
 * Filters live in kernel maps and change without a reload ({@link SyscallEbpfSource.pushdown}):
 * pids, comms, cgroup ids and syscall ids; thresholds are left to the engine.
 */
export class SyscallEbpfSource implements Source<SyscallMetrics> {
  readonly kind = 'ebpf' as const;
  readonly name = 'syscall-ebpf';
  #obj: BpfObject | null = null;
  #handle: LoadedBpfObject | null = null;
  #loader: NativeObjectLoader | null = null;
  #links: BpfLink[] = [];
  #layouts: SyscallLayouts | null = null;
  #cpus = 0;
  #since = '';
  #procRoot = '/proc';
  #prev: Reading | null = null;
  #filter: SyscallFilterState;
  #spec: FamilyFilter;
  #filterLayouts: FilterLayouts | null = null;
  #generation = 0;
  #writing: Promise<unknown> = Promise.resolve();
  #stats: SourceStats = EMPTY_SOURCE_STATS;
  #loaded = false;
  readonly #programStats = new ProgramStatsReporter();
  #releaseLog: () => void = () => undefined;

  /** @internal use the {@link syscall} plugin factory */
  constructor(private readonly options: SyscallEbpfOptions) {
    this.#filter = options.filter;
    this.#spec = { ...(options.filter.pids ? { pids: options.filter.pids } : {}), ...(options.filter.syscalls ? { syscalls: options.filter.syscalls } : {}) };
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
    this.#releaseLog = routeLibbpfLog(context.logger, context.config.logLevel);
    this.#procRoot = context.config.procRoot;
    const latency = this.options.mode === 'latency';
    // Load only the programs this mode attaches: sc_exit for latency, sc_switch for counts-only.
    // Not shared with other engines: the filter and config maps are written per engine at run time.
    // The engine's init time limit is the only one: on abort the handle the load gives is closed.
    this.#loader ??= new NativeObjectLoader();
    const loading = this.#loader.load({ path: this.options.objectPath, autoloadOff: [latency ? 'sc_switch' : 'sc_exit'], shared: false });
    const handle = await awaitOrAbort(loading, context.signal, () => void loading.then((h) => h.close(), () => undefined));
    this.#handle = handle;
    const obj = handle.object;
    this.#obj = obj;
    this.#loaded = true;
    const structs = handle.structLayouts();
    this.#layouts = syscallLayouts(structs);
    this.#filterLayouts = filterLayouts(structs);
    writeConfig(obj, this.#layouts, {
      followForks: this.options.followForks,
      perProcess: true,
      latency: latency,
      spawnParent: this.options.spawnParent,
      excludeTgid: this.options.excludeTgid,
    });
    this.#cpus = possibleCpus();
    await awaitOrAbort(this.#applyFilter(), context.signal);
    // Filters first, then hooks: nothing is counted that the filter would refuse.
    // sc_switch and sc_enter may attach in any order: sc_enter does not depend on
    // sc_switch to know the task (it checks the slot against its pt_regs pointer).
    if (!latency) this.#links.push(obj.attach('sc_switch'));
    this.#links.push(obj.attach('sc_enter'), obj.attach('sc_fork'), obj.attach('sc_exec'));
    if (latency) this.#links.push(obj.attach('sc_exit'));
    this.#programStats.start(context.config.programStats);
    this.#since = new Date().toISOString();
    this.#prev = await awaitOrAbort(this.#read(), context.signal);
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
   * Apply a filter in the kernel without a reload: pids and comms (allow and deny lists),
   * cgroup ids and syscall ids go into this generation-flipped filter maps; thresholds
   * cannot go down. Before init the filter is kept and written at init.
   * @param filter - the whole filter (replaces the previous one)
   * @returns the parts the programs now apply and the parts they cannot
   */
  async pushdown(filter: FamilyFilter): Promise<PushdownResult> {
    const { result } = planKernelFilter(filter, this.options.spawnParent);
    this.#spec = filter;
    this.#filter = { pids: filter.pids ? [...filter.pids] : null, syscalls: filter.syscalls ? [...filter.syscalls] : null };
    if (this.#obj) await this.#applyFilter();
    return result;
  }

  /** The kernel filter generation in force (flips at each change). @internal for tests */
  get filterGeneration(): number {
    return this.#generation;
  }

  /** Changes are written one after another: two flips never interleave their writes. */
  #applyFilter(): Promise<void> {
    const obj = this.#obj!;
    const { kernel } = planKernelFilter(this.#spec, this.options.spawnParent);
    const run = this.#writing.then(async () => {
      this.#generation = await writeKernelFilter(obj, this.#filterLayouts!, kernel);
    });
    this.#writing = run.catch(() => undefined);
    return run;
  }

  async #read(): Promise<Reading> {
    const obj = this.#obj!;
    const l = this.#layouts!;
    const counts = readSyscallCounts(obj, l, this.#cpus);
    const ids = counts.flatMap((c, id) => (c.count > 0n ? [id] : []));
    const hist = this.options.mode === 'latency' ? readLatencyHistograms(obj, ids, this.#cpus) : new Map();
    const table = await readProcessTable(obj, l, this.#cpus);
    const stats = obj.map('sc_stats').readArray();
    const sv = new DataView(stats.buffer, stats.byteOffset, stats.byteLength);
    const stat = (k: number): number => {
      let s = 0n;
      for (let c = 0; c < this.#cpus; c++) s += sv.getBigUint64((k * this.#cpus + c) * 8, true);
      return Number(s);
    };
    return { at: performance.now(), counts, hist, table, kernel: { invocations: stat(0), drops: stat(2), filterHits: stat(3), filterMisses: stat(4) } };
  }

  async read(context: ReadContext): Promise<SyscallMetrics> {
    const cur = await awaitOrAbort(this.#read(), context.signal);
    const prev = this.#prev;
    this.#prev = cur;
    const metrics = buildMetrics(cur, prev, { mode: this.options.mode, since: this.#since, filter: this.#filter, topProcesses: this.options.topProcesses });
    for (const p of metrics.processes) p.comm = readComm(this.#procRoot, p.pid);
    return metrics;
  }

  /** Why the source no longer counts though it was initialised (a program's link is gone), or null. */
  detached(): string | null {
    if (!this.#obj) return null;
    const gone = this.#links.filter((l) => !l.attached).map((l) => l.program);
    return gone.length > 0 ? `program${gone.length > 1 ? 's' : ''} ${gone.join(', ')} of ${this.name} ${gone.length > 1 ? 'are' : 'is'} no longer attached` : null;
  }

  stats(): SourceStats {
    // Kept for after close: the last counts stay readable.
    if (this.#obj && this.#loaded) this.#stats = this.#programStats.sourceStats([{ object: this.#obj, statsMap: 'sc_stats' }], { links: this.#links.length });
    return this.#stats;
  }

  async close(): Promise<void> {
    if (this.#obj && this.#loaded) this.stats();
    this.#loaded = false;
    this.#programStats.stop();
    this.#releaseLog();
    for (const l of this.#links.splice(0)) l.destroy();
    this.#handle?.close();
    this.#handle = null;
    this.#obj = null;
    this.#prev = null;
  }
}
