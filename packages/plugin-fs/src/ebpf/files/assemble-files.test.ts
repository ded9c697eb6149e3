import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readStructLayouts } from '@bpfscope/native';
import { FS_FILE_OBJECT_PATH } from '../../object-path.js';
import type { KernelCounts, KernelFile, KernelFileProc } from './decode-maps.js';
import { listFiles, listProcesses } from './assemble-files.js';
import { fileLayouts } from './file-layouts.js';
import type { PathText } from './path-text.js';
import { FileRanking, type FileTable } from './top-files.js';

// Records laid out as the shipped object's BTF says (fs_recs values), one per slot.
const L = fileLayouts(readStructLayouts(readFileSync(FS_FILE_OBJECT_PATH), FS_FILE_OBJECT_PATH));
const setU64 = (v: DataView, at: number, n: number): void => v.setBigUint64(at, BigInt(n), true);
function table(files: readonly KernelFile[], stride = L.file.size): FileTable {
  const records = new Uint8Array(files.length * stride);
  const v = new DataView(records.buffer);
  files.forEach((f, i) => {
    const at = i * stride;
    const o = L.file;
    const c = L.counts;
    setU64(v, at + o.ino, f.ino);
    v.setUint32(at + o.dev, f.dev, true);
    v.setUint32(at + o.igen, f.igen, true);
    const n = f.counts;
    [[c.opens, n.opens], [c.closes, n.closes], [c.reads, n.reads], [c.writes, n.writes], [c.bytes_read, n.bytesRead], [c.bytes_written, n.bytesWritten], [c.fsyncs, n.fsyncs]].forEach(([off, x]) => setU64(v, at + o.c + off!, x!));
    v.setUint32(at + o.flags, f.flags, true);
    v.setUint32(at + o.gen, f.gen, true);
  });
  return { records, count: files.length, stride, layouts: L };
}
const list = (files: readonly KernelFile[], d: ReturnType<typeof details>, l: typeof limits, prefixes: Parameters<typeof listFiles>[4]) => listFiles(table(files), new FileRanking(), d, l, prefixes);

const c = (bytesRead: number, bytesWritten: number, reads = 1): KernelCounts => ({ opens: 1, closes: 0, reads, writes: 1, bytesRead, bytesWritten, fsyncs: 0 });
// Slots follow the order of the files given to `table`: set there.
const file = (ino: number, counts: KernelCounts, flags = 0, gen = 0, igen = 0): KernelFile => ({ dev: 1 << 20, ino, igen, counts, flags, gen, slot: -1 });
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
    processesOf: (files: readonly KernelFile[]) => {
      const slots = new Set(files.map((f) => f.slot));
      asked.push(`procs ${files.map((f) => `${f.ino}@${f.slot}`).join(',')}`);
      return fileProcs.filter((fp) => slots.has(fp.file));
    },
  };
}

