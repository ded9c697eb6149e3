import { DataUnavailable, type ReadContext, type SourceContext } from '@bpfscope/core';
import { describe, expect, it } from 'vitest';
import { FixtureReader, ManualClock } from '../../../../test/fixture-services.js';
import { fixturePath } from '../../test/fixtures.js';
import { resolveFsOptions, type ResolvedFsOptions } from '../options.js';
import { FALLBACK_UNAVAILABLE } from './fallback-reasons.js';
import { FsProcfsSource } from './fs-procfs-source.js';
import { FsSideReader } from './fs-side-reader.js';

const OPTIONS = resolveFsOptions({}, { blockObjectPath: '/none', fileObjectPath: '/none' });
const ctx = { signal: new AbortController().signal };

function source(procTree: string, sysTree = 'debian12-vm', options: ResolvedFsOptions = OPTIONS): { src: FsProcfsSource; procfs: FixtureReader; clock: ManualClock } {
  const procfs = new FixtureReader(fixturePath(`${procTree}/proc`), fixturePath(`${sysTree}/sys`));
  const clock = new ManualClock(5_000_000_000n, Date.UTC(2026, 11, 7));
  return { src: new FsProcfsSource(options, { procfs, clock }, new FsSideReader(procfs, options)), procfs, clock };
}

describe('FsProcfsSource over a capture', () => {
  it('devices: the counters of /proc/diskstats since boot, bytes = sectors × 512, no latency histograms', async () => {
    const { src } = source('debian12-vm');
    await src.init(ctx as SourceContext);
    const m = await src.read(ctx as ReadContext);
    expect(m.devices.map((d) => d.name)).toEqual(['loop0', 'loop1', 'loop2', 'loop3', 'loop4', 'loop5', 'loop6', 'loop7', 'vda', 'zram0']);
    expect(m.devices.find((d) => d.name === 'vda')).toEqual({
      name: 'vda', major: 254, minor: 0, reads: 288359, writes: 93271, sectorsRead: 7877322, sectorsWritten: 10727968,
      bytesRead: 7877322 * 512, bytesWritten: 10727968 * 512, discards: 260442, sectorsDiscarded: 7276784, flushes: 453,
      inFlight: 0, readTimeMs: 355446, writeTimeMs: 96205, ioTimeMs: 74896, readLatency: null, writeLatency: null, source: 'procfs',
    });
    expect(m.unavailable['devices.latency']).toMatch(/not a distribution per request/);
    expect(m.fieldSources).toEqual({});
  });

  it('processes: /proc/<pid>/io over the process\'s life; opens and fsyncs null with the reason', async () => {
    const { src } = source('debian12-vm');
    await src.init(ctx as SourceContext);
    const m = await src.read(ctx as ReadContext);
    expect(m.processes).toEqual([{
      pid: 27070, comm: 'node', reads: 91, writes: 7, bytesRead: 250321, bytesWritten: 12412, opens: null, fsyncs: null, storageBytesRead: 4096, storageBytesWritten: 28672,
    }]);
    expect(m.unavailable['processes.opens']).toBe(FALLBACK_UNAVAILABLE['processes.opens']);
    expect(m.unavailable['processes.fsyncs']).toBe(FALLBACK_UNAVAILABLE['processes.fsyncs']);
  });

  it('minBytes and topK cut the processes', async () => {
    const { src } = source('debian12-vm', 'debian12-vm', { ...OPTIONS, minBytes: 250321 + 12412 + 1 });
    await src.init(ctx as SourceContext);
    expect((await src.read(ctx as ReadContext)).processes).toEqual([]);
    const k0 = source('debian12-vm', 'debian12-vm', { ...OPTIONS, topK: 0 }).src;
    await k0.init(ctx as SourceContext);
    expect((await k0.read(ctx as ReadContext)).processes).toEqual([]);
  });

  it('files are off by default and unavailable with the reason; no kernel counters', async () => {
    const { src } = source('debian12-vm');
    await src.init(ctx as SourceContext);
    const m = await src.read(ctx as ReadContext);
    expect({ files: m.files, fileCount: m.fileCount, filesLeftOut: m.filesLeftOut, kernel: m.kernel }).toEqual({ files: [], fileCount: 0, filesLeftOut: 0, kernel: null });
    expect(m.unavailable.files).toMatch(/^off: with the files option the fallback lists the regular files processes hold open/);
    expect(m.unavailable.kernel).toBeDefined();
  });

  it('the interval is the clock\'s time between readings; counters count since the start', async () => {
    const { src, clock } = source('debian12-vm');
    await src.init(ctx as SourceContext);
    const first = await src.read(ctx as ReadContext);
    clock.advance(1500);
    const second = await src.read(ctx as ReadContext);
    expect([first.intervalMs, second.intervalMs]).toEqual([null, 1500]);
    expect(second.countersSince).toBe('2026-12-07T00:00:00.000Z');
  });
});

describe('FsProcfsSource over bad input', () => {
  it('malformed diskstats lines and io files are skipped and counted, a process gone meanwhile left out silently; the rest is read', async () => {
    const { src } = source('malformed');
    await src.init(ctx as SourceContext);
    const m = await src.read(ctx as ReadContext);
    expect(m.devices.map((d) => d.name)).toEqual(['loop0', 'loop1', 'loop4', 'loop5', 'loop6', 'loop7', 'zram0']);
    expect(m.skippedLines).toEqual({ diskstats: 3, '<pid>/io': 2, 'self/mountinfo': 1 });
    expect(m.processes).toEqual([]);
    expect(m.unavailable.processes).toBeUndefined(); // 4244 exited: not refused, not malformed
    expect(m.errors).toEqual({});
  });

  it('without /proc/diskstats the devices come from /sys/block/<dev>/stat, marked sysfs', async () => {
    const { src } = source('generations');
    await src.init(ctx as SourceContext);
    const m = await src.read(ctx as ReadContext);
    expect(m.fieldSources.devices).toBe('sysfs');
    expect(m.devices.map((d) => [d.name, d.major, d.minor, d.reads, d.sectorsWritten, d.source])).toEqual([
      ['loop0', 7, 0, 0, 0, 'sysfs'], ['vda', 254, 0, 288359, 10727968, 'sysfs'], ['zram0', 253, 0, 0, 0, 'sysfs'],
    ]);
    expect(m.errors.mounts).toBeInstanceOf(DataUnavailable); // that tree has no self/mountinfo either
  });

  it('with neither, init fails with DataUnavailable; if they vanish later, devices is the taxonomy error and the rest is read', async () => {
    const none = source('generations', 'generations').src;
    await expect(none.init(ctx as SourceContext)).rejects.toBeInstanceOf(DataUnavailable);
    const { src, procfs } = source('debian12-vm');
    await src.init(ctx as SourceContext);
    procfs.use(fixturePath('generations'), fixturePath('generations'));
    const m = await src.read(ctx as ReadContext);
    expect(m.devices).toEqual([]);
    expect(m.errors.devices).toBeInstanceOf(DataUnavailable);
    expect(m.errors.devices?.message).toMatch(/generations\/diskstats/);
  });
});
