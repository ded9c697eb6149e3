import { SOURCE_ATTRIBUTE, type FamilyMetricMapper, type MetricSink, type SourceKind, metricDescriptorFor } from '@bpfscope/core';
import type { ProcessRecord, ProcMetricField, ProcMetrics } from './records.js';

const FAMILY = 'proc';
const d = metricDescriptorFor(FAMILY);

const COUNT = d('system.process.count', 'updown', '{process}', 'Processes in the table by state (process.state) when every one of them was listed; else their number alone (a filter or top-K left some out). With a pids selection, the table holds only those PIDs.');
const CPU_TIME = d('process.cpu.time', 'counter', 's', 'CPU seconds of each process by mode (user, system), all its threads, since it started.', 'process');
const RUNTIME = d('bpfscope.proc.cpu.runtime', 'counter', 's', 'Exact CPU time of each process (the scheduler’s sum_exec_runtime of all its threads; eBPF only).', 'process');
const CPU_USAGE = d('bpfscope.proc.cpu.usage', 'gauge', '{cpu}', 'CPUs each process kept busy on average over the last interval (1 = one CPU).', 'process');
const MEMORY = d('process.memory.usage', 'updown', 'By', 'Resident set size of each process (VmRSS).', 'process');
const VIRTUAL = d('process.memory.virtual', 'updown', 'By', 'Virtual memory size of each process.', 'process');
const THREADS = d('process.thread.count', 'updown', '{thread}', 'Threads of each process.', 'process');
const FAULTS = d('process.paging.faults', 'counter', '{fault}', 'Page faults of each process since it started, major and minor.', 'process');
const DISK_IO = d('process.disk.io', 'counter', 'By', 'Bytes each process caused to be read from and written to storage (io read_bytes, write_bytes), its reaped children included.', 'process');
const SWITCHES = d('bpfscope.proc.main_thread.context_switches', 'counter', '{context_switch}', 'Voluntary and involuntary context switches of each process’s main thread (as /proc/<pid>/status counts them).', 'process');
const UPTIME = d('process.uptime', 'gauge', 's', 'Time since each process started, at the reading (its start is known to the second of the boot time).', 'process');

/**
 * `process.state` values for the one-letter scheduler states: OpenTelemetry's `running`,
 * `sleeping`, `stopped`, `defunct`, and names of our own for the other Linux states.
 */
const STATES: Readonly<Record<string, string>> = {
  R: 'running', S: 'sleeping', D: 'blocked', I: 'idle', T: 'stopped', t: 'stopped', Z: 'defunct', X: 'dead', P: 'parked', W: 'waking', K: 'wakekill',
};

/**
 * The proc family's metric mapper: `system.process.count` by `process.state`, and, as
 * opt-in detail (`detail: ['process']`), each listed process's CPU time, CPU use, memory,
 * threads, page faults, disk I/O, context switches and uptime with `process.pid` and
 * `process.executable.name` (the command name), in the family's own order (PID order, or
 * its top K). A field the source could not read gives no point; each point's
 * `bpfscope.source` is its record's (or its field's) own source. The tables are in docs/metrics.md.
 */
export const procMetricMapper: FamilyMetricMapper<'proc'> = {
  family: FAMILY,
  descriptors: [COUNT, CPU_TIME, RUNTIME, CPU_USAGE, MEMORY, VIRTUAL, THREADS, FAULTS, DISK_IO, SWITCHES, UPTIME],
  map(result, sink) {
    const data = result.data;
    processCount(data, result.source, sink);
    if (!sink.wants('process')) return;
    // Each process counts from its own start, which is after boot: boot is a valid start for every series.
    const since = data.countersSince === null ? null : Date.parse(data.countersSince);
    for (const p of data.processes) processPoints(p, data, since, result.timestamp, sink);
  },
};

function processCount(data: ProcMetrics, source: SourceKind, sink: MetricSink): void {
  if (data.processes.length !== data.total) {
    sink.number(COUNT, null, { [SOURCE_ATTRIBUTE]: source }, data.total);
    return;
  }
  const byState = new Map<string, number>();
  for (const p of data.processes) {
    const state = STATES[p.state] ?? 'unknown';
    byState.set(state, (byState.get(state) ?? 0) + 1);
  }
  for (const [state, n] of [...byState].sort(([a], [b]) => a.localeCompare(b))) sink.number(COUNT, null, { 'process.state': state, [SOURCE_ATTRIBUTE]: source }, n);
}

function processPoints(p: ProcessRecord, data: ProcMetrics, since: number | null, timestamp: number, sink: MetricSink): void {
  // A record read from procfs (the procfs source, or a process the task iterator missed) is procfs throughout.
  const source = (field?: ProcMetricField): SourceKind => (p.source === 'procfs' || field === undefined ? p.source : data.fieldSources[field] ?? p.source);
  const who = { 'process.pid': p.pid, 'process.executable.name': p.comm, [SOURCE_ATTRIBUTE]: source() };
  sink.number(CPU_TIME, since, { ...who, 'cpu.mode': 'user' }, p.userSeconds);
  sink.number(CPU_TIME, since, { ...who, 'cpu.mode': 'system' }, p.systemSeconds);
  if (p.runtimeSeconds !== null) sink.number(RUNTIME, since, { ...who, [SOURCE_ATTRIBUTE]: source('runtime') }, p.runtimeSeconds);
  if (p.cpuPercent !== null) sink.number(CPU_USAGE, null, { ...who, [SOURCE_ATTRIBUTE]: source('cpuPercent') }, p.cpuPercent / 100);
  sink.number(MEMORY, null, who, p.rssBytes);
  sink.number(VIRTUAL, null, who, p.vsizeBytes);
  sink.number(THREADS, null, who, p.threads);
  sink.number(FAULTS, since, { ...who, 'system.paging.fault.type': 'major' }, p.majorFaults);
  sink.number(FAULTS, since, { ...who, 'system.paging.fault.type': 'minor' }, p.minorFaults);
  const io = { ...who, [SOURCE_ATTRIBUTE]: source('io') };
  if (p.ioReadBytes !== null) sink.number(DISK_IO, since, { ...io, 'disk.io.direction': 'read' }, p.ioReadBytes);
  if (p.ioWriteBytes !== null) sink.number(DISK_IO, since, { ...io, 'disk.io.direction': 'write' }, p.ioWriteBytes);
  if (p.voluntaryCtxtSwitches !== null) sink.number(SWITCHES, since, { ...who, [SOURCE_ATTRIBUTE]: source('voluntaryCtxtSwitches'), 'process.context_switch.type': 'voluntary' }, p.voluntaryCtxtSwitches);
  if (p.nonvoluntaryCtxtSwitches !== null) sink.number(SWITCHES, since, { ...who, [SOURCE_ATTRIBUTE]: source('nonvoluntaryCtxtSwitches'), 'process.context_switch.type': 'involuntary' }, p.nonvoluntaryCtxtSwitches);
  // A start after the reading (clocks out of step) is no uptime to report.
  const uptime = p.startTime === null ? null : timestamp / 1000 - p.startTime;
  if (uptime !== null && uptime >= 0) sink.number(UPTIME, null, { ...who, [SOURCE_ATTRIBUTE]: source('startTime') }, uptime);
}
