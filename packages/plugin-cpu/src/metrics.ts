import { SOURCE_ATTRIBUTE, type FamilyMetricMapper, type MetricAttributes, type MetricSink, type SourceKind, metricDescriptorFor } from '@bpfscope/core';
import type { CpuField, CpuMetrics, CpuPressure, CpuTimeRecord } from './records.js';

const FAMILY = 'cpu';
const d = metricDescriptorFor(FAMILY);

const TIME = d('system.cpu.time', 'counter', 's', 'Seconds each logical CPU spent in each mode (in eBPF mode idle includes iowait, which is also given on its own).');
const BUSY = d('bpfscope.cpu.busy.time', 'counter', 's', 'Seconds each logical CPU was busy: eBPF, wall time of tasks other than the idle task plus interrupts served while idle; procfs, user + nice + system + irq + softirq + steal.');
const UTILIZATION = d('system.cpu.utilization', 'gauge', '1', 'Busy share of each logical CPU over the last interval, 0 to 1 (no cpu.mode: the share of everything but idle).');
const SWITCHES = d('bpfscope.cpu.context_switches', 'counter', '{context_switch}', 'Context switches, per logical CPU in eBPF mode, for all CPUs together from procfs.');
const RUNQ = d('bpfscope.cpu.runqueue.latency', 'histogram', 'ns', 'Time each task waited in a run queue before it ran, in the kernel’s log2 buckets (eBPF).');
const LOAD_1M = d('system.cpu.load_average.1m', 'gauge', '{thread}', 'Runnable plus uninterruptible tasks, exponentially averaged over 1 minute (/proc/loadavg).');
const LOAD_5M = d('system.cpu.load_average.5m', 'gauge', '{thread}', 'Runnable plus uninterruptible tasks, exponentially averaged over 5 minutes (/proc/loadavg).');
const LOAD_15M = d('system.cpu.load_average.15m', 'gauge', '{thread}', 'Runnable plus uninterruptible tasks, exponentially averaged over 15 minutes (/proc/loadavg).');
const RUNNABLE = d('bpfscope.cpu.runnable', 'updown', '{thread}', 'Scheduling entities runnable now (/proc/loadavg).');
const ENTITIES = d('bpfscope.cpu.scheduling_entities', 'updown', '{thread}', 'Scheduling entities that exist (/proc/loadavg).');
const PRESSURE = d('bpfscope.cpu.pressure', 'gauge', '1', 'Share of time in which tasks stalled waiting for a CPU, averaged over a window (PSI, /proc/pressure/cpu), 0 to 1.');
const STALL = d('bpfscope.cpu.pressure.stall_time', 'counter', 's', 'Total time in which tasks stalled waiting for a CPU, since boot (PSI, /proc/pressure/cpu).');

/** The CPU modes of a record, with their `cpu.mode` values (OpenTelemetry's, `softirq` as the Collector names it). */
const MODES: ReadonlyArray<readonly [keyof CpuTimeRecord & CpuField, string]> = [
  ['user', 'user'], ['nice', 'nice'], ['system', 'system'], ['idle', 'idle'], ['iowait', 'iowait'],
  ['irq', 'interrupt'], ['softirq', 'softirq'], ['steal', 'steal'],
];

/**
 * The cpu family's metric mapper: `system.cpu.time` by `cpu.mode` and
 * `cpu.logical_number`, `system.cpu.utilization`, the load averages, context switches,
 * CPU pressure and the run-queue latency histogram (`bpfscope.cpu.runqueue.latency`, in ns).
 * Per-CPU points where the family has a value for every CPU, else one point for all
 * CPUs together; a field the source could not measure gives no point. Each point's
 * `bpfscope.source` is the field's own source. The tables are in docs/metrics.md.
 */
export const cpuMetricMapper: FamilyMetricMapper<'cpu'> = {
  family: FAMILY,
  descriptors: [TIME, BUSY, UTILIZATION, SWITCHES, RUNQ, LOAD_1M, LOAD_5M, LOAD_15M, RUNNABLE, ENTITIES, PRESSURE, STALL],
  map(result, sink) {
    const data = result.data;
    const source = (field: CpuField): SourceKind => data.fieldSources[field] ?? result.source;
    const since = Date.parse(data.countersSince);
    for (const [field, mode] of MODES) perCpu(data, field, sink, (attrs, v) => sink.number(TIME, since, { ...attrs, 'cpu.mode': mode, [SOURCE_ATTRIBUTE]: source(field) }, v));
    perCpu(data, 'busy', sink, (attrs, v) => sink.number(BUSY, since, { ...attrs, [SOURCE_ATTRIBUTE]: source('busy') }, v));
    perCpu(data, 'busyPercent', sink, (attrs, v) => sink.number(UTILIZATION, null, { ...attrs, [SOURCE_ATTRIBUTE]: source('busyPercent') }, v / 100));
    perCpu(data, 'contextSwitches', sink, (attrs, v) => sink.number(SWITCHES, since, { ...attrs, [SOURCE_ATTRIBUTE]: source('contextSwitches') }, v));
    if (data.runQueueLatency !== null) {
      const start = data.runQueueLatencySince === null ? since : Date.parse(data.runQueueLatencySince);
      sink.histogram(RUNQ, start, { [SOURCE_ATTRIBUTE]: source('runQueueLatency') }, data.runQueueLatency, null);
    }
    const load = data.loadAverage;
    if (load !== null) {
      const attrs = { [SOURCE_ATTRIBUTE]: source('loadAverage') };
      sink.number(LOAD_1M, null, attrs, load.load1);
      sink.number(LOAD_5M, null, attrs, load.load5);
      sink.number(LOAD_15M, null, attrs, load.load15);
      sink.number(RUNNABLE, null, attrs, load.runnable);
      sink.number(ENTITIES, null, attrs, load.total);
    }
    if (data.pressure !== null) pressure(data.pressure, Date.parse(data.bootTime), source('pressure'), sink);
  },
};

/**
 * Write one field per CPU when every CPU record has it, else once for all CPUs together
 * (procfs counts context switches only in total); nothing when it is null there too.
 */
function perCpu(data: CpuMetrics, field: keyof CpuTimeRecord, sink: MetricSink, write: (attrs: MetricAttributes, value: number) => void): void {
  const cpus = data.perCpu;
  if (cpus.length > 0 && cpus.every((c) => c[field] !== null)) {
    for (const c of cpus) write({ 'cpu.logical_number': c.cpu }, c[field] as number);
    return;
  }
  const total = data.total[field];
  if (total !== null) write({}, total);
}

function pressure(p: CpuPressure, bootMs: number, source: SourceKind, sink: MetricSink): void {
  const scopes = [['some', p.some], ['full', p.full]] as const;
  for (const [scope, v] of scopes) {
    if (v === null) continue;
    const attrs = { 'bpfscope.pressure.scope': scope, [SOURCE_ATTRIBUTE]: source };
    sink.number(PRESSURE, null, { ...attrs, 'bpfscope.pressure.window': '10s' }, v.avg10 / 100);
    sink.number(PRESSURE, null, { ...attrs, 'bpfscope.pressure.window': '60s' }, v.avg60 / 100);
    sink.number(PRESSURE, null, { ...attrs, 'bpfscope.pressure.window': '300s' }, v.avg300 / 100);
    sink.number(STALL, bootMs, attrs, v.totalUs / 1e6);
  }
}
