import { describe, expect, it } from 'vitest';
import { fileId, type KernelCounts, type KernelFile, type KernelFileProc } from './decode-maps.js';
import { listFiles, listProcesses, topK } from './assemble-files.js';
import type { PathText } from './path-text.js';

const c = (bytesRead: number, bytesWritten: number, reads = 1): KernelCounts => ({ opens: 1, closes: 0, reads, writes: 1, bytesRead, bytesWritten, fsyncs: 0 });
const file = (ino: number, counts: KernelCounts, flags = 0, gen = 0, igen = 0): KernelFile => ({ dev: 1 << 20, ino, igen, counts, flags, gen, ntgids: 0, tgids: [] });
const limits = { maxFiles: 10, topK: 10, topProcesses: 2, minBytes: 0 };
const paths: Record<number, PathText> = {
  1: { path: '/data/a', status: 'resolved' },
  2: { path: '/data/b', status: 'resolved' },
  3: { path: '/other/c', status: 'resolved' },
  4: { path: null, status: 'unresolved' },
};
const pathOf = (f: KernelFile): PathText => paths[f.ino]!;
/** Details from fixed paths and (file, process) entries, recording which files were asked for. */
function details(fileProcs: readonly KernelFileProc[] = [], path = pathOf) {
  const asked: string[] = [];
  return {
    asked,
    pathOf: (f: KernelFile) => {
      asked.push(`path ${f.ino}`);
      return path(f);
    },
    processesOf: async (files: readonly KernelFile[]) => {
      const ids = new Set(files.map((f) => fileId(f.dev, f.ino, f.igen)));
      asked.push(`procs ${[...ids].join(',')}`);
      return fileProcs.filter((fp) => ids.has(fp.id));
    },
  };
}

describe('listFiles', () => {
  it('lists most bytes first (then operations), after minBytes, capped at maxFiles, with fileCount before the cap', async () => {
    const files = [file(1, c(10, 0)), file(2, c(500, 0)), file(3, c(10, 0, 5)), file(4, c(1, 0))];
    const d = details();
    const r = await listFiles(files, d, { ...limits, maxFiles: 2, minBytes: 5 }, null);
    expect(r.fileCount).toBe(3);
    // Paths and processes are looked up for the listed files only.
    expect(d.asked).toEqual([`procs ${1 << 20}:2:0,${1 << 20}:3:0`, 'path 2', 'path 3']);
    expect(r.files.map((f) => f.inode)).toEqual([2, 3]);
    expect(r.files[0]).toMatchObject({ dev: '1:0', path: '/data/b', pathStatus: 'resolved', bytesRead: 500 });
  });
  it('marks a file unlinked while open deleted, and a cut one still deleted', async () => {
    const r = await listFiles([file(1, c(1, 1), 1)], details([], () => ({ path: '…/x/y', status: 'truncated' })), limits, null);
    expect(r.files[0]).toMatchObject({ path: '…/x/y', pathStatus: 'deleted' });
  });
  it('gives each file its top processes by bytes, at most topProcesses', async () => {
    const id = `${1 << 20}:1:0`;
    const fp = (pid: number, bytes: number): KernelFileProc => ({ id, pid, comm: `p${pid}`, counts: c(bytes, 0) });
    const r = await listFiles([file(1, c(60, 0))], details([fp(1, 10), fp(2, 30), fp(3, 20), { ...fp(4, 99), id: `${1 << 20}:1:7` }]), limits, null);
    expect(r.files[0]!.topProcesses).toEqual([
      { pid: 2, comm: 'p2', bytes: 30, operations: 3 },
      { pid: 3, comm: 'p3', bytes: 20, operations: 3 },
    ]);
  });
  it('under path prefixes: a file judged out in this generation is left out; one not judged since is kept by its path', async () => {
    const files = [file(1, c(1, 0), 0, 2), file(2, c(1, 0), 2, 2), file(3, c(1, 0), 0, 1), file(4, c(1, 0), 0, 1), file(1, c(1, 0), 0, 1, 9)];
    const r = await listFiles(files, details(), limits, { prefixes: ['/data'], gen: 2 });
    // 1: judged in; 2: judged out; 3 (/other) and 4 (no path) not judged since: out; the last, at /data/a, kept.
    expect(r.files.map((f) => f.path)).toEqual(['/data/a', '/data/a']);
  });
  it('leaves out a file with no operation (tracked, then refused by a filter)', async () => {
    const zero = { opens: 0, closes: 0, reads: 0, writes: 0, bytesRead: 0, bytesWritten: 0, fsyncs: 0 };
    expect((await listFiles([file(1, zero)], details(), limits, null)).fileCount).toBe(0);
  });
});

describe('listProcesses', () => {
  it('lists most bytes first, after minBytes, at most topK, with storage bytes unknown', async () => {
    const p = (pid: number, bytesRead: number) => ({ pid, comm: 'x', reads: 1, writes: 0, bytesRead, bytesWritten: 0, opens: 0, fsyncs: 0 });
    expect(listProcesses([p(1, 5), p(2, 50), p(3, 20)], { ...limits, topK: 2, minBytes: 10 }).map((x) => x.pid)).toEqual([2, 3]);
    expect(listProcesses([p(1, 5)], limits)[0]).toMatchObject({ storageBytesRead: null, storageBytesWritten: null, opens: 0, fsyncs: 0 });
  });
});

describe('topK', () => {
  it('gives the same as a sort and a slice, ties and all', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) % 50;
    const items = Array.from({ length: 500 }, (_, i) => ({ i, bytes: rand(), operations: rand() }));
    const order = (a: typeof items[0], b: typeof items[0]) => b.bytes - a.bytes || b.operations - a.operations || a.i - b.i;
    for (const k of [0, 1, 7, 100, 499, 500, 600]) expect(topK(items, k, order)).toEqual([...items].sort(order).slice(0, k));
  });
});
