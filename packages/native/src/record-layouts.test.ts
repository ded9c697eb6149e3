// The record layouts the native tests decode, checked against the compiled
// test objects: each decoder's expectations fail when a struct in
// bpf/test/*.h changes, and a struct altered in the object's BTF is caught.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LoadFailed } from '@bpfscope/core';
import { fixture } from '../test/helpers.js';
import { readStructLayouts, requireStruct } from './btf-layout.js';
import { elfSection } from './elf-check.js';

/** What the tests and benches read: member → size, per struct (bpf/test/*.h). */
const EXPECTED = {
  iter_task_rec: { pid: 4, tgid: 4, ppid: 4, state: 4, utime: 8, stime: 8, start_time: 8, comm: 16 },
  iter_map_rec: { id: 4, map_type: 4, key_size: 4, value_size: 4, max_entries: 4, name: 16 },
  mt_record: { kind: 1, small: 2, tgid: 4, magic: 8, tag: 8, neg: 4, comm: 16, switches: 8, stack_id: 8 },
  mt_value: { count: 8, sum: 8 },
} as const;

const iterTask = readFileSync(fixture('iter_task.bpf.o'));

describe('record layouts of the test objects', () => {
  it('match what the decoders read, with offsets from BTF', () => {
    const iter = readStructLayouts(iterTask, 'iter_task.bpf.o');
    const types = readStructLayouts(readFileSync(fixture('map_types.bpf.o')), 'map_types.bpf.o');
    const task = requireStruct(iter, 'iter_task_rec', EXPECTED.iter_task_rec);
    requireStruct(iter, 'iter_map_rec', EXPECTED.iter_map_rec);
    requireStruct(types, 'mt_value', EXPECTED.mt_value);
    const record = requireStruct(types, 'mt_record', EXPECTED.mt_record);
    expect(task.size).toBe(56);
    expect(task.fields.comm).toMatchObject({ offset: 40, kind: 'string', type: 'char[16]' });
    expect(record.fields.small?.offset).toBe(2); // after a u8: padded
    expect(record.fields.neg).toMatchObject({ offset: 24, kind: 'int', type: '__s32' });
  });

  it('a struct altered in the object (a member retyped) is caught by requireStruct', () => {
    const image = Buffer.from(iterTask);
    const btf = elfSection(image, '.BTF');
    if (!btf) throw new Error('no .BTF');
    const view = new DataView(btf.buffer, btf.byteOffset, btf.byteLength);
    const hdrLen = view.getUint32(4, true);
    const typeOff = hdrLen + view.getUint32(8, true);
    const typeLen = view.getUint32(12, true);
    const strOff = hdrLen + view.getUint32(16, true);
    const strings = Buffer.from(btf.buffer, btf.byteOffset + strOff, view.getUint32(20, true));
    const nameOff = (name: string): number => strings.indexOf(`\0${name}\0`) + 1;
    // Find the members `pid` (offset 0) and `utime` (bit offset 128) of iter_task_rec
    // and give utime the type of pid: a u64 member becomes a u32, as if the header changed.
    let pidType = -1;
    let utimeAt = -1;
    for (let p = typeOff; p + 12 <= typeOff + typeLen; p += 4) {
      if (view.getUint32(p, true) === nameOff('pid') && view.getUint32(p + 8, true) === 0 && view.getUint32(p + 12, true) === nameOff('tgid')) pidType = view.getUint32(p + 4, true);
      if (view.getUint32(p, true) === nameOff('utime') && view.getUint32(p + 8, true) === 128 && view.getUint32(p + 12, true) === nameOff('stime')) utimeAt = p;
    }
    expect(pidType).toBeGreaterThan(0);
    expect(utimeAt).toBeGreaterThan(0);
    view.setUint32(utimeAt + 4, pidType, true);
    const altered = readStructLayouts(image, 'altered');
    expect(() => requireStruct(altered, 'iter_task_rec', EXPECTED.iter_task_rec)).toThrow(/struct iter_task_rec field utime is 4 bytes; the decoder reads 8/);
    // And a layout object edited by hand, the same way.
    const layout = requireStruct(readStructLayouts(iterTask), 'iter_task_rec', {});
    const edited = new Map([['iter_task_rec', { ...layout, fields: { ...layout.fields, comm: { ...layout.fields.comm!, size: 8 } } }]]);
    expect(() => requireStruct(edited, 'iter_task_rec', EXPECTED.iter_task_rec)).toThrow(LoadFailed);
  });
});
