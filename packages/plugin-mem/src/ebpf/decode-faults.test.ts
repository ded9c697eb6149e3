// Decoding the task iterator's records with the layout from the shipped object's BTF, over
// bytes this test writes with known values.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventProcessingFailed, LoadFailed } from '@bpfscope/core';
import { readStructLayouts } from '@bpfscope/native';
import { decodeFaults } from './decode-faults.js';
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

describe('decodeFaults', () => {
  it('sums threads per process, adds the exited threads on the leader only, names the process after its leader', () => {
    const bytes = records([
      { tgid: 10, tid: 11, min: 5, maj: 1, deadMin: 999, deadMaj: 999, comm: 'worker' }, // not a leader: dead totals ignored
      { tgid: 10, tid: 10, min: 100, maj: 2, deadMin: 4000, deadMaj: 3, comm: 'main' },
      { tgid: 20, tid: 20, min: 2 ** 40, maj: 0, comm: 'big-numbers' },
    ]);
    const out = decodeFaults(bytes, layouts.faults).map((t) => ({ pid: t.pid, minor: t.minor, major: t.major, threads: t.threads, comm: t.comm() }));
    expect(out).toEqual([
      { pid: 10, minor: 4105, major: 6, threads: 2, comm: 'main' },
      { pid: 20, minor: 2 ** 40, major: 0, threads: 1, comm: 'big-numbers' },
    ]);
  });

  it('a 15-character command fills comm up to its NUL', () => {
    expect(decodeFaults(records([{ tgid: 1, tid: 1, min: 0, maj: 0, comm: 'abcdefghijklmno' }]), layouts.faults)[0]!.comm()).toBe('abcdefghijklmno');
  });

  it('bytes that are not whole records → EventProcessingFailed', () => {
    expect(() => decodeFaults(new Uint8Array(layouts.faults.size + 3), layouts.faults)).toThrow(EventProcessingFailed);
  });

  it('the layouts are checked against the BTF: a drifted field is LoadFailed', () => {
    const drifted = new Map([['mem_faults', { ...layouts.faults, fields: { ...layouts.faults.fields, min_flt: { ...layouts.faults.fields.min_flt!, size: 4 } } }], ['mem_oom_ev', layouts.oom]]);
    expect(() => memLayouts(drifted)).toThrow(LoadFailed);
    expect(() => memLayouts(drifted)).toThrow(/mem_faults field min_flt is 4 bytes; the decoder reads 8/);
  });
});
