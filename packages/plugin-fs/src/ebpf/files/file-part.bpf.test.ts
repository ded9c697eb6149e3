// The file part against the real kernel: a static C child (its pid known, no loader I/O)
// writes exactly W bytes in K writes, fsyncs, reads R bytes in J reads and closes; the
// file's entry (found by the device and inode stat gives) and the child's process entry
// show exactly that. Also: a file unlinked while open, a process killed while blocked in a
// read, and a path longer than the kernel-side bound.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ConfigError } from '@bpfscope/core';
import { describeKernel } from '../../../../../test/real-kernel.js';
import { filePart, initContext, useFilePart } from '../../../test/file-part.js';
import { startFileWork, type FileWork, type FileWorkload } from '../../../test/file-workload.js';
import type { FsFile, FsProcess } from '../../records.js';
import type { FilesReading } from '../kernel-part.js';
import type { FilePart } from './file-part.js';
import { statDevText } from './kernel-dev.js';

/** Room for everything a busy machine does meanwhile: the test's entries are never capped away. */
const WIDE = { maxTrackedFiles: 65536, maxFiles: 1_000_000, topK: 1_000_000 } as const;

/**
 * The entry of the file at `path` by the device and inode stat gives (of those, the one with
 * that path, or the end of it: a file may reuse the inode number of one deleted earlier,
 * which the kernel tells apart by the inode's generation).
 */
function fileOf(r: FilesReading, path: string, st = statSync(path, { bigint: true })): FsFile | undefined {
  const same = r.files.filter((f) => f.dev === statDevText(st.dev) && f.inode === Number(st.ino));
  if (same.length <= 1) return same[0];
  return same.find((f) => f.path === path) ?? same.find((f) => f.pathStatus === 'truncated' && path.endsWith(f.path!.slice(1)));
}
const procOf = (r: FilesReading, pid: number): FsProcess | undefined => r.processes.find((p) => p.pid === pid);
const counts = (f: FsFile | undefined) => f && { opens: f.opens, closes: f.closes, reads: f.reads, writes: f.writes, bytesRead: f.bytesRead, bytesWritten: f.bytesWritten, fsyncs: f.fsyncs };
const procCounts = (p: FsProcess | undefined) => p && { reads: p.reads, writes: p.writes, bytesRead: p.bytesRead, bytesWritten: p.bytesWritten, opens: p.opens, fsyncs: p.fsyncs };
const expectedProc = (w: FileWork) => ({ reads: w.j, writes: w.k, bytesRead: w.r, bytesWritten: w.w, opens: 1, fsyncs: 1 });

