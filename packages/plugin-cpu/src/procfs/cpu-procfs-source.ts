import { awaitOrAbort, isBpfscopeError, type ReadContext, type Source, type SourceContext } from '@bpfscope/core';
import { sumCounters, toRecord, type CpuCounters } from '../compute.js';
import type { CpuField, CpuMetrics, PerCpuRecord } from '../records.js';
import { readLoadavg, readPressure, readProcStat } from './read-proc.js';
import type { ProcStat } from './parse-stat.js';

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

/** Read load averages and PSI; each absent (with its reason) rather than failing the family. @internal */
export async function readLoadAndPressure(root: string, unavailable: CpuMetrics['unavailable']): Promise<Pick<CpuMetrics, 'loadAverage' | 'pressure'>> {
  const optional = async <T>(field: CpuField, read: () => Promise<T>): Promise<T | null> => {
    try {
      return await read();
    } catch (e) {
      if (!isBpfscopeError(e)) throw e;
      unavailable[field] = e.message;
      return null;
    }
  };
  const [load, pressure] = await Promise.all([optional('loadAverage', () => readLoadavg(root)), optional('pressure', () => readPressure(root))]);
  return {
    loadAverage: load ? { load1: load.load1, load5: load.load5, load15: load.load15, runnable: load.runnable, total: load.total } : null,
    pressure,
  };
}

/**
 * The procfs fallback of the cpu family: /proc/stat, /proc/loadavg and /proc/pressure/cpu
 * under a root path (fixture trees in tests). Everything it reports is measured by the
 * kernel's own accounting (tick-sampled); run-queue latency it cannot measure.
 */
export class CpuProcfsSource implements Source<CpuMetrics> {
  readonly kind = 'procfs' as const;
  readonly name = 'cpu-procfs';
  #root = '/proc';
  #prev: { stat: ProcStat; at: number } | null = null;

  async init(context: SourceContext): Promise<void> {
    this.#root = context.config.procRoot;
    this.#prev = { stat: await readProcStat(this.#root), at: performance.now() };
  }

  async read(context: ReadContext): Promise<CpuMetrics> {
    const stat = await awaitOrAbort(readProcStat(this.#root), context.signal);
    const at = performance.now();
    const prev = this.#prev;
    this.#prev = { stat, at };
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
    const loadAndPressure = await awaitOrAbort(readLoadAndPressure(this.#root, unavailable), context.signal);
    return {
      countersSince: new Date(stat.bootTime * 1000).toISOString(),
      intervalMs: prev ? Math.round((at - prev.at) * 1000) / 1000 : null,
      total,
      perCpu,
      unmeasuredCpus: [],
      runQueueLatency: null,
      ...loadAndPressure,
      fieldSources: {},
      unavailable,
    };
  }

  async close(): Promise<void> {
    this.#prev = null;
  }
}

