import { awaitOrAbort, createProcfsReader, KeptSourceStats, log2HistogramFromSlots, systemClock, type Clock, type ObjectLoader, type ProcfsReader, type ReadContext, type Source, type SourceContext, type SourceStats, type SourceStatsOptions } from '@bpfscope/core';
import { asNativeLoader, loadNative, NativeObjectLoader, possibleCpus, ProgramStatsReporter, routeLibbpfLog, type BpfObject, type LoadedBpfObject, type StructLayout } from '@bpfscope/native';
import { sumCounters, toRecord, type CpuCounters } from '../compute.js';
import type { CpuMetrics, PerCpuRecord } from '../records.js';
import { CPU_READ_DEFAULTS, type CpuReadOptions } from '../options.js';
import { perCpuOption, readLoadAndPressure } from '../procfs/cpu-procfs-source.js';
import type { CpuSourceServices } from '../services.js';
import { readProcStat } from '../procfs/read-proc.js';
import type { ProcStat } from '../procfs/parse-stat.js';
import { cpuTimesLayout, decodeCpuTimes, splitWritten, sumPerCpuU64, type RawCpuTimes } from './decode.js';
import { CPU_OBJECT_PATH } from '../object-path.js';
import { RunqSwitch } from './runq-switch.js';

export { CPU_OBJECT_PATH };

const NS = 1e9;
/** The governor's level 1 (docs/governor.md). */
const COUNTS_ONLY = 'counts only: the run-queue latency part of cpu_switch off at run time (no reload), runQueueLatency unavailable; time counters and context switches go on exactly';
const RUNQ_OFF = 'this kernel keeps no run-queue stamp the program can read (task_struct.sched_info.last_queued needs CONFIG_SCHED_INFO, the way to the run queue se.cfs_rq CONFIG_FAIR_GROUP_SCHED)';

interface Sample {
  perCpu: Array<CpuCounters & { cpu: number }>;
  /** The kernel keeps no run-queue stamp the program can read (a CPU said so). */
  runqOff: boolean;
  /** CPUs whose slot was never written. */
  unmeasured: number[];
  total: CpuCounters;
  at: number;
}

// In eBPF mode idle is idle-task time, which already holds iowait: iowait must not count twice.
const idleOnly = (c: CpuCounters): number => c.idle;

/**
 * The eBPF source of the cpu family: busy/idle/irq/softirq time and context switches
 * per CPU from tp_btf scheduler and interrupt hooks (ns resolution), run-queue latency
 * as a log2 histogram. user/nice/system/iowait/steal, load averages and PSI come from
 * procfs (each marked in `fieldSources`), all counters counting from attach.
 */
export class CpuEbpfSource implements Source<CpuMetrics> {
  readonly kind = 'ebpf' as const;
  readonly name = 'cpu-ebpf';
  #handle: LoadedBpfObject | null = null;
  #object: BpfObject | null = null;
  /** The counters at init: the object (and its links) may have been counting for another engine before. */
  #zero: Map<number, CpuCounters> | null = null;
  #zeroHist: bigint[] = [];
  /** When the run-queue histogram counts from (countersSince, or its last return after a shed). */
  #runqSince = '';
  #runq: RunqSwitch | null = null;
  #layout: StructLayout | null = null;
  #cpus = 0;
  #procfs: ProcfsReader | null = null;
  readonly #clock: Clock;
  #since = '';
  #baseline: ProcStat | null = null;
  /** The baseline's per-CPU procfs counters by CPU: fixed at init, so indexed once. */
  #baseById = new Map<number, ProcStat['total']>();
  #prev: Sample | null = null;
  readonly #kept = new KeptSourceStats();
  #loaded = false;
  readonly #programStats = new ProgramStatsReporter();
  #releaseLog: () => void = () => undefined;

  readonly #loader: NativeObjectLoader;
  readonly #services: CpuSourceServices;

  /**
   * @param objectPath - the compiled cpu.bpf.o (tests pass broken ones)
   * @param services - the engine's object loader, procfs reader and clock (the collector
   *   resolves them from the container); without them the source makes its own
   * @param options - the family's validated options
   */
  constructor(private readonly objectPath: string = CPU_OBJECT_PATH, services: CpuSourceServices = {}, private readonly options: CpuReadOptions = CPU_READ_DEFAULTS) {
    this.#loader = services.loader === undefined ? new NativeObjectLoader() : asNativeLoader(services.loader);
    this.#services = services;
    this.#clock = services.clock ?? systemClock;
  }

