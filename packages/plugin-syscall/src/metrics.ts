import { SOURCE_ATTRIBUTE, type FamilyMetricMapper, type MetricAttributes, type MetricSink, metricDescriptorFor } from '@bpfscope/core';
import type { ProcessCallStat, ProcessSyscallRecord, SyscallMetrics, SyscallStat } from './records.js';

const FAMILY = 'syscall';

const descriptor = metricDescriptorFor(FAMILY);

const COUNT = descriptor('bpfscope.syscall.count', 'counter', '{syscall}', 'System calls made, per call.');
const ERRORS = descriptor('bpfscope.syscall.errors', 'counter', '{syscall}', 'System calls that returned an error (-4095..-1), per call (eBPF, latency mode).');
const DURATION = descriptor('bpfscope.syscall.duration', 'histogram', 'ns', 'Time from entry to return of each call, per call, in the kernel\'s log2 buckets; the sum is the total time (eBPF, latency mode).');
const INVOCATIONS = descriptor('bpfscope.syscall.kernel.invocations', 'counter', '{invocation}', 'Runs of the kernel programs, counted since their object (shared by the engines of a process) was loaded.');
const DROPS = descriptor('bpfscope.syscall.kernel.drops', 'counter', '{entry}', 'Entries the kernel programs lost because a map was full, since their object was loaded.');
const PROCESS_COUNT = descriptor('bpfscope.syscall.process.count', 'counter', '{syscall}', 'System calls made by one process, per call (eBPF, per-process detail on).', 'process');
const PROCESS_ERRORS = descriptor('bpfscope.syscall.process.errors', 'counter', '{syscall}', 'System calls of one process that returned an error, per call (eBPF, latency mode).', 'process');
const PROCESS_TIME = descriptor('bpfscope.syscall.process.time', 'counter', 'ns', 'Time one process spent in system calls, per call (eBPF, latency mode).', 'process');
const PROCESS_IO_CALLS = descriptor('bpfscope.syscall.process.io_calls', 'counter', '{syscall}', 'Read-class and write-class calls of one process since it started, from /proc/<pid>/io syscr and syscw (procfs).', 'process');

/** When the counters began, ms since the epoch: the family's `countersSince` when it is a time (eBPF: program attach), else null (procfs: each process's own start). */
function startOf(data: SyscallMetrics): number | null {
  const t = Date.parse(data.countersSince);
  return Number.isFinite(t) ? t : null;
}

function callAttributes(source: string, call: { id: number; name: string | null }): Record<string, string | number> {
  const a: Record<string, string | number> = { [SOURCE_ATTRIBUTE]: source, 'syscall.id': call.id };
  if (call.name !== null) a['syscall.name'] = call.name;
  return a;
}

function processAttributes(source: string, p: ProcessSyscallRecord): Record<string, string | number> {
  const a: Record<string, string | number> = { [SOURCE_ATTRIBUTE]: source, 'process.pid': p.pid };
  if (p.comm !== null) a['process.executable.name'] = p.comm;
  return a;
}

function mapSyscall(sink: MetricSink, source: string, start: number | null, s: SyscallStat): void {
  const a: MetricAttributes = { ...callAttributes(source, s), 'syscall.category': s.category };
  sink.number(COUNT, start, a, s.count);
  if (s.errors !== null) sink.number(ERRORS, start, a, s.errors);
  if (s.latency !== null) sink.histogram(DURATION, start, a, s.latency, s.totalNs);
}

function mapProcess(sink: MetricSink, source: string, start: number | null, p: ProcessSyscallRecord): void {
  const pa = processAttributes(source, p);
  for (const c of p.bySyscall ?? ([] as ProcessCallStat[])) {
    const a: MetricAttributes = { ...pa, ...callAttributes(source, c) };
    sink.number(PROCESS_COUNT, start, a, c.count);
    if (c.errors !== null) sink.number(PROCESS_ERRORS, start, a, c.errors);
    if (c.totalNs !== null) sink.number(PROCESS_TIME, start, a, c.totalNs);
  }
  // procfs counts from each process's start, which the record does not carry: no start time.
  if (p.readCalls !== null) sink.number(PROCESS_IO_CALLS, null, { ...pa, 'bpfscope.syscall.class': 'read' }, p.readCalls);
  if (p.writeCalls !== null) sink.number(PROCESS_IO_CALLS, null, { ...pa, 'bpfscope.syscall.class': 'write' }, p.writeCalls);
}

/**
 * The syscall family's metric points: calls, errors and a latency histogram (ns, the
 * kernel's log2 buckets) per system call; the eBPF programs' own runs and drops; and, as
 * opt-in `process` detail, calls, errors and time per process and call (eBPF) or
 * read-class and write-class calls per process (procfs), in the family's order (most calls
 * first). Counters count from `countersSince` (program attach). Fields the source could not
 * measure give no point. The table is in docs/metrics.md.
 */
export const syscallMetricMapper: FamilyMetricMapper<'syscall'> = Object.freeze<FamilyMetricMapper<'syscall'>>({
  family: FAMILY,
  descriptors: Object.freeze([COUNT, ERRORS, DURATION, INVOCATIONS, DROPS, PROCESS_COUNT, PROCESS_ERRORS, PROCESS_TIME, PROCESS_IO_CALLS]),
  map(result, sink) {
    const data = result.data;
    const source = result.source;
    const start = startOf(data);
    for (const s of data.syscalls) mapSyscall(sink, source, start, s);
    if (data.kernel !== null) {
      // Object-wide counters, from the shared object's load, which the data does not carry: no start time.
      sink.number(INVOCATIONS, null, { [SOURCE_ATTRIBUTE]: source }, data.kernel.invocations);
      sink.number(DROPS, null, { [SOURCE_ATTRIBUTE]: source }, data.kernel.drops);
    }
    if (sink.wants('process')) for (const p of data.processes) mapProcess(sink, source, start, p);
  },
});
