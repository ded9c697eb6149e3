import { log2HistogramFromSlots, SOURCE_ATTRIBUTE, type FamilyMetricMapper, type Log2Histogram, type MetricDescriptor, type MetricSink, type SourceKind, metricDescriptorFor } from '@bpfscope/core';
import type { FsDevice, FsField, FsFile, FsLatencyHistogram, FsMetrics, FsMount, FsProcess } from './records.js';

const FAMILY = 'fs';

const descriptor = metricDescriptorFor(FAMILY);

const DISK_IO = descriptor('system.disk.io', 'counter', 'By', 'Bytes read from and written to a block device (sectors × 512).');
const DISK_OPERATIONS = descriptor('system.disk.operations', 'counter', '{operation}', 'Read and write requests a block device completed.');
const DISK_OPERATION_TIME = descriptor('system.disk.operation_time', 'counter', 's', 'Time spent on read and write requests, summed over requests.');
const DISK_IO_TIME = descriptor('system.disk.io_time', 'counter', 's', 'Time a block device had I/O in progress (/proc/diskstats io_ticks).');
const DISK_DISCARDS = descriptor('bpfscope.fs.disk.discards', 'counter', '{operation}', 'Discard requests (TRIM/UNMAP) a block device completed.');
const DISK_FLUSHES = descriptor('bpfscope.fs.disk.flushes', 'counter', '{operation}', 'Flush requests a block device completed (counted on the whole disk).');
const DISK_IN_FLIGHT = descriptor('bpfscope.fs.disk.in_flight', 'updown', '{operation}', 'Requests in flight on a block device at the reading.');
const DISK_LATENCY = descriptor('bpfscope.fs.disk.latency', 'histogram', 'us', 'Block request latency from the request\'s start to its completion, in the kernel\'s log2 µs buckets; the sum is the total (eBPF).');
const FS_USAGE = descriptor('system.filesystem.usage', 'updown', 'By', 'Bytes of a mounted filesystem used, free (to unprivileged users) and reserved (free only to root), from statfs(2).');
const FS_INODES = descriptor('system.filesystem.inodes.usage', 'updown', '{inode}', 'Inodes of a mounted filesystem used and free, from statfs(2).');
const KERNEL_INVOCATIONS = descriptor('bpfscope.fs.kernel.invocations', 'counter', '{invocation}', 'Runs of the kernel programs since they were loaded.');
const KERNEL_EVENT_DROPS = descriptor('bpfscope.fs.kernel.event_drops', 'counter', '{event}', 'Events lost because the ring buffer was full.');
const KERNEL_MAP_FULL = descriptor('bpfscope.fs.kernel.map_full', 'counter', '{entry}', 'Entries left out because a kernel map was full.');
const PROCESS_IO = descriptor('bpfscope.fs.process.io', 'counter', 'By', 'Bytes a process read and wrote through read-like and write-like calls (fallback: /proc/<pid>/io rchar, wchar).', 'process');
// Not process.disk.io: the proc family writes that one from the same file, and one name has one owner.
const PROCESS_DISK_IO = descriptor('bpfscope.fs.process.storage.io', 'counter', 'By', 'Bytes a process caused to be read from and written to storage (/proc/<pid>/io read_bytes, write_bytes; the proc family gives the same as process.disk.io).', 'process');
const PROCESS_OPERATIONS = descriptor('bpfscope.fs.process.operations', 'counter', '{operation}', 'Reads, writes, opens and fsyncs of a process (fallback: syscr and syscw, every read-like and write-like call).', 'process');
const FILE_IO = descriptor('bpfscope.fs.file.io', 'counter', 'By', 'Bytes read from and written to one file since the source started (eBPF).', 'file');
const FILE_OPERATIONS = descriptor('bpfscope.fs.file.operations', 'counter', '{operation}', 'Opens, closes, reads, writes and fsyncs of one file since the source started (eBPF).', 'file');

type Attrs = Record<string, string | number>;
type Ctx = { sink: MetricSink; data: FsMetrics; source: SourceKind; since: number | null };

