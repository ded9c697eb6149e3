// Decoding the file object's maps, with the layouts read from the shipped object's BTF:
// records built here at the offsets the BTF gives decode to what was put in them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LoadFailed } from '@bpfscope/core';
import { readStructLayouts, type MapBatch } from '@bpfscope/native';
import { FS_FILE_OBJECT_PATH } from '../../object-path.js';
import { addRuns, decodeFile, decodeFileProcs, decodeProcs, decodeRuns, fileKey } from './decode-maps.js';
import { fileLayouts } from './file-layouts.js';
import { decodeOpenEvent } from './file-events.js';

const btf = readStructLayouts(readFileSync(FS_FILE_OBJECT_PATH), FS_FILE_OBJECT_PATH);
const L = fileLayouts(btf);

const batch = (keys: Uint8Array, values: Uint8Array, count: number): MapBatch => ({ keys, values, count, method: 'batch', spilled: false });
const setU64 = (v: DataView, at: number, n: number): void => v.setBigUint64(at, BigInt(n), true);

function countsAt(v: DataView, at: number, base: number): void {
  const c = L.counts;
  [c.opens, c.closes, c.reads, c.writes, c.bytes_read, c.bytes_written, c.fsyncs].forEach((off, i) => setU64(v, at + off, base + i));
}

describe('file object layouts', () => {
  it('match what the decoders read, and a drifted layout is a LoadFailed', () => {
    expect(L.key.size).toBe(24);
    expect(L.name.bufSize).toBeGreaterThan(0);
    const drifted = new Map(btf);
    drifted.set('fs_proc', { ...btf.get('fs_proc')!, fields: { ...btf.get('fs_proc')!.fields, reads: { ...btf.get('fs_proc')!.fields.reads!, size: 4 } } });
    expect(() => fileLayouts(drifted)).toThrow(LoadFailed);
  });
});

describe('decodeProcs', () => {
  it('sums each CPU copy and takes the command name from the copy that has one', () => {
    const stride = Math.ceil(L.proc.size / 8) * 8;
    const cpus = 3;
    const values = new Uint8Array(2 * stride * cpus);
    const v = new DataView(values.buffer);
    for (let e = 0; e < 2; e++) {
      for (let c = 0; c < cpus; c++) {
        const at = (e * cpus + c) * stride;
        setU64(v, at + L.proc.reads, 1 + c);
        setU64(v, at + L.proc.writes, 10 * (c + 1));
        setU64(v, at + L.proc.bytes_read, 100 + e);
        setU64(v, at + L.proc.bytes_written, 2 ** 40);
        setU64(v, at + L.proc.opens, c === 1 ? 1 : 0);
        setU64(v, at + L.proc.fsyncs, e);
      }
      values.set(new TextEncoder().encode(e === 0 ? 'first' : 'second'), (e * cpus + (e === 0 ? 0 : 2)) * stride + L.proc.comm);
    }
    const keys = new Uint8Array(8);
    new DataView(keys.buffer).setUint32(0, 41, true);
    new DataView(keys.buffer).setUint32(4, 4242, true);
    expect(decodeProcs(batch(keys, values, 2), 4, stride * cpus, stride, L)).toEqual([
      { pid: 41, comm: 'first', reads: 6, writes: 60, bytesRead: 300, bytesWritten: 3 * 2 ** 40, opens: 1, fsyncs: 0 },
      { pid: 4242, comm: 'second', reads: 6, writes: 60, bytesRead: 303, bytesWritten: 3 * 2 ** 40, opens: 1, fsyncs: 3 },
    ]);
  });
});

describe('decodeRuns and addRuns', () => {
  it('adds each CPU run to its process, and leaves out runs of processes without an entry', () => {
    const stride = Math.ceil(L.run.size / 8) * 8;
    const values = new Uint8Array(3 * stride);
    const v = new DataView(values.buffer);
    const run = (cpu: number, tgid: number, seq: number, n: number) => {
      const at = cpu * stride;
      v.setUint32(at + L.run.tgid, tgid, true);
      v.setUint32(at + L.run.seq, seq, true);
      [L.run.reads, L.run.writes, L.run.bytes_read, L.run.bytes_written, L.run.opens, L.run.fsyncs].forEach((off, i) => setU64(v, at + off, n * (i + 1)));
    };
    run(0, 10, 4, 1);
    run(1, 10, 7, 2);
    run(2, 99, 2, 5);
    const runs = decodeRuns(values, stride, L);
    expect(runs.map((r) => [r.tgid, r.seq, r.reads, r.fsyncs])).toEqual([[10, 4, 1, 6], [10, 7, 2, 12], [99, 2, 5, 30]]);
    const procs = [{ pid: 10, comm: 'a', reads: 100, writes: 0, bytesRead: 0, bytesWritten: 0, opens: 0, fsyncs: 0 }];
    addRuns(procs, runs);
    expect(procs).toEqual([{ pid: 10, comm: 'a', reads: 103, writes: 6, bytesRead: 9, bytesWritten: 12, opens: 15, fsyncs: 18 }]);
  });
});

