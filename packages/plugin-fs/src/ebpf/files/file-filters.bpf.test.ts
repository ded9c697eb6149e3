// The file part's kernel filters, set at run time (map writes, no reload): two static C
// children do the same file operations, one inside the filter and one outside; the one
// inside is counted exactly, the one outside not at all (no file entry, no process entry).
// Also the open events of watched paths.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { FamilyFilter } from '@bpfscope/core';
import { removeCgroupDir } from '../../../../../test/cgroup-dir.js';
import { describeKernel } from '../../../../../test/real-kernel.js';
import { filePart, useFilePart } from '../../../test/file-part.js';
import { startFileWork, type FileWork, type FileWorkload } from '../../../test/file-workload.js';
import type { FsFile, FsProcess } from '../../records.js';
import type { FsEvent } from '../../records-events.js';
import type { FilesReading } from '../kernel-part.js';
import type { FilePart } from './file-part.js';
import { statDevText } from './kernel-dev.js';

const WIDE = { maxTrackedFiles: 65536, maxFiles: 1_000_000, topK: 1_000_000 } as const;

const fileOf = (r: FilesReading, path: string): FsFile | undefined => {
  const st = statSync(path, { bigint: true });
  return r.files.find((f) => f.dev === statDevText(st.dev) && f.inode === Number(st.ino) && f.path === path);
};
const procOf = (r: FilesReading, pid: number): FsProcess | undefined => r.processes.find((p) => p.pid === pid);
const counts = (f: FsFile | undefined) => f && { opens: f.opens, closes: f.closes, reads: f.reads, writes: f.writes, bytesRead: f.bytesRead, bytesWritten: f.bytesWritten, fsyncs: f.fsyncs };
const procCounts = (p: FsProcess | undefined) => p && { reads: p.reads, writes: p.writes, bytesRead: p.bytesRead, bytesWritten: p.bytesWritten, opens: p.opens, fsyncs: p.fsyncs };
const all = (w: FileWork) => ({ opens: 1, closes: 1, reads: w.j, writes: w.k, bytesRead: w.r, bytesWritten: w.w, fsyncs: 1 });
const allProc = (w: FileWork) => ({ reads: w.j, writes: w.k, bytesRead: w.r, bytesWritten: w.w, opens: 1, fsyncs: 1 });