describeKernel('fs file part: per-file and per-process counts on the file system calls, exact', () => {
  let dir: string;
  let part: FilePart;
  const children: FileWorkload[] = [];
  const read = () => part.read(Date.now());
  const run = async (w: FileWork): Promise<FileWorkload> => {
    const c = await startFileWork(w);
    children.push(c);
    return c;
  };

  useFilePart({
    children,
    // gone.dat is made before the part starts (its inode is known before the child unlinks it).
    make: (d) => (writeFileSync(join(d, 'gone.dat'), ''), filePart({ files: true, ...WIDE })),
    set: (d, p) => { dir = d; if (p) part = p; }, part: () => part,
  });

  it('K writes of W bytes, an fsync, J reads of R bytes, one open and one close, by the right pid, at the test path', async () => {
    const w: FileWork = { path: join(dir, 'exact.dat'), k: 7, w: 7 * 4096 + 13, j: 5, r: 7 * 4096 + 13, name: 'fsf-exact' };
    const c = await run(w);
    expect(await c.step()).toBe('done');
    expect(await c.step()).toBe('closed');
    const r = await read();
    const f = fileOf(r, w.path);
    expect(counts(f)).toEqual({ opens: 1, closes: 1, reads: w.j, writes: w.k, bytesRead: w.r, bytesWritten: w.w, fsyncs: 1 });
    expect({ path: f!.path, status: f!.pathStatus }).toEqual({ path: w.path, status: 'resolved' });
    expect(f!.topProcesses).toEqual([{ pid: c.pid, comm: 'fsf-exact', bytes: w.r + w.w, operations: 1 + 1 + w.j + w.k + 1 }]);
    expect(procCounts(procOf(r, c.pid))).toEqual(expectedProc(w));
    expect(procOf(r, c.pid)!.comm).toBe('fsf-exact');
    expect(r.unavailable.files).toBeUndefined();
    expect(await c.end()).toBe(0);
  });

  it('a file touched by more processes than its kernel entry lists: each process among its top processes, exact', async () => {
    const path = join(dir, 'shared.dat');
    const pids: number[] = [];
    // One after the other (each truncates the file), 10 processes: more than the 8 the entry lists.
    for (let i = 0; i < 10; i++) {
      const c = await run({ path, k: 1 + i, w: 100 * (i + 1), j: 1, r: 100 * (i + 1), name: `fsf-sh${i}` });
      expect(await c.step()).toBe('done');
      expect(await c.step()).toBe('closed');
      pids.push(c.pid);
    }
    const f = fileOf(await read(), path);
    expect(f!.opens).toBe(10);
    // The part lists 5 by default: the five with the most bytes, each with its own exact count.
    expect(f!.topProcesses).toEqual([9, 8, 7, 6, 5].map((i) => ({ pid: pids[i], comm: `fsf-sh${i}`, bytes: 200 * (i + 1), operations: 1 + 1 + 1 + (1 + i) + 1 })));
  });

  it('a file unlinked while open: counted whole and marked deleted, with the name it had', async () => {
    const w: FileWork = { path: join(dir, 'gone.dat'), k: 3, w: 3000, j: 2, r: 3000, name: 'fsf-unlink', unlink: true };
    const st = statSync(w.path, { bigint: true });
    const c = await run(w);
    expect(await c.step()).toBe('done');
    expect(await c.step()).toBe('closed');
    const f = fileOf(await read(), w.path, st);
    expect(counts(f)).toEqual({ opens: 1, closes: 1, reads: 2, writes: 3, bytesRead: 3000, bytesWritten: 3000, fsyncs: 1 });
    expect({ path: f!.path, status: f!.pathStatus }).toEqual({ path: w.path, status: 'deleted' });
  });

  it('a process killed while blocked in a read: its completed calls counted, no close, removed after one reading', async () => {
    const w: FileWork = { path: join(dir, 'killed.dat'), k: 4, w: 4 * 512, j: 4, r: 4 * 512, name: 'fsf-killed', hang: true };
    const c = await run(w);
    expect(await c.step()).toBe('done');
    await c.kill();
    const r = await read();
    expect(procCounts(procOf(r, c.pid))).toEqual(expectedProc(w));
    // The kernel released the descriptor at exit: no close(2), no close counted.
    expect(counts(fileOf(r, w.path))).toEqual({ opens: 1, closes: 0, reads: 4, writes: 4, bytesRead: 2048, bytesWritten: 2048, fsyncs: 1 });
    expect(procOf(await read(), c.pid)).toBeUndefined();
  });

  it('a path longer than the kernel-side bound (512 bytes of components): its last components, marked truncated', async () => {
    const names = ['a', 'b', 'c', 'd'].map((ch) => ch.repeat(250));
    const deep = join(dir, ...names);
    mkdirSync(deep, { recursive: true });
    const w: FileWork = { path: join(deep, 'f'), k: 1, w: 10, j: 1, r: 10, name: 'fsf-deep' };
    const c = await run(w);
    expect(await c.step()).toBe('done');
    const f = fileOf(await read(), w.path);
    // The walk keeps each component (with its NUL) that starts within the first 512 bytes:
    // f (2), d… (251), c… (251) end at 504, so b… is kept whole; a… would start at 755.
    expect({ path: f?.path, status: f?.pathStatus }).toEqual({ path: `…/${names[1]}/${names[2]}/${names[3]}/f`, status: 'truncated' });
    expect(counts(f)).toEqual({ opens: 1, closes: 0, reads: 1, writes: 1, bytesRead: 10, bytesWritten: 10, fsyncs: 1 });
  });
});

describeKernel('fs file part: the default (files off) counts processes only', () => {
  let dir: string;
  let part: FilePart;
  const children: FileWorkload[] = [];

  useFilePart({ children, make: () => filePart({ topK: 1_000_000 }), set: (d, p) => { dir = d; if (p) part = p; }, part: () => part });

  it('files empty with the reason; the process counted exactly', async () => {
    const w: FileWork = { path: join(dir, 'p.dat'), k: 6, w: 6000, j: 3, r: 6000, name: 'fsf-procs' };
    const c = await startFileWork(w);
    children.push(c);
    expect(await c.step()).toBe('done');
    const r = await part.read(Date.now());
    expect({ files: r.files, fileCount: r.fileCount, filesLeftOut: r.filesLeftOut }).toEqual({ files: [], fileCount: 0, filesLeftOut: 0 });
    expect(r.unavailable.files).toMatch(/option files: false/);
    expect(procCounts(procOf(r, c.pid))).toEqual(expectedProc(w));
    expect(part.stats().programs.map((p) => p.program).sort()).toEqual(['fs_exit', 'fs_proc_exit']);
  });
});