  async init(context: SourceContext): Promise<void> {
    const { signal } = context;
    loadNative();
    this.#releaseLog = routeLibbpfLog(context.logger, context.config.logLevel);
    const procfs = this.#services.procfs ?? createProcfsReader(context.config.procRoot, context.config.sysRoot);
    this.#procfs = procfs;
    this.#cpus = possibleCpus();
    // libbpf judges the object first: a corrupt file is LoadFailed, a missing hook AttachFailed.
    // The object has no per-engine state (no filter or setting written at run time): it and its
    // links are shared with every engine of the process, and each source counts from its own init.
    // The engine's init time limit is the only one: on abort the handle the load gives is closed.
    const loading = this.#loader.load({ path: this.objectPath });
    const handle = await awaitOrAbort(loading, signal, () => void loading.then((h) => h.close(), () => undefined));
    this.#handle = handle;
    const object = handle.object;
    this.#object = object;
    this.#loaded = true;
    for (const p of object.programs()) handle.attach(p.name);
    this.#programStats.start(context.config.programStats);
    this.#layout = cpuTimesLayout(new Map([['cpu_times', object.structLayout('cpu_times')]]));
    signal.throwIfAborted();
    this.#baseline = readProcStat(procfs);
    this.#baseById = new Map(this.#baseline.perCpu.map((c) => [c.cpu, c]));
    this.#since = new Date(this.#clock.wallMs()).toISOString();
    signal.throwIfAborted();
    const first = this.#sample();
    this.#zero = new Map(first.perCpu.map((c) => [c.cpu, c]));
    this.#zeroHist = this.#runqHist();
    this.#runqSince = this.#since;
    this.#runq = new RunqSwitch(object, () => this.#runqHist(), () => this.#clock.wallMs());
    this.#runq.takeReturn(); // a return before this source's zero is in its zero already
    this.#prev = this.#sample();
  }

