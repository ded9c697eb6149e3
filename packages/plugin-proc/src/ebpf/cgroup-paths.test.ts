import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CgroupPathIndex, findCgroupV2Mount } from './cgroup-paths.js';

const HYBRID = `25 1 253:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
31 25 0:27 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
42 31 0:39 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
`;
const UNIFIED = `30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate
`;

describe('findCgroupV2Mount', () => {
  it('finds the v2 hierarchy on a hybrid system (the machine these tests run on) and on a unified one', () => {
    expect(findCgroupV2Mount(HYBRID)).toEqual({ mountPoint: '/sys/fs/cgroup/unified', root: '/' });
    expect(findCgroupV2Mount(UNIFIED)).toEqual({ mountPoint: '/sys/fs/cgroup', root: '/' });
  });

  it('null on a v1-only system; octal escapes in paths are decoded', () => {
    expect(findCgroupV2Mount(HYBRID.replace(/cgroup2/g, 'cgroup'))).toBeNull();
    expect(findCgroupV2Mount('7 1 0:5 /a\\040b /mnt/my\\040cg rw - cgroup2 none rw\n')).toEqual({ mountPoint: '/mnt/my cg', root: '/a b' });
  });
});

describe('CgroupPathIndex over a directory tree', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-cg-'));
  const hier = join(dir, 'cg');
  const docker = `system.slice/docker-${'ab'.repeat(32)}.scope`;
  mkdirSync(join(hier, docker), { recursive: true });
  mkdirSync(join(dir, 'proc/self'), { recursive: true });
  writeFileSync(join(dir, 'proc/self/mountinfo'), `41 31 0:38 / ${hier} rw - cgroup2 cgroup2 rw\n`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const ino = (p: string): number => Number(statSync(join(hier, p)).ino);

  it('maps inode numbers (= cgroup IDs) to paths and containers; re-walks once for a new cgroup', () => {
    const idx = new CgroupPathIndex(join(dir, 'proc'));
    expect(idx.lookup(ino(''))).toEqual({ path: '/', container: null });
    expect(idx.lookup(ino(docker))).toEqual({ path: `/${docker}`, container: { runtime: 'docker', containerId: 'ab'.repeat(32), podUid: null } });
    expect(idx.walks).toBe(1);
    mkdirSync(join(hier, 'user.slice'));
    expect(idx.lookup(ino('user.slice'))).toEqual({ path: '/user.slice', container: null });
    expect(idx.walks).toBe(2);
    // An unknown ID: one re-walk, then a reason; asking again does not walk again.
    expect(idx.lookup(999_999_999)).toMatch(/^cgroup 999999999 is not in the v2 hierarchy mounted at /);
    expect(idx.lookup(999_999_999)).toMatch(/is not in the v2 hierarchy/);
    expect(idx.walks).toBe(3);
  });

  it('without a v2 mount every lookup gives the reason', () => {
    writeFileSync(join(dir, 'proc/self/mountinfo'), HYBRID.replace(/cgroup2/g, 'cgroup'));
    expect(new CgroupPathIndex(join(dir, 'proc')).lookup(1)).toMatch(/no cgroup v2 hierarchy is mounted/);
  });
});
