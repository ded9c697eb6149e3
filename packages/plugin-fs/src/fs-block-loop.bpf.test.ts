// Block I/O on a real block device: a loop device over a file, an ext4 filesystem on it, a
// file written once before the window, then N MiB written over it with O_DIRECT by dd (a
// child process). Over that window the device's write bytes rise by exactly N MiB, and its
// write requests and the write histogram's count by exactly what /sys/block/loopX/stat
// counts. The filesystem has no journal and is mounted with lazytime, and its tables are
// initialised by mkfs, so nothing else writes to the device in the window.
import { expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';
import { blockStat, dd } from '../test/loop-device.js';
import { useLoopSource } from '../test/loop-source.js';
import { NativeObjectLoader } from '@bpfscope/native';
import { blockLayouts } from './ebpf/block/block-layouts.js';
import { devOf } from './ebpf/block/decode-devices.js';
import { FS_BLOCK_OBJECT_PATH } from './object-path.js';
import type { FsDevice, FsMetrics } from './records.js';

const read = { signal: new AbortController().signal };
const MiB = 1 << 20;

const deviceOf = (m: FsMetrics, name: string): FsDevice | undefined => m.devices.find((d) => d.name === name);

describeKernel('fs eBPF source: block I/O on a loop device with ext4, exact against /sys/block/<dev>/stat', () => {
  const N = 8;
  const setup = useLoopSource(N);

  it('counts N MiB written with O_DIRECT, and as many write requests and latencies as the kernel counts', async () => {
    const dev = setup.loop();
    const before = deviceOf(await setup.source().read(read), dev.name);
    const statBefore = blockStat(dev.name);
    await dd(['if=/dev/zero', `of=${dev.mountPoint}/data`, 'bs=64K', `count=${N * 16}`, 'oflag=direct', 'conv=notrunc']);
    const statAfter = blockStat(dev.name);
    const after = deviceOf(await setup.source().read(read), dev.name);
    expect(after, `${dev.name} in devices`).toBeDefined();
    const kernelWrites = statAfter.writes - statBefore.writes;
    const d = {
      bytesWritten: after!.bytesWritten - (before?.bytesWritten ?? 0),
      sectorsWritten: after!.sectorsWritten - (before?.sectorsWritten ?? 0),
      writes: after!.writes - (before?.writes ?? 0),
      histogram: after!.writeLatency!.count - (before?.writeLatency?.count ?? 0),
      reads: after!.reads - (before?.reads ?? 0),
    };
    expect(d).toEqual({
      bytesWritten: N * MiB,
      sectorsWritten: statAfter.sectorsWritten - statBefore.sectorsWritten,
      writes: kernelWrites,
      histogram: kernelWrites,
      reads: statAfter.reads - statBefore.reads,
    });
    expect(kernelWrites).toBeGreaterThan(0);
    expect(after!.major + ':' + after!.minor).toBe(dev.dev);
    const h = after!.writeLatency!;
    expect(h.buckets.reduce((a, b) => a + b, 0)).toBe(h.count);
    expect(h.p50Us! <= h.p95Us! && h.p95Us! <= h.p99Us!).toBe(true);
    expect(after!.source).toBe('ebpf');
  });

  it('counts a buffered write with fsync (through the flush machinery) as the kernel does, flushes apart', async () => {
    const dev = setup.loop();
    const flushes = async (): Promise<number> => {
      const handle = await new NativeObjectLoader().load({ path: FS_BLOCK_OBJECT_PATH });
      try {
        const key = new Uint8Array(4);
        new DataView(key.buffer).setUint32(0, devOf(dev.dev)!, true);
        const at = blockLayouts(handle.structLayouts()).dev.ios + 3 * 8;
        const cpus = handle.object.map('fs_blk_dev').lookupPerCpu(key) ?? [];
        return cpus.reduce((s, v) => s + Number(new DataView(v.buffer, v.byteOffset).getBigUint64(at, true)), 0);
      } finally {
        handle.close();
      }
    };
    const before = deviceOf(await setup.source().read(read), dev.name)!;
    const [statBefore, flushesBefore] = [blockStat(dev.name), await flushes()];
    await dd(['if=/dev/zero', `of=${dev.mountPoint}/data`, 'bs=1M', `count=${N}`, 'conv=notrunc,fsync']);
    await dd(['if=/dev/zero', `of=${dev.mountPoint}/small`, 'bs=4K', 'count=3', 'conv=fsync']);
    const [statAfter, flushesAfter] = [blockStat(dev.name), await flushes()];
    const after = deviceOf(await setup.source().read(read), dev.name)!;
    expect({
      reads: after.reads - before.reads,
      writes: after.writes - before.writes,
      sectorsRead: after.sectorsRead - before.sectorsRead,
      sectorsWritten: after.sectorsWritten - before.sectorsWritten,
      flushes: flushesAfter - flushesBefore,
    }).toEqual({
      reads: statAfter.reads - statBefore.reads,
      writes: statAfter.writes - statBefore.writes,
      sectorsRead: statAfter.sectorsRead - statBefore.sectorsRead,
      sectorsWritten: statAfter.sectorsWritten - statBefore.sectorsWritten,
      flushes: statAfter.flushes - statBefore.flushes,
    });
    expect(statAfter.flushes - statBefore.flushes).toBeGreaterThan(0);
  });

  it('without a file part: files unavailable, processes from /proc/<pid>/io (no opens or fsyncs, said why), mounts from procfs', async () => {
    const m = await setup.source().read(read);
    expect(m.files).toEqual([]);
    expect(m.unavailable.files).toMatch(/files: true/);
    expect(m.fieldSources).toEqual({ mounts: 'procfs', processes: 'procfs' });
    expect(m.processes.find((p) => p.pid === process.pid)).toMatchObject({ opens: null, fsyncs: null });
    expect(m.unavailable['processes.opens']).toMatch(/processes option/);
    expect(m.unavailable['processes.fsyncs']).toMatch(/processes option/);
    // No stream is open, so nothing took ring space; the maps had room for every device and request.
    expect(m.kernel).toMatchObject({ events: 0, drops: 0, delivered: 0, mapFull: 0 });
  });
});