const from = (c: Ctx, field: FsField): Attrs => ({ [SOURCE_ATTRIBUTE]: c.data.fieldSources[field] ?? c.source });

/**
 * The kernel's µs buckets as a core log2 histogram: its bucket i (2^i to 2^(i+1)−1 whole µs)
 * is slot i+1, one to one, so no bucket is lost or merged. Its bucket 0 also holds requests
 * under 1 µs (the kernel truncates to whole µs and cannot tell 0 from 1): they count in [1, 2).
 * @internal
 */
export function fsLatencyToLog2(h: FsLatencyHistogram): Log2Histogram {
  return log2HistogramFromSlots([0, ...h.buckets], 'us');
}

function readWrite(c: Ctx, d: MetricDescriptor, start: number | null, a: Attrs, read: number | null, write: number | null, key = 'disk.io.direction'): void {
  if (read !== null) c.sink.number(d, start, { ...a, [key]: 'read' }, read);
  if (write !== null) c.sink.number(d, start, { ...a, [key]: 'write' }, write);
}

function mapDevice(c: Ctx, d: FsDevice): void {
  const a: Attrs = { [SOURCE_ATTRIBUTE]: d.source, 'system.device': d.name };
  // eBPF counts from the source's start; /proc/diskstats and sysfs from boot, a time the data does not carry.
  const start = d.source === 'ebpf' ? c.since : null;
  readWrite(c, DISK_IO, start, a, d.bytesRead, d.bytesWritten);
  readWrite(c, DISK_OPERATIONS, start, a, d.reads, d.writes);
  const ms = (v: number | null): number | null => (v === null ? null : v / 1000);
  const us = (h: FsLatencyHistogram | null): number | null => (h === null ? null : h.sumUs / 1e6);
  readWrite(c, DISK_OPERATION_TIME, start, a, d.readTimeMs !== null ? ms(d.readTimeMs) : us(d.readLatency), d.writeTimeMs !== null ? ms(d.writeTimeMs) : us(d.writeLatency));
  if (d.ioTimeMs !== null) c.sink.number(DISK_IO_TIME, start, a, d.ioTimeMs / 1000);
  if (d.discards !== null) c.sink.number(DISK_DISCARDS, start, a, d.discards);
  if (d.flushes !== null) c.sink.number(DISK_FLUSHES, start, a, d.flushes);
  c.sink.number(DISK_IN_FLIGHT, null, a, d.inFlight);
  if (d.readLatency !== null) c.sink.histogram(DISK_LATENCY, start, { ...a, 'disk.io.direction': 'read' }, fsLatencyToLog2(d.readLatency), d.readLatency.sumUs);
  if (d.writeLatency !== null) c.sink.histogram(DISK_LATENCY, start, { ...a, 'disk.io.direction': 'write' }, fsLatencyToLog2(d.writeLatency), d.writeLatency.sumUs);
}

function mapMount(c: Ctx, m: FsMount): void {
  const a: Attrs = {
    ...from(c, 'mounts'), 'system.device': m.device, 'system.filesystem.mountpoint': m.mountPoint,
    'system.filesystem.type': m.fsType, 'system.filesystem.mode': m.readOnly ? 'ro' : 'rw',
  };
  // used = (blocks − bfree), free = bavail: what is left between them is reserved for root (bfree − bavail).
  const reserved = m.size - m.used - m.available;
  c.sink.number(FS_USAGE, null, { ...a, 'system.filesystem.state': 'used' }, m.used);
  c.sink.number(FS_USAGE, null, { ...a, 'system.filesystem.state': 'free' }, m.available);
  if (reserved >= 0) c.sink.number(FS_USAGE, null, { ...a, 'system.filesystem.state': 'reserved' }, reserved);
  if (m.inodesUsed !== null) c.sink.number(FS_INODES, null, { ...a, 'system.filesystem.state': 'used' }, m.inodesUsed);
  if (m.inodesFree !== null) c.sink.number(FS_INODES, null, { ...a, 'system.filesystem.state': 'free' }, m.inodesFree);
}

