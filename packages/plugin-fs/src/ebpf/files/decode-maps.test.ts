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
  it('read the key (device, inode past 2^32, generation, pid) and the counts', () => {
    // A record at the second slot of a table, after one of another file.
    const value = new Uint8Array(2 * L.file.size);
    const v = new DataView(value.buffer, L.file.size);
    setU64(v, L.file.ino, 2 ** 33 + 5);
    v.setUint32(L.file.dev, (8 << 20) | 1, true);
    v.setUint32(L.file.igen, 77, true);
    countsAt(v, L.file.c, 1);
    v.setUint32(L.file.flags, 1, true);
    v.setUint32(L.file.gen, 3, true);
    // Ten processes touched it; the struct lists as many as it holds.
    v.setUint32(L.file.ntgids, 10, true);
    for (let t = 0; t < L.file.tgidSlots; t++) v.setUint32(L.file.tgids + 4 * t, 100 + t, true);
    expect(decodeFile(new DataView(value.buffer), L.file.size, L)).toEqual({
      dev: (8 << 20) | 1, ino: 2 ** 33 + 5, igen: 77, flags: 1, gen: 3, ntgids: 10, tgids: [100, 101, 102, 103, 104, 105, 106, 107],
      counts: { opens: 1, closes: 2, reads: 3, writes: 4, bytesRead: 5, bytesWritten: 6, fsyncs: 7 },
    });
    const pkey = fileKey(259 << 20, 12, 0, 999, L);
    const pvalue = new Uint8Array(L.fileProc.size);
    countsAt(new DataView(pvalue.buffer), L.fileProc.c, 10);
    pvalue.set(new TextEncoder().encode('postgres'), L.fileProc.comm);
    const decoded = [{
      id: `${259 << 20}:12:0`, pid: 999, comm: 'postgres',
      counts: { opens: 10, closes: 11, reads: 12, writes: 13, bytesRead: 14, bytesWritten: 15, fsyncs: 16 },
    }];
    expect(decodeFileProcs(batch(pkey, pvalue, 1), L.key.size, L.fileProc.size, L)).toEqual(decoded);
    // Of the wanted files only: the same inode with another generation is another file.
    expect(decodeFileProcs(batch(pkey, pvalue, 1), L.key.size, L.fileProc.size, L, new Set([`${259 << 20}:12:0`]))).toEqual(decoded);
    expect(decodeFileProcs(batch(pkey, pvalue, 1), L.key.size, L.fileProc.size, L, new Set([`${259 << 20}:12:1`, `${259 << 20}:13:0`]))).toEqual([]);
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
