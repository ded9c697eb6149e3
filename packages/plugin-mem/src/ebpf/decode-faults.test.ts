// Decoding the task iterator's records with the layout from the shipped object's BTF, over
// bytes this test writes with known values.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventProcessingFailed, LoadFailed } from '@bpfscope/core';
import { readStructLayouts } from '@bpfscope/native';
import type { FaultRows } from '../read/fault-ranking.js';
import { FaultDecoder } from './decode-faults.js';
import { MEM_OBJECT_PATH } from './mem-ebpf-source.js';
import { memLayouts } from './mem-layouts.js';

const layouts = memLayouts(readStructLayouts(readFileSync(MEM_OBJECT_PATH), MEM_OBJECT_PATH));

interface Rec { tgid: number; tid: number; min: number; maj: number; deadMin?: number; deadMaj?: number; comm: string }

function records(rs: Rec[]): Uint8Array {
  const l = layouts.faults;
  const f = l.fields;
  const out = new Uint8Array(rs.length * l.size);
  const v = new DataView(out.buffer);
  rs.forEach((r, i) => {
    const at = i * l.size;
    v.setUint32(at + f.tgid!.offset, r.tgid, true);
    v.setUint32(at + f.tid!.offset, r.tid, true);
    v.setBigUint64(at + f.min_flt!.offset, BigInt(r.min), true);
    v.setBigUint64(at + f.maj_flt!.offset, BigInt(r.maj), true);
    v.setBigUint64(at + f.dead_min_flt!.offset, BigInt(r.deadMin ?? 0), true);
    v.setBigUint64(at + f.dead_maj_flt!.offset, BigInt(r.deadMaj ?? 0), true);
    out.set(new TextEncoder().encode(r.comm), at + f.comm!.offset);
  });
  return out;
}

const all = (rows: FaultRows) => Array.from({ length: rows.length }, (_, r) => ({ pid: rows.pid(r), minor: rows.minor(r), major: rows.major(r), threads: rows.threads(r), comm: rows.comm(r) }));
const decodeFaults = (bytes: Uint8Array, layout = layouts.faults): FaultRows => new FaultDecoder().decode(bytes, layout);

describe('FaultDecoder', () => {
  it('sums threads per process, adds the exited threads on the leader only, names the process after its leader', () => {
    const bytes = records([
      { tgid: 10, tid: 11, min: 5, maj: 1, deadMin: 999, deadMaj: 999, comm: 'worker' }, // not a leader: dead totals ignored
      { tgid: 10, tid: 10, min: 100, maj: 2, deadMin: 4000, deadMaj: 3, comm: 'main' },
      { tgid: 20, tid: 20, min: 2 ** 40, maj: 0, comm: 'big-numbers' },
    ]);
    expect(all(decodeFaults(bytes))).toEqual([
      { pid: 10, minor: 4105, major: 6, threads: 2, comm: 'main' },
      { pid: 20, minor: 2 ** 40, major: 0, threads: 1, comm: 'big-numbers' },
    ]);
  });

  it('a 15-character command fills comm up to its NUL', () => {
    expect(decodeFaults(records([{ tgid: 1, tid: 1, min: 0, maj: 0, comm: 'abcdefghijklmno' }])).comm(0)).toBe('abcdefghijklmno');
  });

  it('a decoder reused for a second reading holds that reading only, its rows growing past their first size', () => {
    const d = new FaultDecoder();
    d.decode(records([{ tgid: 7, tid: 7, min: 1, maj: 1, comm: 'seven' }, { tgid: 8, tid: 8, min: 2, maj: 0, comm: 'eight' }]), layouts.faults);
    const many = Array.from({ length: 600 }, (_, i) => ({ tgid: 1000 + (i >> 1), tid: 1000 + i, min: i, maj: 1, comm: `t${i}` }));
    const rows = all(d.decode(records(many), layouts.faults));
    expect(rows).toHaveLength(300);
    expect(rows.find((r) => r.pid === 7)).toBeUndefined();
    // pid 1000 + j: threads 2j (the leader: tid = tgid only for j = 0) and 2j + 1.
    expect(rows[0]).toEqual({ pid: 1000, minor: 0 + 1, major: 2, threads: 2, comm: 't0' });
    expect(rows[299]).toEqual({ pid: 1299, minor: 598 + 599, major: 2, threads: 2, comm: 't598' });
  });

  it('bytes that are not whole records → EventProcessingFailed', () => {
    expect(() => decodeFaults(new Uint8Array(layouts.faults.size + 3))).toThrow(EventProcessingFailed);
  });

  it('the layouts are checked against the BTF: a drifted field is LoadFailed', () => {
    const drifted = new Map([['mem_faults', { ...layouts.faults, fields: { ...layouts.faults.fields, min_flt: { ...layouts.faults.fields.min_flt!, size: 4 } } }], ['mem_oom_ev', layouts.oom]]);
    expect(() => memLayouts(drifted)).toThrow(LoadFailed);
    expect(() => memLayouts(drifted)).toThrow(/mem_faults field min_flt is 4 bytes; the decoder reads 8/);
  });
});
