// The engine's procfs reader over a tree built here: reads, lists and stats below each
// root, and every failure the taxonomy's DataUnavailable naming the path and the code.
import { mkdirSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataUnavailable } from '../errors/taxonomy.js';
import { createProcfsReader } from './procfs-reader.js';

const caught = (fn: () => unknown): DataUnavailable => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DataUnavailable) return e;
    throw e;
  }
  throw new Error('expected DataUnavailable');
};

describe('createProcfsReader', () => {
  const root = mkdtempSync(join(tmpdir(), 'bpfscope-reader-'));
  const proc = join(root, 'proc');
  const sys = join(root, 'sys');
  mkdirSync(join(proc, '42'), { recursive: true });
  writeFileSync(join(proc, 'stat'), 'cpu  1 2 3\n');
  writeFileSync(join(proc, '42/comm'), 'hog\n');
  mkdirSync(join(sys, 'fs/cgroup/app'), { recursive: true });
  writeFileSync(join(sys, 'fs/cgroup/memory.max'), 'max\n');
  symlinkSync('app', join(sys, 'fs/cgroup/link'));
  const r = createProcfsReader(proc, sys);

  it('reads, lists and stats below its roots', () => {
    expect([r.procRoot, r.sysRoot]).toEqual([proc, sys]);
    expect(r.readProc('stat')).toBe('cpu  1 2 3\n');
    expect(r.readProc('42/comm')).toBe('hog\n');
    expect(r.readSys('fs/cgroup/memory.max')).toBe('max\n');
    expect([...r.listProc('')].sort((a, b) => a.name.localeCompare(b.name))).toEqual([{ name: '42', directory: true }, { name: 'stat', directory: false }]);
    expect([...r.listSys('fs/cgroup')].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'app', directory: true },
      { name: 'link', directory: false }, // a symbolic link is not followed by a listing
      { name: 'memory.max', directory: false },
    ]);
    const ino = Number(statSync(join(sys, 'fs/cgroup/app')).ino);
    // The link count as the file system gives it (2 + subdirectories on most, 1 on some).
    const links = statSync(join(sys, 'fs/cgroup/app')).nlink;
    expect(r.statSys('fs/cgroup/app')).toEqual({ inode: ino, directory: true, links });
    expect(r.statSys('fs/cgroup/link')).toEqual({ inode: ino, directory: true, links }); // stat follows it
    expect(r.statSys('fs/cgroup').links).toBe(statSync(join(sys, 'fs/cgroup')).nlink);
  });

  it('a missing path is DataUnavailable with the path and code, for every call; reasons replace the generic one', () => {
    for (const [fn, path, code] of [
      [() => r.readProc('nope'), join(proc, 'nope'), 'ENOENT'],
      [() => r.readSys('fs/cgroup/memory.max/x'), join(sys, 'fs/cgroup/memory.max/x'), 'ENOTDIR'],
      [() => r.listProc('43'), join(proc, '43'), 'ENOENT'],
      [() => r.listSys('fs/cgroup/memory.max'), join(sys, 'fs/cgroup/memory.max'), 'ENOTDIR'],
      [() => r.statSys('fs/cgroup/gone'), join(sys, 'fs/cgroup/gone'), 'ENOENT'],
    ] as const) {
      const e = caught(fn);
      expect(e.details).toMatchObject({ path, code });
      expect(e.errno).toBe(code === 'ENOENT' ? 2 : 20);
    }
    expect(caught(() => r.readProc('pressure/cpu', { ENOENT: 'PSI needs Linux 4.20' })).message).toBe(`${join(proc, 'pressure/cpu')} is unavailable: PSI needs Linux 4.20`);
  });

  it('machine constants are measured below the procfs root, or null with the reason', () => {
    expect(r.machineConstants().clockTicks).toEqual({ value: null, reason: expect.stringMatching(/self\/auxv cannot be read \(ENOENT\)/) });
  });
});