describe('listFiles', () => {
  it('lists most bytes first (then operations), after minBytes, capped at maxFiles, with fileCount before the cap', async () => {
    const files = [file(1, c(10, 0)), file(2, c(500, 0)), file(3, c(10, 0, 5)), file(4, c(1, 0))];
    const d = details();
    const r = await list(files, d, { ...limits, maxFiles: 2, minBytes: 5 }, null);
    expect(r.fileCount).toBe(3);
    // Paths and processes are looked up for the listed files only.
    expect(d.asked).toEqual(['procs 2@1,3@2', 'path 2', 'path 3']);
    expect(r.files.map((f) => f.inode)).toEqual([2, 3]);
    expect(r.files[0]).toMatchObject({ dev: '1:0', path: '/data/b', pathStatus: 'resolved', bytesRead: 500 });
  });
  it('marks a file unlinked while open deleted, and a cut one still deleted', async () => {
    const r = await list([file(1, c(1, 1), 1)], details([], () => ({ path: '…/x/y', status: 'truncated' })), limits, null);
    expect(r.files[0]).toMatchObject({ path: '…/x/y', pathStatus: 'deleted' });
  });
  it('gives each file its top processes by bytes, at most topProcesses', async () => {
    // The file at slot 1; the record of pid 4 is of the file at slot 0.
    const fp = (pid: number, bytes: number, slot = 1): KernelFileProc => ({ file: slot, pid, comm: `p${pid}`, counts: c(bytes, 0) });
    const r = await list([file(2, c(1, 0)), file(1, c(60, 0))], details([fp(1, 10), fp(2, 30), fp(3, 20), fp(4, 99, 0)]), limits, null);
    expect(r.files[0]!.inode).toBe(1);
    expect(r.files[0]!.topProcesses).toEqual([
      { pid: 2, comm: 'p2', bytes: 30, operations: 3 },
      { pid: 3, comm: 'p3', bytes: 20, operations: 3 },
    ]);
  });
  it('under path prefixes: a file judged out in this generation is left out; one not judged since is kept by its path', async () => {
    const files = [file(1, c(1, 0), 0, 2), file(2, c(1, 0), 2, 2), file(3, c(1, 0), 0, 1), file(4, c(1, 0), 0, 1), file(1, c(1, 0), 0, 1, 9)];
    const r = await list(files, details(), limits, { prefixes: ['/data'], gen: 2 });
    // 1: judged in; 2: judged out; 3 (/other) and 4 (no path) not judged since: out; the last, at /data/a, kept.
    expect(r.files.map((f) => f.path)).toEqual(['/data/a', '/data/a']);
  });
  it('leaves out a file with no operation (tracked, then refused by a filter)', async () => {
    const zero = { opens: 0, closes: 0, reads: 0, writes: 0, bytesRead: 0, bytesWritten: 0, fsyncs: 0 };
    expect((await list([file(1, zero)], details(), limits, null)).fileCount).toBe(0);
  });
});

describe('FileRanking', () => {
  it('ranks as a sort by bytes, operations and slot would, over tables of any size, its arrays kept between tables', () => {
    let seed = 11;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) % 6;
    const ranking = new FileRanking();
    for (const n of [0, 1, 50, 3000, 20]) {
      // Few distinct values, so that ties in bytes and in operations are many.
      const files = Array.from({ length: n }, (_, i) => file(i + 1, { opens: rand(), closes: 0, reads: rand(), writes: 0, bytesRead: rand() * 4096, bytesWritten: rand(), fsyncs: 0 }));
      const ops = (f: KernelFile) => f.counts.opens + f.counts.reads;
      const bytes = (f: KernelFile) => f.counts.bytesRead + f.counts.bytesWritten;
      const kept = files.map((f, slot) => ({ f, slot })).filter(({ f }) => ops(f) > 0 && bytes(f) >= 3);
      kept.sort((a, b) => bytes(b.f) - bytes(a.f) || ops(b.f) - ops(a.f) || a.slot - b.slot);
      for (const maxFiles of [0, 1, 7, 100]) {
        // A stride larger than the record, as an array map's may be.
        const r = ranking.select(table(files, L.file.size + 8), { maxFiles, minBytes: 3 }, null);
        expect(r.passing).toBe(kept.length);
        expect(r.slots).toEqual(kept.slice(0, maxFiles).map((x) => x.slot));
      }
    }
  });
  it('asks the filter only about files with operations and enough bytes, at their offsets', () => {
    const files = [file(1, c(10, 0)), file(2, c(0, 0, 0)), file(3, c(20, 0)), file(4, c(30, 0))];
    const t = table(files);
    const asked: number[] = [];
    const r = new FileRanking().select(t, { maxFiles: 10, minBytes: 1 }, (v, at) => {
      asked.push(at / t.stride);
      return at / t.stride !== 2;
    });
    // file 2 has one operation (its open) but no bytes: below minBytes.
    expect(asked).toEqual([0, 2, 3]);
    expect(r).toEqual({ slots: [3, 0], passing: 2 });
  });
});

describe('listProcesses', () => {
  it('lists most bytes first, after minBytes, at most topK, with storage bytes unknown', async () => {
    const p = (pid: number, bytesRead: number) => ({ pid, comm: 'x', reads: 1, writes: 0, bytesRead, bytesWritten: 0, opens: 0, fsyncs: 0 });
    expect(listProcesses([p(1, 5), p(2, 50), p(3, 20)], { ...limits, topK: 2, minBytes: 10 }).map((x) => x.pid)).toEqual([2, 3]);
    expect(listProcesses([p(1, 5)], limits)[0]).toMatchObject({ storageBytesRead: null, storageBytesWritten: null, opens: 0, fsyncs: 0 });
  });
});
