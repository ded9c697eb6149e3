import { log2ToExponential, Snapshot, toMetricPoints, type FamilyResult, type MetricPointOptions, type MetricPoints, type MetricSeries, type ReadContext, type SourceContext } from '@bpfscope/core';
import { describe, expect, it } from 'vitest';
import { FixtureReader, ManualClock } from '../../../test/fixture-services.js';
import { fixturePath } from '../test/fixtures.js';
import { latencyHistogram } from './ebpf/block/latency-histogram.js';
import { fsLatencyToLog2, fsMetricMapper } from './metrics.js';
import { resolveFsOptions } from './options.js';
import { fs } from './plugin.js';
import { FsProcfsSource } from './procfs/fs-procfs-source.js';
import { FsSideReader } from './procfs/fs-side-reader.js';
import type { FsDevice, FsMetrics, FsMount } from './records.js';

const OPTIONS = resolveFsOptions({}, { blockObjectPath: '/none', fileObjectPath: '/none' });
const ctx = { signal: new AbortController().signal };

/** The fallback's reading of the debian12-vm capture (test/fixtures/README.md). */
async function fallbackReading(): Promise<FsMetrics> {
  const procfs = new FixtureReader(fixturePath('debian12-vm/proc'), fixturePath('debian12-vm/sys'));
  const src = new FsProcfsSource(OPTIONS, { procfs, clock: new ManualClock(5_000_000_000n, Date.UTC(2026, 11, 7)) }, new FsSideReader(procfs, OPTIONS));
  await src.init(ctx as SourceContext);
  return src.read(ctx as ReadContext);
}

function view(data: FsMetrics, source: 'ebpf' | 'procfs', options?: MetricPointOptions): MetricPoints {
  const result: FamilyResult = { family: 'fs', source, sourceName: `fs-${source}`, fallback: null, data, timestamp: 20, durationMs: 1 };
  const v = toMetricPoints(new Snapshot(20, new Map([['fs', result]]), []), [fsMetricMapper], options);
  expect(v.mapErrors).toEqual([]);
  return v;
}

const series = (v: MetricPoints, name: string): MetricSeries | undefined => v.series.find((s) => s.descriptor.name === name);
const at = (v: MetricPoints, name: string, match: Record<string, string | number>) =>
  (series(v, name)?.points ?? []).filter((p) => Object.entries(match).every(([k, x]) => p.attributes[k] === x)).map((p) => ('value' in p ? p.value : p.histogram));

