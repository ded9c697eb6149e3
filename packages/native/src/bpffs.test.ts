import { describe, expect, it } from 'vitest';
import { DataUnavailable } from '@bpfscope/core';
import { bpffsMounts, pinPathProblem } from './bpffs.js';

const MOUNTS = 'sysfs /sys sysfs rw 0 0\nbpf /sys/fs/bpf bpf rw,relatime,mode=700 0 0\nbpf /run/my\\040bpf\\040dir bpf rw 0 0\n';

describe('pin paths', () => {
  it('finds every bpf mount in /proc/mounts, longest first, with escaped spaces decoded', () => {
    expect(bpffsMounts(MOUNTS)).toEqual(['/run/my bpf dir', '/sys/fs/bpf']);
  });

  it('accepts absolute paths below a bpffs mount and names the problem otherwise', () => {
    expect(pinPathProblem('/sys/fs/bpf/x', MOUNTS)).toBeUndefined();
    expect(pinPathProblem('/sys/fs/bpf/a/b', MOUNTS)).toBeUndefined();
    expect(pinPathProblem('/run/my bpf dir/m', MOUNTS)).toBeUndefined();
    expect(pinPathProblem('/sys/fs/bpfx/a', MOUNTS)).toMatch(/not on a bpf file system \(bpffs is mounted at \/run\/my bpf dir, \/sys\/fs\/bpf\)/);
    expect(pinPathProblem('sys/fs/bpf/a', MOUNTS)).toMatch(/must be absolute/);
    expect(pinPathProblem('', MOUNTS)).toMatch(/non-empty/);
  });

  it('reports a machine without bpffs as DataUnavailable with the mount command, and mounts nothing', () => {
    let caught: unknown;
    try {
      pinPathProblem('/sys/fs/bpf/x', 'sysfs /sys sysfs rw 0 0\nproc /proc proc rw 0 0\n');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DataUnavailable);
    expect((caught as DataUnavailable).remedy).toMatch(/mount -t bpf bpf \/sys\/fs\/bpf/);
    expect((caught as DataUnavailable).message).toMatch(/bpffs .* is unavailable: \/proc\/mounts lists no file system of type bpf/);
  });
});
