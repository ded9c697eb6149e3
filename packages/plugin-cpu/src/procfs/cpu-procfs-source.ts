import { createProcfsReader, isBpfscopeError, systemClock, type Clock, type ProcfsReader, type ReadContext, type Source, type SourceContext } from '@bpfscope/core';
import { toRecord, type CpuCounters } from '../compute.js';
import { CPU_READ_DEFAULTS, type CpuReadOptions } from '../options.js';
import type { CpuField, CpuMetrics, PerCpuRecord } from '../records.js';
import { readLoadavg, readPressure, readProcStat } from './read-proc.js';
import type { ProcStat } from './parse-stat.js';
import type { CpuSourceServices } from '../services.js';

type Times = ProcStat['total'];

/** Counters of /proc/stat times: busy includes steal, as top and htop count it. @internal */
export function procCounters(t: Times, contextSwitches: number | null): CpuCounters {
  return {
    user: t.user, nice: t.nice, system: t.system, idle: t.idle, iowait: t.iowait, irq: t.irq, softirq: t.softirq, steal: t.steal,
    busy: t.user + t.nice + t.system + t.irq + t.softirq + (t.steal ?? 0),
    contextSwitches,
  };
}

/** idle + iowait: the not-busy time of /proc/stat. @internal */
export const procIdle = (c: CpuCounters): number => c.idle + (c.iowait ?? 0);

/**
 * Read load averages and PSI (unless `options.pressure` is false); each absent (with its
 * reason) rather than failing the family.
 * @internal
 */
export function readLoadAndPressure(procfs: ProcfsReader, unavailable: CpuMetrics['unavailable'], options: CpuReadOptions): Pick<CpuMetrics, 'loadAverage' | 'pressure'> {
  const optional = <T>(field: CpuField, read: () => T): T | null => {
    try {
      return read();
    } catch (e) {
      if (!isBpfscopeError(e)) throw e;
      unavailable[field] = e.message;
      return null;
    }
  };
  const load = optional('loadAverage', () => readLoadavg(procfs));
  let pressure: CpuMetrics['pressure'] = null;
  if (options.pressure) pressure = optional('pressure', () => readPressure(procfs));
  else unavailable.pressure = 'not read: families.cpu.pressure is false';
  return {
    loadAverage: load ? { load1: load.load1, load5: load.load5, load15: load.load15, runnable: load.runnable, total: load.total } : null,
    pressure,
  };
}

/** The per-CPU records, or none (with the reason) when `options.perCpu` is false. @internal */
export function perCpuOption(records: PerCpuRecord[], unavailable: CpuMetrics['unavailable'], options: CpuReadOptions): PerCpuRecord[] {
  if (options.perCpu) return records;
  unavailable.perCpu = 'not read: families.cpu.perCpu is false';
  return [];
}

/**
 * The procfs fallback of the cpu family: /proc/stat, /proc/loadavg and /proc/pressure/cpu
 * under a root path (fixture trees in tests). Everything it reports is measured by the
 * kernel's own accounting (tick-sampled); run-queue latency it cannot measure.
 */
export class CpuProcfsSource implements Source<CpuMetrics> {
  readonly kind = 'procfs' as const;
  readonly name = 'cpu-procfs';
  #procfs: ProcfsReader | null = null;
  readonly #clock: Clock;
  #prev: { stat: ProcStat; atNs: bigint } | null = null;

  /**
   * @param services - the engine's procfs reader and clock (the collector resolves them from the container)
   * @param options - the family's validated options
   */
  constructor(private readonly services: CpuSourceServices = {}, private readonly options: CpuReadOptions = CPU_READ_DEFAULTS) {
    this.#clock = services.clock ?? systemClock;
  }

  async init(context: SourceContext): Promise<void> {
    const procfs = this.services.procfs ?? createProcfsReader(context.config.procRoot, context.config.sysRoot);
    this.#prev = { stat: readProcStat(procfs), atNs: this.#clock.monotonicNs() };
    this.#procfs = procfs;
  }

  async read(context: ReadContext): Promise<CpuMetrics> {
    const procfs = this.#procfs;
    if (!procfs) throw new Error('cpu-procfs source is not initialised');
    context.signal.throwIfAborted();
    const stat = readProcStat(procfs);
    const atNs = this.#clock.monotonicNs();
    const prev = this.#prev;
    this.#prev = { stat, atNs };
    const unavailable: CpuMetrics['unavailable'] = {
      runQueueLatency: 'procfs has no run-queue latency; it needs the eBPF source (sched_wakeup/sched_switch)',
    };
    const prevById = new Map(prev?.stat.perCpu.map((c) => [c.cpu, c]));
    const perCpu: PerCpuRecord[] = stat.perCpu.map((c) => {
      const before = prevById.get(c.cpu);
      return { cpu: c.cpu, ...toRecord(procCounters(c, null), before ? procCounters(before, null) : undefined, procIdle) };
    });
    if (perCpu.length > 0) unavailable.contextSwitches = 'procfs counts context switches only for all CPUs together (ctxt)';
    const total = toRecord(procCounters(stat.total, stat.contextSwitches), prev ? procCounters(prev.stat.total, prev.stat.contextSwitches) : undefined, procIdle);
    const loadAndPressure = readLoadAndPressure(procfs, unavailable, this.options);
    return {
      countersSince: new Date(stat.bootTime * 1000).toISOString(),
      bootTime: new Date(stat.bootTime * 1000).toISOString(),
      intervalMs: prev ? Math.round(Number(atNs - prev.atNs) / 1e3) / 1e3 : null,
      total,
      perCpu: perCpuOption(perCpu, unavailable, this.options),
      unmeasuredCpus: [],
      runQueueLatency: null,
      runQueueLatencySince: null,
      ...loadAndPressure,
      fieldSources: {},
      unavailable,
    };
  }

  async close(): Promise<void> {
    this.#prev = null;
    this.#procfs = null;
  }
}
