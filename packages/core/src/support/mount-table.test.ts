import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DataUnavailable } from '../errors/taxonomy.js';
import { parseMountTable, readMountTable } from './mount-table.js';

describe('mount table', () => {
  it('parses source, target and type, decoding octal escapes', () => {
    expect(parseMountTable('bpf /sys/fs/bpf bpf rw 0 0\nnodev /run/my\\040dir tracefs rw 0 0\n\n')).toEqual([
      { source: 'bpf', target: '/sys/fs/bpf', type: 'bpf' },
      { source: 'nodev', target: '/run/my dir', type: 'tracefs' },
    ]);
  });

  it('an unreadable table is DataUnavailable with the reason, not an empty table', () => {
    const path = join(tmpdir(), 'bpfscope-no-such-dir', 'mounts');
    let caught: unknown;
    try {
      readMountTable(path);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DataUnavailable);
    expect((caught as DataUnavailable).message).toBe(`the mount table ${path} is unavailable: ENOENT: no such file or directory, open '${path}'`);
    expect((caught as DataUnavailable).remedy).toMatch(/cannot tell whether bpffs or tracefs is mounted/);
  });

  it('reads this process\'s /proc/mounts, which lists /proc itself', () => {
    expect(readMountTable().some((m) => m.type === 'proc' && m.target === '/proc')).toBe(true);
  });
});
