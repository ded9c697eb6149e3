// Map types, typed layouts from BTF and .rodata constants against the kernel,
// with map_types.bpf.o (bpf/test/map_types.bpf.c).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConfigError, LoadFailed } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { fixture, readU64, u32 } from '../test/helpers.js';
import { settle } from '../test/workload.js';
import { StepsChild } from '../../../test/steps.js';
import { onlineCpus } from './attach-targets.js';
import { BpfObject, decodeRecords, possibleCpus, type ConstantValue } from './index.js';

const MT_RECORD_KIND = 7; // bpf/test/map_types.h
const MT_STACK_DEPTH = 127;
const CONSTANTS = {
  target_tgid: 0, // the steps child, once started
  probe_enabled: true,
  probe_small: 0xbeef,
  probe_magic: 0x1234_5678_9abc_def0n,
  probe_signed: -42,
  probe_tag: new TextEncoder().encode('bpfscope'),
};

/** Kernel function containing `ip`, from /proc/kallsyms (root sees real addresses). */
function symbolizer(): (ip: bigint) => string | undefined {
  const syms = readFileSync('/proc/kallsyms', 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f.length >= 3 && /^[tT]$/.test(f[1] ?? ''))
    .map((f) => ({ addr: BigInt(`0x${f[0]}`), name: f[2] ?? '' }))
    .sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  return (ip) => {
    let lo = 0;
    let hi = syms.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((syms[mid]?.addr ?? 0n) <= ip) lo = mid;
      else hi = mid - 1;
    }
    return syms[lo]?.name;
  };
}