describeKernel('fs file part: the bpf_probe_read_kernel programs (kernels without bpf_rdonly_cast) count the same', () => {
  let dir: string;
  let part: FilePart;
  const children: FileWorkload[] = [];

  useFilePart({ children, make: () => filePart({ files: true, ...WIDE }, 'probe-read'), set: (d, p) => { dir = d; if (p) part = p; }, part: () => part });

  it('K writes, J reads, one open, one close, one fsync, exact, by the right pid', async () => {
    const w: FileWork = { path: join(dir, 'pr.dat'), k: 9, w: 9 * 1000 + 1, j: 4, r: 9 * 1000 + 1, name: 'fsf-pr' };
    const c = await startFileWork(w);
    children.push(c);
    expect(await c.step()).toBe('done');
    expect(await c.step()).toBe('closed');
    const r = await part.read(Date.now());
    const f = fileOf(r, w.path);
    expect(counts(f)).toEqual({ opens: 1, closes: 1, reads: w.j, writes: w.k, bytesRead: w.r, bytesWritten: w.w, fsyncs: 1 });
    expect(f!.topProcesses.map((p) => p.pid)).toEqual([c.pid]);
    expect(procCounts(procOf(r, c.pid))).toEqual(expectedProc(w));
    expect(part.stats().programs.map((p) => p.program).sort()).toEqual(['fs_enter_pr', 'fs_exit_pr', 'fs_proc_exit']);
  });
});

describeKernel('fs file part: the file table holds maxTrackedFiles files and counts the rest', () => {
  const M = 8;
  const C = 12;
  let dir: string;
  let part: FilePart;
  const children: FileWorkload[] = [];

  useFilePart({ children, set: (d, p) => { dir = d; if (p) part = p; }, part: () => part });

  it('files beyond the table are left out (counted once each); those in it are exact', async () => {
    const works: FileWork[] = Array.from({ length: C }, (_, i) => ({ path: join(dir, `t${i}`), k: 2, w: 200 + i, j: 1, r: 200 + i, name: `fsf-t${i}` }));
    for (const w of works) children.push(await startFileWork(w));
    part = filePart({ files: true, maxTrackedFiles: M, maxFiles: 1_000_000, topK: 1_000_000 });
    await part.init(initContext());
    // Between the attach and this filter other processes may have taken some of the table.
    expect(await part.pushdown({ pids: children.map((c) => c.pid) })).toEqual(['pids']);
    const r0 = await part.read(Date.now());
    const free = M - r0.fileCount;
    for (const c of children) expect(await c.step()).toBe('done');
    const r1 = await part.read(Date.now());
    expect(r1.fileCount).toBe(M);
    expect(r1.filesLeftOut - r0.filesLeftOut).toBe(C - free);
    const tracked = works.map((w, i) => ({ f: fileOf(r1, w.path), w, pid: children[i]!.pid })).filter((x) => x.f !== undefined);
    expect(tracked.length).toBe(free);
    for (const { f, w, pid } of tracked) {
      expect(counts(f)).toEqual({ opens: 1, closes: 0, reads: w.j, writes: w.k, bytesRead: w.r, bytesWritten: w.w, fsyncs: 1 });
      expect(f!.topProcesses.map((p) => p.pid)).toEqual([pid]);
    }
    // The processes are counted whether their file was tracked or not.
    for (const [i, c] of children.entries()) expect(procCounts(procOf(r1, c.pid))).toEqual(expectedProc(works[i]!));
  });

  it('a table larger than the object holds (an option error), or neither processes nor files (at init), is a ConfigError naming the option', async () => {
    expect(() => filePart({ files: true, maxTrackedFiles: 65537 })).toThrow(ConfigError);
    for (const [options, path] of [[{ processes: false }, 'fs.processes']] as const) {
      const p = filePart(options);
      const e = await p.init(initContext()).then(() => null, (x: unknown) => x);
      await p.close();
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).path).toBe(path);
    }
  });
});
