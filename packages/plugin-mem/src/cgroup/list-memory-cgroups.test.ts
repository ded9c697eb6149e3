import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createProcfsReader, DataUnavailable, EventProcessingFailed, type ProcfsReader } from '@bpfscope/core';
import { caught, fixture } from '../../test/fixture-helpers.js';
import { listMemoryCgroups, type CgroupDir } from './list-memory-cgroups.js';

const at = (sysRoot: string): ProcfsReader => createProcfsReader('/nonexistent-bpfscope-proc', sysRoot);

describe('listMemoryCgroups', () => {
  it('v1 (the capture): only the 100 MiB cgroup; the root and the unlimited child are left out', () => {
    const sys = fixture('cgroup-v1/sys');
    const root = join(sys, 'fs/cgroup/memory');
    const dir = (name: string): CgroupDir => ({ path: `/${name}`, dir: join(root, name), sysPath: `fs/cgroup/memory/${name}`, inode: statSync(join(root, name)).ino });
    const listing = { hierarchy: 'v1', root, rootInode: statSync(root).ino, dirs: [dir('bpfscope-fixture'), dir('bpfscope-fixture/child')], vanished: 0 };
    const { inode, ...limited } = dir('bpfscope-fixture');
    expect(listMemoryCgroups(at(sys))).toEqual({ hierarchy: 'v1', root, cgroups: [{ ...limited, limitBytes: 104857600, inode }], vanished: 0, listing });
  });

  it('v2 (derived tree): the cgroup whose memory.max is not "max"', () => {
    const sys = fixture('cgroup-v2-derived/sys');
    const root = join(sys, 'fs/cgroup');
    const list = listMemoryCgroups(at(sys));
    const inode = statSync(join(root, 'bpfscope-fixture')).ino;
    expect(list).toMatchObject({ hierarchy: 'v2', root, cgroups: [{ path: '/bpfscope-fixture', dir: join(root, 'bpfscope-fixture'), sysPath: 'fs/cgroup/bpfscope-fixture', limitBytes: 104857600, inode }], vanished: 0 });
    expect(Object.keys(list).sort()).toEqual(['cgroups', 'hierarchy', 'listing', 'root', 'vanished']);
  });

  it('lookFirst changes what is read, not what is found: v1 looked for first never reads cgroup.controllers', () => {
    for (const tree of ['cgroup-v1/sys', 'cgroup-v2-derived/sys']) {
      const sys = fixture(tree);
      const read: string[] = [];
      const plain = at(sys);
      const counting: ProcfsReader = Object.assign(Object.create(plain) as ProcfsReader, { readSys: (rel: string) => (read.push(rel), plain.readSys(rel)) });
      const first = listMemoryCgroups(counting);
      for (const lookFirst of ['v1', 'v2'] as const) expect(listMemoryCgroups(counting, { lookFirst })).toEqual(first);
      read.length = 0;
      listMemoryCgroups(counting, { lookFirst: first.hierarchy });
      expect(read.includes('fs/cgroup/cgroup.controllers')).toBe(first.hierarchy === 'v2');
    }
    for (const lookFirst of ['v1', 'v2'] as const) expect(caught(() => listMemoryCgroups(at(fixture('vm-6.18')), { lookFirst }))).toBeInstanceOf(DataUnavailable);
  });

  it('with kept files over a fixture tree (not cgroupfs): the same list, read by path, nothing kept', () => {
    for (const tree of ['cgroup-v1/sys', 'cgroup-v2-derived/sys', 'malformed/memory-max-garbage/sys']) {
      const sys = at(fixture(tree));
      const kept = sys.keepSysFiles!();
      expect(listMemoryCgroups(sys, { kept, collectErrors: true })).toEqual(listMemoryCgroups(sys, { collectErrors: true }));
      expect(kept.size).toBe(0);
    }
  });

  it('a listing given again: one stat of the root, then only the limit files are read (no hierarchy probe or listing); a limit written since is the new one', () => {
    const sys = mkdtempSync(join(tmpdir(), 'bpfscope-cg-'));
    try {
      const root = join(sys, 'fs/cgroup');
      mkdirSync(join(root, 'a/b'), { recursive: true });
      writeFileSync(join(root, 'cgroup.controllers'), 'memory\n');
      writeFileSync(join(root, 'a/memory.max'), '1000\n');
      writeFileSync(join(root, 'a/b/memory.max'), 'max\n');
      const calls: string[] = [];
      const r = at(sys);
      const counting: ProcfsReader = {
        ...r,
        readSys: (rel) => (calls.push(`read ${rel}`), r.readSys(rel)),
        listSys: (rel) => (calls.push(`list ${rel}`), r.listSys(rel)),
        statSys: (rel) => (calls.push(`stat ${rel}`), r.statSys(rel)),
      };
      const first = listMemoryCgroups(counting);
      expect(first.cgroups.map((c) => [c.path, c.limitBytes])).toEqual([['/a', 1000]]);
      expect(first.listing.dirs.map((d) => d.path)).toEqual(['/a', '/a/b']);
      writeFileSync(join(root, 'a/b/memory.max'), '500\n');
      calls.length = 0;
      const again = listMemoryCgroups(counting, { listing: first.listing });
      expect(calls).toEqual(['stat fs/cgroup', 'read fs/cgroup/a/memory.max', 'read fs/cgroup/a/b/memory.max']);
      expect(again.cgroups.map((c) => [c.path, c.limitBytes])).toEqual([['/a', 1000], ['/a/b', 500]]);
      expect(again).toEqual(listMemoryCgroups(counting));
      // A directory gone under a listing given again is counted as vanished, once.
      rmSync(join(root, 'a/b'), { recursive: true });
      const gone = listMemoryCgroups(counting, { listing: first.listing });
      expect([gone.cgroups.map((c) => c.path), gone.vanished]).toEqual([['/a'], 1]);
      expect(gone.listing).toBe(first.listing);
      // A root with another inode than the listing's (the hierarchy unmounted, something else
      // there): the listing is not used; the walk finds what is there now.
      calls.length = 0;
      const moved = listMemoryCgroups(counting, { listing: { ...first.listing, rootInode: first.listing.rootInode! + 1 } });
      expect(calls.filter((c) => c.startsWith('list '))).toEqual(statSync(join(root, 'a')).nlink === 2 ? ['list fs/cgroup'] : ['list fs/cgroup', 'list fs/cgroup/a']);
      expect([moved.cgroups.map((c) => c.path), moved.vanished]).toEqual([['/a'], 0]);
      expect(moved.listing.rootInode).toBe(statSync(root).ino);
    } finally {
      rmSync(sys, { recursive: true, force: true });
    }
  });

  it('a directory removed between its stat and its listing is left out and counted vanished once', () => {
    const sys = mkdtempSync(join(tmpdir(), 'bpfscope-cg-'));
    try {
      const root = join(sys, 'fs/cgroup');
      mkdirSync(join(root, 'a/b'), { recursive: true });
      mkdirSync(join(root, 'c'));
      writeFileSync(join(root, 'cgroup.controllers'), 'memory\n');
      for (const d of ['a', 'a/b', 'c']) writeFileSync(join(root, d, 'memory.max'), '1000\n');
      const r = at(sys);
      const removing: ProcfsReader = {
        ...r,
        listSys: (rel) => {
          if (rel === 'fs/cgroup/a') rmSync(join(root, 'a'), { recursive: true });
          return r.listSys(rel);
        },
      };
      const list = listMemoryCgroups(removing);
      expect([list.cgroups.map((c) => c.path), list.vanished, list.listing.dirs.map((d) => d.path)]).toEqual([['/c'], 1, ['/c']]);
    } finally {
      rmSync(sys, { recursive: true, force: true });
    }
  });

  it('no memory hierarchy → DataUnavailable', () => {
    const e = caught(() => listMemoryCgroups(at(fixture('vm-6.18'))));
    expect(e).toBeInstanceOf(DataUnavailable);
    expect((e as Error).message).toMatch(/no hierarchy has the memory controller/);
  });

  it('a garbage limit → EventProcessingFailed naming the file', () => {
    const sys = fixture('malformed/memory-max-garbage/sys');
    expect(caught(() => listMemoryCgroups(at(sys)))).toMatchObject({ code: 'EVENT_PROCESSING_FAILED', details: { path: join(sys, 'fs/cgroup/bpfscope-fixture/memory.max') } });
    expect(caught(() => listMemoryCgroups(at(sys)))).toBeInstanceOf(EventProcessingFailed);
  });

  it('collectErrors: the malformed cgroup is listed with its error and the walk goes on', () => {
    const sys = fixture('malformed/memory-max-garbage/sys');
    const root = join(sys, 'fs/cgroup');
    const list = listMemoryCgroups(at(sys), { collectErrors: true });
    expect(list.cgroups).toEqual([]);
    expect(list.malformed).toEqual([{ path: '/bpfscope-fixture', dir: join(root, 'bpfscope-fixture'), sysPath: 'fs/cgroup/bpfscope-fixture', error: expect.any(EventProcessingFailed) }]);
    expect(list.malformed?.[0]?.error.message).toMatch(/"100M" is neither "max" nor a byte count/);
  });

  it('a directory whose link count says it has no subdirectory is not listed; one without a link count is', () => {
    // v2 tree: /a (limited) with /a/b (unlimited) with /a/b/c (limited); /d (limited, a leaf).
    const sys = mkdtempSync(join(tmpdir(), 'bpfscope-cg-'));
    try {
      const root = join(sys, 'fs/cgroup');
      mkdirSync(join(root, 'a/b/c'), { recursive: true });
      mkdirSync(join(root, 'd'));
      writeFileSync(join(root, 'cgroup.controllers'), 'cpu memory\n');
      for (const [dir, max] of [['a', '1000'], ['a/b', 'max'], ['a/b/c', '500'], ['d', '700']]) writeFileSync(join(root, dir!, 'memory.max'), `${max}\n`);
      const listed: string[] = [];
      const counting = (links: boolean): ProcfsReader => {
        const r = at(sys);
        return { ...r, listSys: (rel) => (listed.push(rel), r.listSys(rel)), statSys: (rel) => ({ ...r.statSys(rel), ...(links ? {} : { links: undefined }) }) };
      };
      const want = ['/a', '/a/b/c', '/d'];
      expect(listMemoryCgroups(counting(true)).cgroups.map((c) => c.path)).toEqual(want);
      // Where the file system does not count subdirectories (link count 1), every directory is listed.
      const counts = statSync(join(root, 'd')).nlink === 2;
      expect(listed).toEqual(counts ? ['fs/cgroup', 'fs/cgroup/a', 'fs/cgroup/a/b'] : ['fs/cgroup', 'fs/cgroup/a', 'fs/cgroup/a/b', 'fs/cgroup/a/b/c', 'fs/cgroup/d']);
      listed.length = 0;
      expect(listMemoryCgroups(counting(false)).cgroups.map((c) => c.path)).toEqual(want);
      expect(listed).toEqual(['fs/cgroup', 'fs/cgroup/a', 'fs/cgroup/a/b', 'fs/cgroup/a/b/c', 'fs/cgroup/d']);
    } finally {
      rmSync(sys, { recursive: true, force: true });
    }
  });
});