  // Synchronous: a map read and procfs files (generated in memory), nothing to wait for.
  #sample(): Sample {
    const object = this.#object;
    const layout = this.#layout;
    const procfs = this.#procfs;
    if (!object || !layout || !procfs) throw new Error('cpu-ebpf source is not initialised');
    const stat = readProcStat(procfs);
    const timesBytes = object.map('cpu_times').readArray();
    // CLOCK_MONOTONIC, the clock the programs' bpf_ktime_get_ns() timestamps are on.
    const now = this.#clock.monotonicNs();
    const at = Number(now) / 1e6;
    const { written: raw, unwritten } = splitWritten(decodeCpuTimes(timesBytes, layout, this.#cpus));
    const base = this.#baseById;
    const procNow = new Map(stat.perCpu.map((c) => [c.cpu, c]));
    const perCpu = raw.map((r) => since(this.#counters(r, now, procNow.get(r.cpu), base.get(r.cpu)), this.#zero?.get(r.cpu)));
    return { perCpu, runqOff: raw.some((r) => r.runqOff), unmeasured: unwritten, total: sumCounters(perCpu), at };
  }

  #counters(r: RawCpuTimes, now: bigint, proc: ProcStat['total'] | undefined, base: ProcStat['total'] | undefined): CpuCounters & { cpu: number } {
    // The task running now has not been accounted yet: add its time so far.
    const running = now > r.lastSwitchNs ? now - r.lastSwitchNs : 0n;
    const busyNs = r.busyNs + (r.currIdle ? 0n : running) + r.idleIrqNs;
    const idleNs = r.idleNs + (r.currIdle ? running : 0n) - r.idleIrqNs;
    const delta = (k: 'user' | 'nice' | 'system' | 'iowait'): number | null => (proc && base ? round6(proc[k] - base[k]) : null);
    const steal = proc && base && proc.steal !== null && base.steal !== null ? round6(proc.steal - base.steal) : null;
    return {
      cpu: r.cpu,
      user: delta('user'), nice: delta('nice'), system: delta('system'), iowait: delta('iowait'), steal,
      idle: Number(idleNs) / NS, busy: Number(busyNs) / NS,
      irq: Number(r.irqNs) / NS, softirq: Number(r.softirqNs) / NS,
      contextSwitches: Number(r.switches),
    };
  }

  async read(context: ReadContext): Promise<CpuMetrics> {
    const object = this.#object;
    const procfs = this.#procfs;
    if (!object || !procfs) throw new Error('cpu-ebpf source is not initialised');
    // The read is synchronous: an abort before it leaves the source and its baseline as they are.
    context.signal.throwIfAborted();
    const cur = this.#sample();
    const prev = this.#prev;
    this.#prev = cur;
    const prevById = new Map(prev?.perCpu.map((c) => [c.cpu, c]));
    const perCpu: PerCpuRecord[] = cur.perCpu.map((c) => ({ cpu: c.cpu, ...toRecord(c, prevById.get(c.cpu), idleOnly) }));
    const unavailable: CpuMetrics['unavailable'] = {};
    const back = this.#runq?.takeReturn();
    if (back) {
      this.#zeroHist = back.hist;
      this.#runqSince = new Date(back.sinceMs).toISOString();
    }
    const shed = this.#runq?.offReason() ?? null;
    if (cur.runqOff) unavailable.runQueueLatency = RUNQ_OFF;
    else if (shed !== null) unavailable.runQueueLatency = shed;
    const hist = cur.runqOff || shed !== null ? null : this.#runqHist().map((v, i) => v - (this.#zeroHist[i] ?? 0n));
    const loadAndPressure = readLoadAndPressure(procfs, unavailable, this.options);
    return {
      countersSince: this.#since,
      bootTime: new Date(this.#baseline!.bootTime * 1000).toISOString(),
      intervalMs: prev ? Math.round((cur.at - prev.at) * 1000) / 1000 : null,
      total: toRecord(cur.total, prev?.total, idleOnly),
      perCpu: perCpuOption(perCpu, unavailable, this.options),
      unmeasuredCpus: cur.unmeasured,
      runQueueLatency: hist && log2HistogramFromSlots(hist, 'ns'),
      runQueueLatencySince: hist && this.#runqSince,
      ...loadAndPressure,
      fieldSources: { user: 'procfs', nice: 'procfs', system: 'procfs', iowait: 'procfs', steal: 'procfs', loadAverage: 'procfs', pressure: 'procfs' },
      unavailable,
    };
  }

  #runqHist(): bigint[] {
    return sumPerCpuU64(this.#object!.map('cpu_runq_hist').readArray(), 64, this.#cpus);
  }

  degradationLevels(): readonly string[] {
    return [COUNTS_ONLY];
  }

  setDegradation(level: number, reason: string): Promise<void> {
    if (!this.#runq) return Promise.reject(new Error('cpu-ebpf source is not initialised'));
    this.#runq.set(level >= 1, reason);
    return Promise.resolve();
  }

  /** Why the source no longer measures though it was initialised (a program's link is gone), or null. */
  detached(): string | null {
    if (!this.#handle) return null;
    const gone = this.#handle.detachedPrograms();
    return gone.length > 0 ? `program${gone.length > 1 ? 's' : ''} ${gone.join(', ')} of ${this.name} ${gone.length > 1 ? 'are' : 'is'} no longer attached` : null;
  }

  stats(options?: SourceStatsOptions): SourceStats {
    if (!this.#object || !this.#loaded) return this.#kept.last;
    // Read here, not at every reading: one map read fewer per snapshot. Whole figures are kept for after close.
    return this.#kept.keep(this.#programStats.sourceStats([{ object: this.#object, statsMap: 'cpu_stats' }], { links: this.#handle?.attachedPrograms().length ?? 0 }, options), options);
  }

  async close(): Promise<void> {
    if (this.#object && this.#loaded) this.stats(); // the last counts stay readable after close
    this.#programStats.stop();
    this.#releaseLog();
    this.#runq?.release();
    this.#runq = null;
    this.#handle?.close();
    this.#handle = null;
    this.#object = null;
    this.#zero = null;
    this.#loaded = false;
    this.#prev = null;
  }
}

/** The eBPF counters since `zero` (procfs ones already count from this source's baseline). */
function since(c: CpuCounters & { cpu: number }, zero: CpuCounters | undefined): CpuCounters & { cpu: number } {
  if (zero === undefined) return c;
  return {
    ...c,
    idle: c.idle - zero.idle,
    busy: c.busy - zero.busy,
    irq: c.irq === null || zero.irq === null ? c.irq : c.irq - zero.irq,
    softirq: c.softirq === null || zero.softirq === null ? c.softirq : c.softirq - zero.softirq,
    contextSwitches: c.contextSwitches === null || zero.contextSwitches === null ? c.contextSwitches : c.contextSwitches - zero.contextSwitches,
  };
}

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
