import { DataUnavailable } from '@bpfscope/core';
import { statfsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FixtureReader } from '../../../../test/fixture-services.js';
import { fixturePath } from '../../test/fixtures.js';
import { FsSideReader } from './fs-side-reader.js';

const reader = (tree: string): FixtureReader => new FixtureReader(fixturePath(`${tree}/proc`), fixturePath('debian12-vm/sys'));

describe('FsSideReader', () => {
  it('takes each mount from the table and its usage from statfs of the mount point; proc left out, a cut line counted', async () => {
    const r = await new FsSideReader(reader('malformed'), { allMounts: false }).mounts();
    const root = r.mounts.find((m) => m.mountPoint === '/');
    // statfs of / once more, to hold the bytes to: f_bsize × the counts (see statfs-mount.ts on f_frsize).
    const s = statfsSync('/', { bigint: true });
    expect(root).toMatchObject({ fsType: 'ext4', device: '/dev/vda', dev: '254:0', readOnly: false, size: Number(s.blocks * s.bsize) });
    expect(r.mounts.map((m) => m.mountPoint)).toEqual(['/']);
    expect(r.skippedLines).toBe(1);
    expect(r.error).toBeNull();
  });

  it('a mount point that no longer exists, and one that is no directory, are left out and counted by reason', async () => {
    const r = await new FsSideReader(reader('malformed'), { allMounts: false }).mounts();
    expect(r.skippedMounts).toEqual({
      'ENOENT: the mount point no longer exists (unmounted since the table was read)': 1,
      'ENOTDIR: the mount point is no longer a directory': 1,
    });
  });

  it('allMounts lists the pseudo filesystems too (proc, with its size of 0)', async () => {
    const r = await new FsSideReader(reader('malformed'), { allMounts: true }).mounts();
    expect(r.mounts.map((m) => [m.mountPoint, m.fsType, m.size])).toEqual([['/', 'ext4', expect.any(Number)], ['/proc', 'proc', 0]]);
  });

  it('of two mounts on one point only the later, which path lookups reach, is listed', async () => {
    const r = await new FsSideReader(reader('debian12-vm'), { allMounts: false }).mounts();
    expect(r.mounts.filter((m) => m.mountPoint === '/dev/shm')).toHaveLength(1);
    expect(r.mounts.find((m) => m.mountPoint === '/dev/shm')?.dev).toBe('0:27'); // mount 30, over mount 25 (0:23)
    expect(r.mounts.some((m) => ['proc', 'sysfs', 'cgroup', 'cgroup2', 'devpts', 'bpf'].includes(m.fsType))).toBe(false);
  });

  it('an unreadable mount table is the taxonomy error, with no mounts', async () => {
    const r = await new FsSideReader(new FixtureReader(fixturePath('generations'), fixturePath('debian12-vm/sys')), { allMounts: false }).mounts();
    expect(r.error).toBeInstanceOf(DataUnavailable);
    expect(r.error?.message).toMatch(/generations\/self\/mountinfo/);
    expect(r.mounts).toEqual([]);
  });

  it('device names come from /proc/diskstats, by major:minor', async () => {
    const names = await new FsSideReader(reader('debian12-vm'), { allMounts: false }).deviceNames();
    expect([...names]).toEqual([...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => [`7:${i}`, `loop${i}`]), ['254:0', 'vda'], ['253:0', 'zram0']]);
  });
});