describe('fsMetricMapper, fallback source (debian12-vm capture)', () => {
  it('devices: system.disk.* per direction from /proc/diskstats, times in s, no start time (counted since boot)', async () => {
    const v = view(await fallbackReading(), 'procfs');
    const vda = { 'bpfscope.source': 'procfs', 'system.device': 'vda' };
    expect(series(v, 'system.disk.io')!.points.filter((p) => p.attributes['system.device'] === 'vda').map((p) => [p.attributes, 'value' in p && p.value])).toEqual([
      [{ ...vda, 'disk.io.direction': 'read' }, 7877322 * 512],
      [{ ...vda, 'disk.io.direction': 'write' }, 10727968 * 512],
    ]);
    expect(at(v, 'system.disk.operations', vda)).toEqual([288359, 93271]);
    expect(at(v, 'system.disk.operation_time', vda)).toEqual([355.446, 96.205]);
    expect(at(v, 'system.disk.io_time', vda)).toEqual([74.896]);
    expect(at(v, 'bpfscope.fs.disk.discards', vda)).toEqual([260442]);
    expect(at(v, 'bpfscope.fs.disk.flushes', vda)).toEqual([453]);
    expect(at(v, 'bpfscope.fs.disk.in_flight', vda)).toEqual([0]);
    const io = series(v, 'system.disk.io')!;
    expect([io.descriptor.kind, io.descriptor.unit, io.startTimeMs, io.points.length]).toEqual(['counter', 'By', null, 20]); // 10 devices × 2
    expect(series(v, 'system.disk.operation_time')!.descriptor.unit).toBe('s');
    // No latency histogram and no kernel counter in the fallback.
    expect(series(v, 'bpfscope.fs.disk.latency')).toBeUndefined();
    expect(series(v, 'bpfscope.fs.kernel.invocations')).toBeUndefined();
  });

  it('mounts: used, free and reserved bytes and inodes of each statfs(2) result', async () => {
    const data = await fallbackReading();
    const v = view(data, 'procfs');
    expect(data.mounts.map((m) => m.mountPoint)).toContain('/');
    const usage = series(v, 'system.filesystem.usage')!;
    expect([usage.descriptor.kind, usage.descriptor.unit]).toEqual(['updown', 'By']);
    for (const m of data.mounts) {
      const points = at(v, 'system.filesystem.usage', { 'system.filesystem.mountpoint': m.mountPoint, 'system.device': m.device, 'system.filesystem.type': m.fsType });
      expect(points).toEqual([m.used, m.available, m.size - m.used - m.available]);
    }
    expect(usage.points.length).toBe(data.mounts.length * 3);
  });

  it('process detail only when asked: /proc/<pid>/io bytes, storage bytes and calls, without a start time; no file points', async () => {
    const data = await fallbackReading();
    expect(view(data, 'procfs').series.some((s) => s.descriptor.detail !== undefined)).toBe(false);
    const v = view(data, 'procfs', { detail: ['process', 'file'] });
    const node = { 'bpfscope.source': 'procfs', 'process.pid': 27070, 'process.executable.name': 'node' };
    expect(at(v, 'bpfscope.fs.process.io', node)).toEqual([250321, 12412]);
    expect(at(v, 'bpfscope.fs.process.storage.io', { ...node, 'disk.io.direction': 'write' })).toEqual([28672]);
    // syscr and syscw; opens and fsyncs are unavailable in the fallback: no point.
    expect(series(v, 'bpfscope.fs.process.operations')!.points.map((p) => [p.attributes['bpfscope.fs.operation'], 'value' in p && p.value])).toEqual([['read', 91], ['write', 7]]);
    expect(series(v, 'bpfscope.fs.process.io')!.startTimeMs).toBeNull();
    expect(series(v, 'bpfscope.fs.file.io')).toBeUndefined();
  });
});

