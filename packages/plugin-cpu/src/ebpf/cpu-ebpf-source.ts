import { fileURLToPath } from 'node:url';
import { awaitOrAbort, EMPTY_SOURCE_STATS, log2HistogramFromSlots, type ReadContext, type Source, type SourceContext, type SourceStats } from '@bpfscope/core';
import { BpfObject, loadNative, possibleCpus, ProgramStatsReporter, readObjectFile, readStructLayouts, routeLibbpfLog, type BpfLink, type StructLayout } from '@bpfscope/native';
import { sumCounters, toRecord, type CpuCounters } from '../compute.js';
import type { CpuMetrics, PerCpuRecord } from '../records.js';
import { readLoadAndPressure } from '../procfs/cpu-procfs-source.js';
import { readProcStat } from '../procfs/read-proc.js';
import type { ProcStat } from '../procfs/parse-stat.js';
import { cpuTimesLayout, decodeCpuTimes, splitWritten, sumPerCpuU64, type RawCpuTimes } from './decode.js';

/** Where the compiled object ships in this package. @internal */
export const CPU_OBJECT_PATH = fileURLToPath(new URL('../../bpf/cpu.bpf.o', import.meta.url));

const NS = 1e9;

interface Sample {
  perCpu: Array<CpuCounters & { cpu: number }>;
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
  #object: BpfObject | null = null;
  #links: BpfLink[] = [];
  #layout: StructLayout | null = null;
  #cpus = 0;
  #root = '/proc';
  #since = '';
  #baseline: ProcStat | null = null;
  #prev: Sample | null = null;
  #stats: SourceStats = EMPTY_SOURCE_STATS;
  #loaded = false;
  readonly #programStats = new ProgramStatsReporter();
  #releaseLog: () => void = () => undefined;

  /** @param objectPath - the compiled cpu.bpf.o (tests pass broken ones) */
  constructor(private readonly objectPath: string = CPU_OBJECT_PATH) {}

  async init(context: SourceContext): Promise<void> {
    const { signal } = context;
    loadNative();
    this.#releaseLog = routeLibbpfLog(context.logger, context.config.logLevel);
    this.#root = context.config.procRoot;
    const bytes = await awaitOrAbort(readObjectFile(this.objectPath), signal);
    this.#cpus = possibleCpus();
    // libbpf judges the object first: a corrupt file is LoadFailed, a missing hook AttachFailed.
    const object = BpfObject.open(bytes, { name: this.objectPath });
    this.#object = object;
    // The engine's init time limit is the only one: on abort the object (and its pending load) is closed.
    await awaitOrAbort(object.load(), signal, () => object.close());
    this.#loaded = true;
    for (const p of object.programs()) this.#links.push(object.attach(p.name));
    this.#programStats.start(context.config.programStats);
    this.#layout = cpuTimesLayout(readStructLayouts(bytes, this.objectPath));
    this.#baseline = await awaitOrAbort(readProcStat(this.#root), signal);
    this.#since = new Date().toISOString();
    const first = await awaitOrAbort(this.#sample(), signal);
    this.#prev = first;
  }

  async #sample(): Promise<Sample> {
    const object = this.#object;
    const layout = this.#layout;
    if (!object || !layout) throw new Error('cpu-ebpf source is not initialised');
    const [stat, timesBytes] = await Promise.all([readProcStat(this.#root), Promise.resolve(object.map('cpu_times').readArray())]);
    const now = process.hrtime.bigint();
    const at = performance.now();
    const { written: raw, unwritten } = splitWritten(decodeCpuTimes(timesBytes, layout, this.#cpus));
    const base = new Map(this.#baseline?.perCpu.map((c) => [c.cpu, c]));
    const procNow = new Map(stat.perCpu.map((c) => [c.cpu, c]));
    const perCpu = raw.map((r) => this.#counters(r, now, procNow.get(r.cpu), base.get(r.cpu)));
    return { perCpu, unmeasured: unwritten, total: sumCounters(perCpu), at };
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
    if (!object) throw new Error('cpu-ebpf source is not initialised');
    // Aborted reads stop waiting at once (the engine keeps the source); the baseline moves only on a finished read.
    const cur = await awaitOrAbort(this.#sample(), context.signal);
    const prev = this.#prev;
    this.#prev = cur;
    const prevById = new Map(prev?.perCpu.map((c) => [c.cpu, c]));
    const perCpu: PerCpuRecord[] = cur.perCpu.map((c) => ({ cpu: c.cpu, ...toRecord(c, prevById.get(c.cpu), idleOnly) }));
    const hist = sumPerCpuU64(object.map('cpu_runq_hist').readArray(), 64, this.#cpus);
    const unavailable: CpuMetrics['unavailable'] = {};
    const loadAndPressure = await awaitOrAbort(readLoadAndPressure(this.#root, unavailable), context.signal);
    return {
      countersSince: this.#since,
      intervalMs: prev ? Math.round((cur.at - prev.at) * 1000) / 1000 : null,
      total: toRecord(cur.total, prev?.total, idleOnly),
      perCpu,
      unmeasuredCpus: cur.unmeasured,
      runQueueLatency: log2HistogramFromSlots(hist, 'ns'),
      ...loadAndPressure,
      fieldSources: { user: 'procfs', nice: 'procfs', system: 'procfs', iowait: 'procfs', steal: 'procfs', loadAverage: 'procfs', pressure: 'procfs' },
      unavailable,
    };
  }

  /** Why the source no longer measures though it was initialised (a program's link is gone), or null. */
  detached(): string | null {
    if (!this.#object) return null;
    const gone = this.#links.filter((l) => !l.attached).map((l) => l.program);
    return gone.length > 0 ? `program${gone.length > 1 ? 's' : ''} ${gone.join(', ')} of ${this.name} ${gone.length > 1 ? 'are' : 'is'} no longer attached` : null;
  }

  stats(): SourceStats {
    // Read here, not at every reading: one map read fewer per snapshot. Kept for after close.
    if (this.#object && this.#loaded) this.#stats = this.#programStats.sourceStats([{ object: this.#object, statsMap: 'cpu_stats' }], { links: this.#links.length });
    return this.#stats;
  }

  async close(): Promise<void> {
    if (this.#object && this.#loaded) this.stats(); // the last counts stay readable after close
    this.#programStats.stop();
    this.#releaseLog();
    for (const l of this.#links.splice(0)) l.destroy();
    this.#object?.close();
    this.#object = null;
    this.#loaded = false;
    this.#prev = null;
  }
}

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