describeKernel('fs file part: kernel filters (pid, cgroup, path prefix, operation), exact in and out', () => {
  let dir: string;
  let part: FilePart;
  const children: FileWorkload[] = [];
  let n = 0;

  /** Runs `inside` and `outside` to their close under `filter` (set once both are started). */
  async function pair(filter: (a: FileWorkload, b: FileWorkload) => FamilyFilter, paths: [string, string], expected: readonly string[], before?: (a: FileWorkload, b: FileWorkload) => void) {
    n++;
    const w: [FileWork, FileWork] = [
      { path: paths[0], k: 5 + n, w: 5000 + n, j: 3 + n, r: 5000 + n, name: `fsf-in${n}` },
      { path: paths[1], k: 4 + n, w: 4000 + n, j: 2 + n, r: 4000 + n, name: `fsf-out${n}` },
    ];
    const a = await startFileWork(w[0]);
    const b = await startFileWork(w[1]);
    children.push(a, b);
    before?.(a, b);
    expect(await part.pushdown(filter(a, b))).toEqual(expected);
    for (const c of [a, b]) expect(await c.step()).toBe('done');
    for (const c of [a, b]) expect(await c.step()).toBe('closed');
    const r = await part.read(Date.now());
    await part.pushdown({});
    return { r, a, b, w };
  }

  useFilePart({ children, make: () => filePart({ files: true, ...WIDE }), set: (d, p) => { dir = d; if (p) part = p; }, part: () => part });

  it('pids: the listed process and its file counted exactly; the other not at all', async () => {
    const { r, a, b, w } = await pair((a) => ({ pids: [a.pid] }), [join(dir, 'pid-in'), join(dir, 'pid-out')], ['pids']);
    expect(counts(fileOf(r, w[0].path))).toEqual(all(w[0]));
    expect(procCounts(procOf(r, a.pid))).toEqual(allProc(w[0]));
    expect({ file: fileOf(r, w[1].path), proc: procOf(r, b.pid) }).toEqual({ file: undefined, proc: undefined });
  });

  it('excludePids: the other way round', async () => {
    const { r, a, b, w } = await pair((_a, b) => ({ excludePids: [b.pid] }), [join(dir, 'xpid-in'), join(dir, 'xpid-out')], ['excludePids']);
    expect(counts(fileOf(r, w[0].path))).toEqual(all(w[0]));
    expect(procCounts(procOf(r, a.pid))).toEqual(allProc(w[0]));
    expect({ file: fileOf(r, w[1].path), proc: procOf(r, b.pid) }).toEqual({ file: undefined, proc: undefined });
  });

  it('cgroupIds: only the process moved into the group', async () => {
    const group = `/sys/fs/cgroup/unified/bpfscope-fsf-${process.pid}`;
    mkdirSync(group);
    try {
      const id = Number(statSync(group).ino);
      const { r, a, b, w } = await pair(() => ({ cgroupIds: [id] }), [join(dir, 'cg-in'), join(dir, 'cg-out')], ['cgroupIds'], (a) => writeFileSync(join(group, 'cgroup.procs'), String(a.pid)));
      expect(counts(fileOf(r, w[0].path))).toEqual(all(w[0]));
      expect(procCounts(procOf(r, a.pid))).toEqual(allProc(w[0]));
      expect({ file: fileOf(r, w[1].path), proc: procOf(r, b.pid) }).toEqual({ file: undefined, proc: undefined });
      await a.end();
    } finally {
      removeCgroupDir(group);
    }
  });

  it('pathPrefixes: files under the prefix counted exactly (and their process); files elsewhere not', async () => {
    for (const d of ['in', 'inside', 'out']) mkdirSync(join(dir, d));
    // `in` is the prefix: `inside` shares its first letters but is not under it.
    const { r, a, b, w } = await pair(() => ({ pathPrefixes: [join(dir, 'in')] }), [join(dir, 'in', 'f'), join(dir, 'inside', 'f')], ['pathPrefixes']);
    expect(counts(fileOf(r, w[0].path))).toEqual(all(w[0]));
    expect(procCounts(procOf(r, a.pid))).toEqual(allProc(w[0]));
    expect({ file: fileOf(r, w[1].path), proc: procOf(r, b.pid) }).toEqual({ file: undefined, proc: undefined });
  });

  it('fileOperations: only writes and fsyncs counted, for the file and the process', async () => {
    const { r, a, w } = await pair(() => ({ fileOperations: ['write', 'fsync'] }), [join(dir, 'ops-a'), join(dir, 'ops-b')], ['fileOperations']);
    expect(counts(fileOf(r, w[0].path))).toEqual({ opens: 0, closes: 0, reads: 0, writes: w[0].k, bytesRead: 0, bytesWritten: w[0].w, fsyncs: 1 });
    expect(procCounts(procOf(r, a.pid))).toEqual({ reads: 0, writes: w[0].k, bytesRead: 0, bytesWritten: w[0].w, opens: 0, fsyncs: 1 });
  });

  it('a path prefix that does not exist now is left to user space', async () => {
    expect(await part.pushdown({ pathPrefixes: [join(dir, 'not-made-yet')], pids: [1] })).toEqual(['pids']);
    await part.pushdown({});
  });
});

describeKernel('fs file part: open events of watched paths', () => {
  let dir: string;
  let part: FilePart;
  const children: FileWorkload[] = [];

  useFilePart({ children, make: (d) => (mkdirSync(join(d, 'watched')), filePart({ files: true, watchPaths: [join(d, 'watched')], ...WIDE })), set: (d, p) => { dir = d; if (p) part = p; }, part: () => part });

  it('one event per open below the watched directory, with the pid, the path as given, the inode and the flags; none for other files; to every stream', async () => {
    const events: FsEvent[] = [];
    const second: FsEvent[] = [];
    const feed = await part.startEvents((e) => events.push(e), (e) => { throw e; });
    const feed2 = await part.startEvents((e) => second.push(e), (e) => { throw e; });
    try {
      const inPath = join(dir, 'watched', 'seen.dat');
      const a = await startFileWork({ path: inPath, k: 1, w: 10, j: 1, r: 10, name: 'fsf-watch' });
      const b = await startFileWork({ path: join(dir, 'unseen.dat'), k: 1, w: 10, j: 1, r: 10, name: 'fsf-nowatch' });
      children.push(a, b);
      for (const c of [a, b]) expect(await c.step()).toBe('done');
      // Wait for the ring buffer's delivery, a bounded number of turns of the event loop.
      for (let i = 0; i < 200 && events.filter((e) => e.pid === a.pid).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      const st = statSync(inPath, { bigint: true });
      const mine = events.filter((e) => e.pid === a.pid || e.pid === b.pid);
      expect(mine.map((e) => ({ ...e, time: 0 }))).toEqual([{
        type: 'open', time: 0, pid: a.pid, comm: 'fsf-watch', weight: 1,
        dev: statDevText(st.dev), inode: Number(st.ino), path: inPath, flags: 0o1102, // O_CREAT | O_RDWR | O_TRUNC
      }]);
      // Nothing else opens below the watched directory: the one event is all the ring carried,
      // handed to both streams.
      expect(part.kernel().delivered).toBe(1);
      expect(second).toEqual(events);
    } finally {
      feed!.stop();
      feed2!.stop();
    }
  });
});