describe('fsMetricMapper, eBPF-shaped reading', () => {
  const since = '2026-12-07T03:00:00.000Z';
  // A device as the block part decodes it (its test's write latency: buckets 3 and 5 µs-log2), values made up for the mapping.
  const write = latencyHistogram([0, 0, 0, 1, 0, 2], 95);
  const device: FsDevice = {
    name: 'loop0', major: 7, minor: 0, reads: 0, writes: 3, sectorsRead: 0, sectorsWritten: 2048, bytesRead: 0, bytesWritten: 1048576,
    discards: 0, sectorsDiscarded: 0, flushes: 2, inFlight: 1, readTimeMs: null, writeTimeMs: null, ioTimeMs: null,
    readLatency: latencyHistogram([], 0), writeLatency: write, source: 'ebpf',
  };
  const mount: FsMount = { mountPoint: '/', fsType: 'ext4', device: '/dev/vda1', dev: '254:1', size: 1000, used: 400, available: 550, inodesUsed: 7, inodesFree: 93, readOnly: false };
  const data: FsMetrics = {
    countersSince: since, intervalMs: null, fileCount: 1, filesLeftOut: 0, devices: [device], mounts: [mount],
    files: [{ dev: '254:1', inode: 2146349, path: '/tmp/f', pathStatus: 'resolved', opens: 1, closes: 1, reads: 0, writes: 3, bytesRead: 0, bytesWritten: 12345, fsyncs: 1, topProcesses: [] }],
    processes: [{ pid: 42, comm: 'w', reads: 0, writes: 3, bytesRead: 0, bytesWritten: 12345, opens: 1, fsyncs: 1, storageBytesRead: null, storageBytesWritten: null }],
    kernel: { invocations: 10, events: 4, drops: 1, delivered: 3, mapFull: 0 },
    skippedLines: {}, skippedMounts: {}, fieldSources: { mounts: 'procfs' }, unavailable: {}, errors: {},
  };

  it('the latency histogram keeps every kernel bucket (one to one, in µs) with its sum; operation time from the sums; counts from countersSince', () => {
    const v = view(data, 'ebpf');
    const lat = series(v, 'bpfscope.fs.disk.latency')!;
    expect([lat.descriptor.kind, lat.descriptor.unit, lat.startTimeMs]).toEqual(['histogram', 'us', Date.parse(since)]);
    const wp = lat.points.find((p) => p.attributes['disk.io.direction'] === 'write')!;
    if (!('histogram' in wp)) throw new Error('not a histogram point');
    // Kernel bucket 3 (8..15 µs) and 5 (32..63 µs): slots 4 and 6, [8,16) and [32,64).
    expect(wp.histogram.buckets.map((b) => [b.lowerBound, b.upperBound, b.count])).toEqual([[8, 16, 1], [32, 64, 2]]);
    expect(wp.sum).toBe(95);
    expect(wp.attributes).toEqual({ 'bpfscope.source': 'ebpf', 'system.device': 'loop0', 'disk.io.direction': 'write' });
    // OpenTelemetry's scale-0 form: index = kernel bucket, counts unchanged.
    const e = log2ToExponential(wp.histogram);
    expect([e.offset, e.bucketCounts, e.zeroCount]).toEqual([3, [1, 0, 2], 0]);
    expect(at(v, 'system.disk.operation_time', { 'disk.io.direction': 'write' })).toEqual([95 / 1e6]);
    expect(series(v, 'system.disk.io_time')).toBeUndefined();
    expect(at(v, 'system.disk.io', { 'disk.io.direction': 'write' })).toEqual([1048576]);
    expect(series(v, 'system.disk.io')!.startTimeMs).toBe(Date.parse(since));
    expect(at(v, 'system.filesystem.usage', { 'bpfscope.source': 'procfs', 'system.filesystem.mode': 'rw' })).toEqual([400, 550, 50]);
    expect(at(v, 'system.filesystem.inodes.usage', { 'system.filesystem.mountpoint': '/' })).toEqual([7, 93]);
    expect(at(v, 'bpfscope.fs.kernel.event_drops', { 'bpfscope.source': 'ebpf' })).toEqual([1]);
  });

  it('the first kernel bucket (0..1 µs) is the [1, 2) slot, not the zero bucket', () => {
    const h = fsLatencyToLog2(latencyHistogram([4, 1], 5));
    expect(h.buckets.map((b) => [b.index, b.lowerBound, b.upperBound, b.count])).toEqual([[1, 1, 2, 4], [2, 2, 4, 1]]);
    expect([h.unit, h.count]).toEqual(['us', 5]);
  });

  it('process and file detail: bytes and operations counted since the source started', () => {
    const v = view(data, 'ebpf', { detail: ['process', 'file'] });
    const w = { 'bpfscope.source': 'ebpf', 'process.pid': 42, 'process.executable.name': 'w' };
    expect(at(v, 'bpfscope.fs.process.operations', w)).toEqual([0, 3, 1, 1]);
    expect(series(v, 'bpfscope.fs.process.storage.io')).toBeUndefined();
    expect(series(v, 'bpfscope.fs.process.io')!.startTimeMs).toBe(Date.parse(since));
    const f = { 'bpfscope.source': 'ebpf', 'system.device': '254:1', 'file.inode': 2146349, 'file.path': '/tmp/f' };
    expect(at(v, 'bpfscope.fs.file.io', f)).toEqual([0, 12345]);
    expect(series(v, 'bpfscope.fs.file.operations')!.points.map((p) => [p.attributes['bpfscope.fs.operation'], 'value' in p && p.value])).toEqual([
      ['open', 1], ['close', 1], ['read', 0], ['write', 3], ['fsync', 1],
    ]);
  });

  it('processes read from /proc/<pid>/io in eBPF mode carry that source and no start time', () => {
    const v = view({ ...data, fieldSources: { mounts: 'procfs', processes: 'procfs' } }, 'ebpf', { detail: ['process'] });
    const io = series(v, 'bpfscope.fs.process.io')!;
    expect(io.startTimeMs).toBeNull();
    expect(io.points.every((p) => p.attributes['bpfscope.source'] === 'procfs')).toBe(true);
  });
});

describe('the fs plugin', () => {
  it('declares the mapper, whose descriptors are unique and of its family', () => {
    expect(fs().metricMappers).toEqual([fsMetricMapper]);
    const names = fsMetricMapper.descriptors.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    expect(fsMetricMapper.descriptors.every((d) => d.family === 'fs')).toBe(true);
  });
});