describeKernel('map types and typed records (map_types.bpf.o)', () => {
  let obj: BpfObject;
  // The target: a child pinned to one CPU that switches a known number of times.
  let child: StepsChild;
  const pinned = onlineCpus().at(-1) ?? 0;

  beforeAll(async () => {
    child = await StepsChild.start({ cpu: pinned });
    obj = BpfObject.open(fixture('map_types.bpf.o'), { constants: { ...CONSTANTS, target_tgid: child.pid } });
    await obj.load();
  });
  afterAll(async () => {
    obj.close();
    await child.stop();
  });

  it('describes every map with its BTF key and value type names and, once loaded, its kernel id', () => {
    const maps = obj.maps();
    const byName = new Map(maps.map((m) => [m.name, m]));
    expect(byName.get('mt_array')).toMatchObject({ type: 'array', keyType: '__u32', valueType: '__u64' });
    expect(byName.get('mt_hash')).toMatchObject({ type: 'hash', keyType: '__u32', valueType: 'struct mt_value' });
    expect(byName.get('mt_lru')).toMatchObject({ type: 'lru_hash', keyType: '__u32', valueType: '__u64' });
    expect(byName.get('mt_pcpu_array')).toMatchObject({ type: 'percpu_array', perCpu: true });
    expect(byName.get('mt_pcpu_hash')).toMatchObject({ type: 'percpu_hash', perCpu: true });
    expect(byName.get('mt_records')).toMatchObject({ type: 'hash', valueType: 'struct mt_record', valueSize: 64 });
    // Stack traces declare sizes, not BTF types.
    const stacks = byName.get('mt_stacks');
    expect(stacks).toMatchObject({ type: 'stack_trace', keySize: 4, valueSize: MT_STACK_DEPTH * 8 });
    expect(stacks?.keyType).toBeUndefined();
    expect(maps.find((m) => m.name.endsWith('.rodata'))?.valueType).toBe('.rodata');
    const ids = maps.map((m) => m.id);
    expect(ids.every((id) => id > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(obj.map('mt_hash').id).toBe(byName.get('mt_hash')?.id);
  });

  it('lists the .rodata constants with offsets and sizes from BTF', () => {
    const constants = obj.constants();
    expect(constants.map((c) => [c.name, c.size, c.type])).toEqual([
      ['target_tgid', 4, '__u32'],
      ['probe_enabled', 1, 'bool'],
      ['probe_small', 2, '__u16'],
      ['probe_magic', 8, '__u64'],
      ['probe_signed', 4, '__s32'],
      ['probe_tag', 8, 'char[8]'],
    ]);
    // Aligned, inside the section, not overlapping.
    const sorted = [...constants].sort((a, b) => a.offset - b.offset);
    for (const [i, c] of sorted.entries()) {
      if (!c.type.includes('[')) expect(c.offset % c.size).toBe(0); // scalars naturally aligned
      if (i > 0) expect(c.offset).toBeGreaterThanOrEqual((sorted[i - 1]?.offset ?? 0) + (sorted[i - 1]?.size ?? 0));
    }
  });

  it('the program writes the constants into a record; decoded with the layout from BTF, every member holds its known value', async () => {
    const k0 = child.counters(); // blocked in read(0): no switch of it until the command
    const link = obj.attach('mt_switch');
    await child.run('sleep 100');
    link.destroy();
    const caused = child.counters().switches - k0.switches;
    expect(caused).toBeGreaterThanOrEqual(1);
    const records = obj.map('mt_records');
    const pcpuHash = obj.map('mt_pcpu_hash');
    const pcpuArray = obj.map('mt_pcpu_array');
    await settle(() => Buffer.from(records.lookup(u32(process.pid)) ?? []).toString('hex') + Buffer.from(pcpuArray.readArray()).toString('hex'));

    const layout = records.valueLayout();
    expect(layout.name).toBe('mt_record');
    expect(layout.size).toBe(64);
    // Padding after `kind` and `neg`: offsets that counting sizes would get wrong.
    expect(Object.fromEntries(Object.entries(layout.fields).map(([k, f]) => [k, [f.offset, f.size, f.kind]]))).toEqual({
      kind: [0, 1, 'uint'],
      small: [2, 2, 'uint'],
      tgid: [4, 4, 'uint'],
      magic: [8, 8, 'uint'],
      tag: [16, 8, 'string'],
      neg: [24, 4, 'int'],
      comm: [28, 16, 'string'],
      switches: [48, 8, 'uint'],
      stack_id: [56, 8, 'int'],
    });
    const batch = await records.lookupBatch();
    const decoded = decodeRecords(batch.values, layout);
    const mine = decoded.find((r) => r.tgid === child.pid);
    expect(mine).toBeDefined();
    expect(decoded).toHaveLength(1); // only the target tgid is recorded
    const comm = readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim();
    expect(mine).toMatchObject({ kind: MT_RECORD_KIND, small: 0xbeef, tgid: child.pid, magic: 0x1234_5678_9abc_def0n, tag: 'bpfscope', neg: -42, comm });
    const switches = mine?.switches as bigint;
    // Exactly the child's own switches over the window (voluntary + involuntary, /proc/<pid>/status).
    expect(switches).toBe(BigInt(caused));
    // The same count kept per CPU, twice: the child ran only on its CPU, so each CPU holds
    // exactly its share: all of it on that CPU, 0 on every other.
    const expectedPerCpu = Array.from({ length: possibleCpus() }, (_, cpu) => (cpu === pinned ? switches : 0n));
    expect((pcpuHash.lookupPerCpu(u32(child.pid)) ?? []).map((v) => readU64(v))).toEqual(expectedPerCpu);
    expect((pcpuArray.lookupPerCpu(u32(0)) ?? []).map((v) => readU64(v))).toEqual(expectedPerCpu);
    expect(pcpuHash.lookupPerCpuSum(u32(child.pid))).toBe(switches);
    expect(pcpuArray.lookupPerCpuSum(u32(0))).toBe(switches);
    // Slot 1 of the per-CPU array is the test's: a distinct value written per CPU reads back per CPU.
    const written = new Uint8Array(pcpuArray.entrySize);
    for (let cpu = 0; cpu < possibleCpus(); cpu++) new DataView(written.buffer).setBigUint64(cpu * 8, 1000n + BigInt(cpu) * 7n, true);
    pcpuArray.update(u32(1), written);
    expect((pcpuArray.lookupPerCpu(u32(1)) ?? []).map((v) => readU64(v))).toEqual(Array.from({ length: possibleCpus() }, (_, cpu) => 1000n + BigInt(cpu) * 7n));

    // The number-mode decode gives the same values as numbers.
    const asNumbers = decodeRecords(batch.values, layout, { u64: 'number' })[0];
    expect(asNumbers?.switches).toBe(Number(switches));
    expect(asNumbers?.magic).toBe(0x1234_5678_9abc_def0n); // beyond 2^53: stays a bigint, never rounded

    // The stack trace of one of those switches: kernel addresses, through the scheduler.
    const stackId = mine?.stack_id as bigint;
    expect(stackId).toBeGreaterThanOrEqual(0n);
    const stacks = obj.map('mt_stacks');
    const frames = stacks.lookup(u32(Number(stackId)));
    expect(frames?.length).toBe(MT_STACK_DEPTH * 8);
    const ips: bigint[] = [];
    for (let i = 0; i < MT_STACK_DEPTH; i++) {
      const ip = readU64(frames ?? new Uint8Array(8), i * 8);
      if (ip === 0n) break;
      ips.push(ip);
    }
    expect(ips.length).toBeGreaterThan(1);
    expect(ips.every((ip) => ip >= 0xffff_8000_0000_0000n)).toBe(true);
    const symbolize = symbolizer();
    expect(ips.map(symbolize).some((name) => /schedule/.test(name ?? ''))).toBe(true);
    // Stack trace maps have no batch operations: the read walks the keys instead.
    const all = await stacks.lookupBatch();
    expect(all.method).toBe('iterate');
    const ids = new Set(Array.from({ length: all.count }, (_, i) => new DataView(all.keys.buffer, all.keys.byteOffset).getUint32(i * 4, true)));
    expect(ids.has(Number(stackId))).toBe(true);
  });

  it('refuses unknown constants, wrong sizes, wrong types and out-of-range values, naming the variable; a good set reaches the kernel', async () => {
    const fresh = BpfObject.open(fixture('map_types.bpf.o'));
    try {
      const fail = (name: string, value: ConstantValue): ConfigError => {
        try {
          fresh.setConstant(name, value);
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigError);
          return e as ConfigError;
        }
        throw new Error(`setConstant(${name}) was accepted`);
      };
      const unknown = fail('no_such_var', 1);
      expect(unknown.path).toBe('constants.no_such_var');
      expect(unknown.message).toMatch(/target_tgid, probe_enabled, probe_small, probe_magic, probe_signed, probe_tag/);
      expect(fail('probe_tag', new Uint8Array(7)).message).toMatch(/probe_tag.*exactly 8 bytes \(char\[8\]\)/);
      expect(fail('probe_small', 0x10000).message).toMatch(/constants\.probe_small.*from 0 to 65535 \(__u16\)/);
      expect(fail('probe_small', -1).message).toMatch(/from 0 to 65535/);
      expect(fail('probe_signed', 2 ** 31).message).toMatch(/from -2147483648 to 2147483647/);
      expect(fail('probe_magic', 2 ** 60).message).toMatch(/use a bigint/);
      expect(fail('probe_magic', -1n).message).toMatch(/from 0 to 18446744073709551615/);
      expect(fail('probe_enabled', 2).message).toMatch(/a boolean \(bool/);
      expect(fail('target_tgid', true).message).toMatch(/a number or bigint/);
      // A refused set leaves the others alone; a good one is written: after load, the
      // kernel's frozen .rodata map holds exactly these bytes.
      fresh.setConstants({ probe_small: 7, probe_magic: 2n ** 64n - 1n, probe_tag: new Uint8Array(8).fill(65) });
      await fresh.load();
      const rodata = fresh.maps().find((m) => m.name.endsWith('.rodata'));
      const bytes = fresh.map(rodata?.name ?? '.rodata').lookup(u32(0)) ?? new Uint8Array(0);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const at = (name: string): number => fresh.constants().find((c) => c.name === name)?.offset ?? -1;
      expect(view.getUint32(at('target_tgid'), true)).toBe(0);
      expect(view.getUint8(at('probe_enabled'))).toBe(0);
      expect(view.getUint16(at('probe_small'), true)).toBe(7);
      expect(view.getBigUint64(at('probe_magic'), true)).toBe(2n ** 64n - 1n);
      expect(view.getInt32(at('probe_signed'), true)).toBe(0);
      expect(Buffer.from(bytes.subarray(at('probe_tag'), at('probe_tag') + 8)).toString()).toBe('AAAAAAAA');
    } finally {
      fresh.close();
    }
    expect(() => BpfObject.open(fixture('map_types.bpf.o'), { constants: { nope: 1 } })).toThrow(ConfigError);
    expect(() => obj.setConstant('probe_small', 1)).toThrow(LoadFailed); // loaded: too late
    expect(() => BpfObject.open(fixture('iter_task.bpf.o'), { constants: { x: 1 } })).toThrow(/has no const volatile/);
  });
});