function mapProcess(c: Ctx, p: FsProcess): void {
  const who = { 'process.pid': p.pid, 'process.executable.name': p.comm };
  // Counted by the kernel programs since the source started, or read from /proc/<pid>/io over the process's life (no start time).
  const counted = c.source === 'ebpf' && c.data.fieldSources.processes === undefined;
  const start = counted ? c.since : null;
  const a = { ...from(c, 'processes'), ...who };
  readWrite(c, PROCESS_IO, start, a, p.bytesRead, p.bytesWritten);
  readWrite(c, PROCESS_DISK_IO, null, { ...from(c, 'processes.storageBytes'), ...who }, p.storageBytesRead, p.storageBytesWritten);
  readWrite(c, PROCESS_OPERATIONS, start, a, p.reads, p.writes, 'bpfscope.fs.operation');
  if (p.opens !== null) c.sink.number(PROCESS_OPERATIONS, start, { ...a, 'bpfscope.fs.operation': 'open' }, p.opens);
  if (p.fsyncs !== null) c.sink.number(PROCESS_OPERATIONS, start, { ...a, 'bpfscope.fs.operation': 'fsync' }, p.fsyncs);
}

function mapFile(c: Ctx, f: FsFile): void {
  const a: Attrs = { ...from(c, 'files'), 'system.device': f.dev, 'file.inode': f.inode };
  if (f.path !== null) a['file.path'] = f.path;
  readWrite(c, FILE_IO, c.since, a, f.bytesRead, f.bytesWritten);
  const ops: Array<[string, number | null]> = [['open', f.opens], ['close', f.closes], ['read', f.reads], ['write', f.writes], ['fsync', f.fsyncs]];
  for (const [op, n] of ops) if (n !== null) c.sink.number(FILE_OPERATIONS, c.since, { ...a, 'bpfscope.fs.operation': op }, n);
}

/**
 * The fs family's metric points: per block device bytes, requests, time and (eBPF) latency
 * histograms in the kernel's µs buckets (`system.disk.*`, `bpfscope.fs.disk.*`); per mounted
 * filesystem its usage (`system.filesystem.usage`, inodes); the kernel programs' counters;
 * and as opt-in detail, per-process I/O (`process`) and per-file I/O (`file`, eBPF), in the
 * family's order (most bytes first). The table is in docs/metrics.md.
 */
export const fsMetricMapper: FamilyMetricMapper<'fs'> = Object.freeze<FamilyMetricMapper<'fs'>>({
  family: FAMILY,
  descriptors: Object.freeze([
    DISK_IO, DISK_OPERATIONS, DISK_OPERATION_TIME, DISK_IO_TIME, DISK_DISCARDS, DISK_FLUSHES, DISK_IN_FLIGHT, DISK_LATENCY,
    FS_USAGE, FS_INODES, KERNEL_INVOCATIONS, KERNEL_EVENT_DROPS, KERNEL_MAP_FULL,
    PROCESS_IO, PROCESS_DISK_IO, PROCESS_OPERATIONS, FILE_IO, FILE_OPERATIONS,
  ]),
  map(result, sink) {
    const data = result.data;
    const t = Date.parse(data.countersSince);
    const c: Ctx = { sink, data, source: result.source, since: Number.isFinite(t) ? t : null };
    for (const d of data.devices) mapDevice(c, d);
    for (const m of data.mounts) mapMount(c, m);
    if (data.kernel !== null) {
      // Counters of the loaded programs, a time the data does not carry.
      const src = from(c, 'kernel');
      sink.number(KERNEL_INVOCATIONS, null, src, data.kernel.invocations);
      sink.number(KERNEL_EVENT_DROPS, null, src, data.kernel.drops);
      sink.number(KERNEL_MAP_FULL, null, src, data.kernel.mapFull);
    }
    if (sink.wants('process')) for (const p of data.processes) mapProcess(c, p);
    if (sink.wants('file')) for (const f of data.files) mapFile(c, f);
  },
});
