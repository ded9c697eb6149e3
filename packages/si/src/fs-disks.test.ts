import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FsDevice, FsLatencyHistogram, FsMetrics, FsMount } from '@bpfscope/plugin-fs';
import { toDisksIo } from './disks-io.js';
import { toFsSize } from './fs-size.js';

const sys = mkdtempSync(join(tmpdir(), 'si-fs-'));
afterAll(() => rmSync(sys, { recursive: true, force: true }));
for (const d of ['sda', 'nvme0n1', 'zram0']) mkdirSync(join(sys, 'block', d, 'device'), { recursive: true });
mkdirSync(join(sys, 'block/loop0'), { recursive: true });

const mount = (o: Partial<FsMount>): FsMount => ({ mountPoint: '/', fsType: 'ext4', device: '/dev/sda1', dev: '8:1', size: 4096 * 100, used: 4096 * 30, available: 4096 * 60, inodesUsed: 1, inodesFree: 1, readOnly: false, ...o });
const hist = (sumUs: number): FsLatencyHistogram => ({ buckets: [], count: 0, sumUs, p50Us: null, p95Us: null, p99Us: null });
const dev = (name: string, reads: number, writes: number, r: number | null, w: number | null): FsDevice => ({
  name, major: 8, minor: 0, reads, writes, sectorsRead: 0, sectorsWritten: 0, bytesRead: 0, bytesWritten: 0, discards: null, sectorsDiscarded: null, flushes: null, inFlight: 0,
  readLatency: r === null ? null : hist(r), writeLatency: w === null ? null : hist(w), source: 'ebpf',
});
const fsm = (o: Partial<FsMetrics>) => ({ mounts: [], devices: [], ...o } as unknown as FsMetrics);

describe('fsSize', () => {
  it("df -l's list: device paths and real filesystems, no squashfs, remote or memory filesystems without a device path, one mount per device (the shortest)", () => {
    const out = toFsSize(fsm({ mounts: [
      mount({}),
      mount({ mountPoint: '/run/netns' }),
      mount({ mountPoint: '/snap/x', fsType: 'squashfs', device: '/dev/loop0', dev: '7:0' }),
      mount({ mountPoint: '/dev/shm', fsType: 'tmpfs', device: 'tmpfs', dev: '0:25' }),
      mount({ mountPoint: '/data', fsType: 'nfs4', device: 'srv:/export', dev: '0:50' }),
      mount({ mountPoint: '/share', fsType: 'cifs', device: '//srv/share', dev: '0:51' }),
      mount({ mountPoint: '/ro', fsType: 'xfs', device: '/dev/sdb1', dev: '8:17', readOnly: true }),
      mount({ mountPoint: '/fuse', fsType: 'fuse.sshfs', device: 'sshfs', dev: '0:52' }),
    ] }));
    expect(out).toEqual([
      { fs: '/dev/sda1', type: 'ext4', size: 409600, used: 122880, available: 245760, use: 33.33, mount: '/', rw: true },
      { fs: '/dev/sdb1', type: 'xfs', size: 409600, used: 122880, available: 245760, use: 33.33, mount: '/ro', rw: false },
      { fs: 'sshfs', type: 'fuse.sshfs', size: 409600, used: 122880, available: 245760, use: 33.33, mount: '/fuse', rw: true },
    ]);
    expect(toFsSize(fsm({ mounts: [mount({}), mount({ mountPoint: '/ro', device: '/dev/sdb1', dev: '8:17' })] }), 'SDB').map((m) => m.mount)).toEqual(['/ro']);
  });
});

describe('disksIO', () => {
  it('whole disks only (not loop, zram); rates and wait shares since the previous call; wait times from the latency sums, ms', () => {
    const a = toDisksIo(fsm({ devices: [dev('sda', 10, 20, 1000, 2000), dev('nvme0n1', 5, 5, 0, 0), dev('loop0', 99, 99, 9, 9), dev('zram0', 99, 99, 9, 9)] }), 1000, null, sys);
    expect(a.result).toEqual({ rIO: 15, wIO: 25, tIO: 40, rIO_sec: null, wIO_sec: null, tIO_sec: null, rWaitTime: 1, wWaitTime: 2, tWaitTime: 3, rWaitPercent: null, wWaitPercent: null, tWaitPercent: null, ms: 0 });
    const b = toDisksIo(fsm({ devices: [dev('sda', 20, 20, 101_000, 2000), dev('nvme0n1', 5, 10, 0, 50_000)] }), 2000, a, sys);
    expect(b.result).toEqual({ rIO: 25, wIO: 30, tIO: 55, rIO_sec: 10, wIO_sec: 5, tIO_sec: 15, rWaitTime: 101, wWaitTime: 52, tWaitTime: 153, rWaitPercent: 10, wWaitPercent: 5, tWaitPercent: 15, ms: 1000 });
    expect(toDisksIo(fsm({ devices: [] }), 2000, b, sys)).toBe(b);
  });

  it('procfs (no latency histograms): wait times and shares null', () => {
    const a = toDisksIo(fsm({ devices: [dev('sda', 10, 20, null, null)] }), 1000, null, sys);
    const b = toDisksIo(fsm({ devices: [dev('sda', 12, 20, null, null)] }), 1500, a, sys);
    expect(b.result).toMatchObject({ rIO_sec: 4, rWaitTime: null, wWaitTime: null, tWaitTime: null, rWaitPercent: null, tWaitPercent: null, ms: 500 });
  });
});
