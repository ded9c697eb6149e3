// The cgroup walk with the limit files kept open from walk to walk (as every mem reading
// does) on live cgroups this test makes: each walk is what a walk by path gives now. A
// limit written between two walks is the new one; a cgroup renamed and another made under
// its old name is read anew (not through the renamed one's kept file); a removed cgroup is
// gone and its file closed by the sweep; an unchanged tree gives an equal list.
import { mkdirSync, readdirSync, readlinkSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createProcfsReader, type KeptFiles } from '@bpfscope/core';
import { describeKernel } from '../../../../test/real-kernel.js';
import { removeCgroupDir } from '../../../../test/cgroup-dir.js';
import { existsSync } from 'node:fs';
import { readCgroupEntries } from '../read/cgroup-entries.js';
import { listMemoryCgroups, type LimitedCgroup } from './list-memory-cgroups.js';

const MiB = 1024 * 1024;
const sys = createProcfsReader('/proc', '/sys');
const tag = `bpfscope-kept-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

describeKernel('cgroup walk with kept limit files, on live cgroups', () => {
  let kept: KeptFiles;
  let base: string; // the hierarchy's root directory
  let limitFile: string;
  const dirs: string[] = [];
  const made = (name: string): string => join(base, `${tag}-${name}`);

  /** One walk as a reading does it (kept files, then the sweep); only this test's cgroups. */
  const walk = (): LimitedCgroup[] => {
    const list = listMemoryCgroups(sys, { kept });
    kept.sweep();
    return list.cgroups.filter((c) => c.path.startsWith(`/${tag}-`));
  };
  /** The same by path (no kept file). */
  const byPath = (): LimitedCgroup[] => listMemoryCgroups(sys).cgroups.filter((c) => c.path.startsWith(`/${tag}-`));
  /** Descriptors of this process on a file below `dir` (a removed cgroup's show " (deleted)"). */
  const fdsBelow = (dir: string): number => readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(`${dir}/`);
    } catch {
      return false;
    }
  }).length;
  const setLimit = (dir: string, bytes: number): void => writeFileSync(join(dir, limitFile), String(bytes));
  const entry = (dir: string, limitBytes: number): LimitedCgroup => {
    const name = dir.slice(base.length);
    return { path: name, dir, sysPath: join(base.slice('/sys/'.length), name), limitBytes, inode: statSync(dir).ino };
  };

  beforeAll(() => {
    const list = listMemoryCgroups(sys);
    base = list.root;
    limitFile = list.hierarchy === 'v2' ? 'memory.max' : 'memory.limit_in_bytes';
    kept = sys.keepSysFiles!();
    for (const name of ['a', 'b']) {
      const dir = made(name);
      mkdirSync(dir);
      dirs.push(dir);
    }
  });
  afterAll(() => {
    kept?.close();
    for (const dir of [...dirs, made('renamed')]) removeCgroupDir(dir);
  });

  it('a limit written between two walks is the new one; an unchanged tree gives an equal list; the files stay open', () => {
    const [a, b] = dirs as [string, string];
    setLimit(a, 64 * MiB);
    setLimit(b, 32 * MiB);
    const first = walk();
    expect(first).toEqual([entry(a, 64 * MiB), entry(b, 32 * MiB)]);
    expect(fdsBelow(a)).toBe(1);
    expect(walk()).toEqual(first);
    expect(fdsBelow(a)).toBe(1);
    setLimit(a, 48 * MiB);
    expect(walk()).toEqual([entry(a, 48 * MiB), entry(b, 32 * MiB)]);
    expect(byPath()).toEqual([entry(a, 48 * MiB), entry(b, 32 * MiB)]);
    expect(fdsBelow(a)).toBe(1);
  });

  it('a cgroup renamed and another made under its old name: the new one\'s limit, not the renamed one\'s kept file', () => {
    const [a, b] = dirs as [string, string];
    setLimit(a, 40 * MiB);
    expect(walk()).toEqual([entry(a, 40 * MiB), entry(b, 32 * MiB)]);
    // cgroup v2 has no rename (only v1's kernfs operations have one): there, no kept file can outlive its path this way.
    if (limitFile === 'memory.max') {
      expect(() => renameSync(a, made('renamed'))).toThrow();
      mkdirSync(made('renamed'));
      setLimit(made('renamed'), 40 * MiB);
      setLimit(a, 20 * MiB);
    } else {
      renameSync(a, made('renamed'));
      mkdirSync(a);
      setLimit(a, 20 * MiB);
    }
    const want = [entry(a, 20 * MiB), entry(b, 32 * MiB), entry(made('renamed'), 40 * MiB)];
    expect(walk()).toEqual(want);
    expect(byPath()).toEqual(want);
    expect(walk()).toEqual(want);
  });

  it('a removed cgroup is gone from the next walk and its kept file is closed', () => {
    const renamed = made('renamed');
    expect(walk().map((c) => c.path)).toContain(renamed.slice(base.length));
    expect(fdsBelow(renamed)).toBe(1);
    removeCgroupDir(renamed);
    expect(walk().map((c) => c.path)).not.toContain(renamed.slice(base.length));
    expect(fdsBelow(renamed)).toBe(0);
  });

  it('a limited cgroup\'s own files (usage, limit, counters) are read through kept files too: a limit written between two readings is the new one, as by path', () => {
    const b = dirs[1]!;
    const ours = (entries: ReturnType<typeof readCgroupEntries>['entries']) => entries.filter((e) => e.path.startsWith(`/${tag}-`));
    const reading = () => {
      const r = readCgroupEntries(sys, undefined, kept);
      kept.sweep();
      return ours(r.entries);
    };
    const files = limitFile === 'memory.max'
      ? ['memory.current', 'memory.max', 'memory.swap.current', 'memory.events', 'memory.stat']
      : ['memory.usage_in_bytes', 'memory.limit_in_bytes', 'memory.max_usage_in_bytes', 'memory.failcnt', 'memory.oom_control'];
    setLimit(b, 24 * MiB);
    expect(reading().find((e) => e.path === b.slice(base.length))?.limitBytes).toBe(24 * MiB);
    expect(fdsBelow(b)).toBe(files.filter((f) => existsSync(join(b, f))).length);
    setLimit(b, 16 * MiB);
    const now = reading();
    expect(now.find((e) => e.path === b.slice(base.length))?.limitBytes).toBe(16 * MiB);
    // Empty cgroups: nothing in them moves, so the kept reading and one by path agree whole.
    expect(now).toEqual(ours(readCgroupEntries(sys).entries));
    expect(fdsBelow(b)).toBe(files.filter((f) => existsSync(join(b, f))).length);
  });
});