describe('decodeFile and decodeFileProcs', () => {
  it('read the key (device, inode past 2^32, generation) and the counts', () => {
    // A record at the second slot of a table, after one of another file.
    const value = new Uint8Array(2 * L.file.size);
    const v = new DataView(value.buffer, L.file.size);
    setU64(v, L.file.ino, 2 ** 33 + 5);
    v.setUint32(L.file.dev, (8 << 20) | 1, true);
    v.setUint32(L.file.igen, 77, true);
    countsAt(v, L.file.c, 1);
    v.setUint32(L.file.flags, 1, true);
    v.setUint32(L.file.gen, 3, true);
    expect(decodeFile(new DataView(value.buffer), L.file.size, 1, L)).toEqual({
      dev: (8 << 20) | 1, ino: 2 ** 33 + 5, igen: 77, flags: 1, gen: 3, slot: 1,
      counts: { opens: 1, closes: 2, reads: 3, writes: 4, bytesRead: 5, bytesWritten: 6, fsyncs: 7 },
    });
  });
  it('read the (file, process) records of the wanted files with operations only', () => {
    const s = L.fileProc.size;
    const records = new Uint8Array(4 * s);
    const put = (i: number, file: number, pid: number, base: number, comm: string) => {
      const v = new DataView(records.buffer, i * s);
      v.setUint32(L.fileProc.file, file, true);
      v.setUint32(L.fileProc.tgid, pid, true);
      if (base > 0) countsAt(v, L.fileProc.c, base);
      records.set(new TextEncoder().encode(comm), i * s + L.fileProc.comm);
    };
    put(0, 5, 999, 10, 'postgres');
    put(1, 6, 1000, 20, 'other');
    // A pair being counted now (or a slot given back): no operations yet.
    put(2, 5, 1001, 0, 'new');
    put(3, 5, 1002, 30, 'cat');
    const wanted = new Uint8Array(8);
    wanted[5] = 1;
    expect(decodeFileProcs(records, 4, s, L, wanted)).toEqual([
      { file: 5, pid: 999, comm: 'postgres', counts: { opens: 10, closes: 11, reads: 12, writes: 13, bytesRead: 14, bytesWritten: 15, fsyncs: 16 } },
      { file: 5, pid: 1002, comm: 'cat', counts: { opens: 30, closes: 31, reads: 32, writes: 33, bytesRead: 34, bytesWritten: 35, fsyncs: 36 } },
    ]);
    // Slots past the marks are not wanted; only the first `count` records are read.
    expect(decodeFileProcs(records, 4, s, L, Uint8Array.of(1, 1, 1, 1, 1, 0))).toEqual([]);
    expect(decodeFileProcs(records, 1, s, L, wanted).map((p) => p.pid)).toEqual([999]);
  });
  it('fileKey lays out the key of fs_files, fs_paths and fs_file_proc', () => {
    const key = fileKey((8 << 20) | 1, 2 ** 33 + 5, 77, 12, L);
    const v = new DataView(key.buffer);
    expect([v.getBigUint64(L.key.ino, true), v.getUint32(L.key.dev, true), v.getUint32(L.key.igen, true), v.getUint32(L.key.tgid, true)]).toEqual([2n ** 33n + 5n, (8 << 20) | 1, 77, 12]);
  });
});

describe('decodeOpenEvent', () => {
  it('gives the device as major:minor, the path as given (up to its length), the flags', () => {
    const rec = new Uint8Array(L.openEv.size);
    const v = new DataView(rec.buffer);
    setU64(v, L.openEv.ts_ns, 2_000_000);
    setU64(v, L.openEv.ino, 1234);
    v.setUint32(L.openEv.dev, (254 << 20) | 3, true);
    v.setUint32(L.openEv.pid, 77, true);
    v.setUint32(L.openEv.flags, 0o101, true);
    rec.set(new TextEncoder().encode('cat'), L.openEv.comm);
    rec.set(new TextEncoder().encode('data/x.log\0junk'), L.openEv.path);
    v.setUint32(L.openEv.path_len, 10, true);
    expect(decodeOpenEvent(v, rec, 0, L, (ns) => 1000 + ns / 1e6)).toEqual({
      type: 'open', time: 1002, pid: 77, comm: 'cat', weight: 1, dev: '254:3', inode: 1234, path: 'data/x.log', flags: 0o101,
    });
  });
});
