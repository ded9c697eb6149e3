import { readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { AttachFailed, BtfUnavailable, Closed, LoadFailed, MapOperationFailed } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { StepsChild } from '../../../test/steps.js';
import { fixture, readU64, u32 } from '../test/helpers.js';
import { settle } from '../test/workload.js';
import { onlineCpus } from './attach-targets.js';
import { BpfObject, isNativeAvailable, loadNative, possibleCpus, type BpfMap } from './index.js';

const SWITCHES = 0; // enum test_count in bpf/test/maps.h
const TARGET = 1;
const STAT_INVOCATIONS = 0; // enum bpfscope_stat

const opened: BpfObject[] = [];
const open = (...args: Parameters<typeof BpfObject.open>): BpfObject => {
  const obj = BpfObject.open(...args);
  opened.push(obj);
  return obj;
};
afterEach(() => {
  for (const obj of opened.splice(0)) obj.close();
});

/** Sum of the per-CPU u64 values of `key`, and the values themselves. */
function perCpuSum(map: BpfMap, key: number): bigint {
  const views = map.lookupPerCpu(u32(key));
  if (!views) throw new Error(`no entry ${key} in ${map.name}`);
  expect(views).toHaveLength(possibleCpus());
  return views.reduce((sum, v) => sum + readU64(v), 0n);
}

function expectError<T extends Error>(fn: () => unknown, type: new (...a: never[]) => T): T {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return e as T;
  }
  throw new Error(`expected ${type.name} to be thrown`);
}

async function expectRejection<T extends Error>(p: Promise<unknown>, type: new (...a: never[]) => T): Promise<T> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(type);
  return e as T;
}

describeKernel('BpfObject against the kernel', () => {
  it('counts exactly the switches of the process its filter names, per CPU and in total, and none of another', async () => {
    const obj = open(fixture('maps.bpf.o'));
    expect(obj.programs()).toEqual([
      { name: 'test_switch', section: 'tp_btf/sched_switch', type: 'tracing', attachType: 'trace_raw_tp', autoload: true },
    ]);
    await obj.load();
    // Two children that do known work; the filter names one. Each is blocked in read(0),
    // off the CPU, whenever its counters are read, so they cover the same window as the program.
    const cpus = onlineCpus();
    const pinned = cpus[cpus.length - 1] ?? 0;
    const target = await StepsChild.start({ cpu: pinned });
    const other = await StepsChild.start();
    try {
      obj.map('test_config').update(u32(0), u32(target.pid));
      const counts = obj.map('test_counts');
      const total = obj.map('test_total');
      expect(counts.perCpu).toBe(true);
      const t0 = target.counters();
      const o0 = other.counters();
      const link = obj.attach('test_switch');
      expect(link.attachPoint).toBe('tp_btf/sched_switch');
      await Promise.all([target.run('sleep 200'), other.run('sleep 300')]);
      link.destroy();
      expect(link.attached).toBe(false);
      const t1 = target.counters();
      const o1 = other.counters();
      // A program run in flight on another CPU may still finish after the detach.
      await settle(() => Buffer.from(counts.readArray()).toString('hex') + Buffer.from(total.readArray()).toString('hex'));

      const targetTotal = readU64(total.lookup(u32(TARGET)) ?? new Uint8Array(8));
      const switchesTotal = readU64(total.lookup(u32(SWITCHES)) ?? new Uint8Array(8));
      const seen = `target ${t0.switches}->${t1.switches}, other ${o0.switches}->${o1.switches}, counted ${targetTotal} of ${switchesTotal}`;
      // Exactly the target's own switches as the kernel counts them (voluntary + involuntary).
      expect(targetTotal, seen).toBe(BigInt(t1.switches - t0.switches));
      expect(t1.switches - t0.switches, seen).toBeGreaterThanOrEqual(1); // it really switched
      // The other child switched too, and those switches are in the unfiltered slot only.
      expect(o1.switches - o0.switches, seen).toBeGreaterThanOrEqual(1);
      expect(switchesTotal, seen).toBeGreaterThanOrEqual(targetTotal + BigInt(o1.switches - o0.switches));
      // Per CPU: the target ran only on its CPU, so every count of it is there and none elsewhere.
      const perCpu = (counts.lookupPerCpu(u32(TARGET)) ?? []).map((v) => readU64(v));
      expect(perCpu).toHaveLength(possibleCpus());
      expect(perCpu.map((v, cpu) => (cpu === pinned ? -1n : v)).every((v) => v === 0n || v === -1n), seen).toBe(true);
      expect(perCpu[pinned]).toBe(targetTotal);
      expect(perCpuSum(counts, SWITCHES)).toBe(switchesTotal);

      // readArray: [key][cpu], each CPU slot 8 bytes; the same numbers as lookupPerCpu.
      const all = counts.readArray();
      expect(all.length).toBe(counts.maxEntries * counts.entrySize);
      for (let cpu = 0; cpu < possibleCpus(); cpu++) expect(readU64(all, TARGET * counts.entrySize + cpu * 8)).toBe(perCpu[cpu]);

      // The shared stats map counted every run once, like test_counts[SWITCHES].
      expect(perCpuSum(obj.map('test_stats'), STAT_INVOCATIONS)).toBe(switchesTotal);
    } finally {
      await Promise.all([target.stop(), other.stop()]);
    }
  });

  it('describes maps with their libbpf types and sizes', () => {
    const obj = open(fixture('maps.bpf.o'));
    expect(obj.maps()).toEqual([
      { name: 'test_hash', type: 'hash', keySize: 4, valueSize: 16, maxEntries: 100_000, perCpu: false, id: 0, keyType: '__u32', valueType: 'struct test_value' },
      { name: 'test_counts', type: 'percpu_array', keySize: 4, valueSize: 8, maxEntries: 2, perCpu: true, id: 0, keyType: '__u32', valueType: '__u64' },
      { name: 'test_total', type: 'array', keySize: 4, valueSize: 8, maxEntries: 2, perCpu: false, id: 0, keyType: '__u32', valueType: '__u64' },
      { name: 'test_config', type: 'array', keySize: 4, valueSize: 4, maxEntries: 1, perCpu: false, id: 0, keyType: '__u32', valueType: '__u32' },
      { name: 'test_stats', type: 'percpu_array', keySize: 4, valueSize: 8, maxEntries: 6, perCpu: true, id: 0, keyType: '__u32', valueType: '__u64' },
    ]);
  });

  it('refuses bytes that are not ELF with LoadFailed', () => {
    const e = expectError(() => open(Buffer.from('this is not an object file, just some text that is long enough')), LoadFailed);
    expect(e.message).toMatch(/not an ELF file/);
    expect(e.object).toBe('bpf_object');
  });

  it('refuses random bytes, with and without an ELF magic, with LoadFailed', () => {
    const random = new Uint8Array(4096).map(() => Math.floor(Math.random() * 256));
    random[0] = 0; // never an accidental ELF magic
    expect(expectError(() => open(random, { name: 'random' }), LoadFailed).message).toMatch(/random.*not an ELF file/);
    const magic = random.slice();
    magic.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
    const e = expectError(() => open(magic, { name: 'random_elf' }), LoadFailed);
    expect(e.message).toMatch(/random_elf/);
  });

  it('refuses a truncated copy of a real object with LoadFailed naming the truncation', () => {
    const real = readFileSync(fixture('maps.bpf.o'));
    for (const size of [32, 64, 200, Math.floor(real.length / 2), real.length - 1]) {
      const e = expectError(() => open(real.subarray(0, size), { name: `maps_${size}` }), LoadFailed);
      expect(e.message).toMatch(/too short|truncated/);
    }
  });

  it('refuses a foreign ELF file (the x86-64 addon itself) with LoadFailed', () => {
    const native = isNativeAvailable();
    if (!native.ok) throw native.error;
    const e = expectError(() => open(native.path), LoadFailed);
    expect(e.message).toContain(`${native.path}: not an eBPF object: its machine is x86-64`);
    expect(e.details.path).toBe(native.path);
  });

  it('the addon itself refuses a non-ELF buffer with a plain error carrying code and op', () => {
    const raw = loadNative();
    let thrown: unknown;
    try {
      new raw.BpfObject(Buffer.alloc(100), 'zeros');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ code: 'LOAD_FAILED', op: 'bpf_object__open_mem', errno: 22 });
  });

  it('reports a missing file as LoadFailed with ENOENT, and a missing BTF file as BtfUnavailable', () => {
    const e = expectError(() => open('/nonexistent/x.bpf.o'), LoadFailed);
    expect(e.errno).toBe(2);
    expect(e.object).toBe('x');
    const b = expectError(() => open(fixture('maps.bpf.o'), { btfPath: '/nonexistent/vmlinux.btf' }), BtfUnavailable);
    expect(b.pathsTried).toEqual(['/nonexistent/vmlinux.btf']);
  });

  it('attaching a raw tracepoint that does not exist gives AttachFailed naming program and section', async () => {
    const obj = open(fixture('missing_tp.bpf.o'));
    await obj.load();
    const e = expectError(() => obj.attach('missing_raw_tp'), AttachFailed);
    expect(e.program).toBe('missing_raw_tp');
    expect(e.attachPoint).toBe('raw_tp/bpfscope_no_such_tp');
    expect(e.errno).toBe(2);
    expect(e.message).toContain('missing_raw_tp');
    expect(e.message).toContain('raw_tp/bpfscope_no_such_tp');
    expect(String(e.details.log)).toContain('bpfscope_no_such_tp');
  });

  it('loading a BTF tracepoint that does not exist gives LoadFailed naming the program and its section', async () => {
    const obj = open(fixture('missing_btf_tp.bpf.o'));
    const e = await expectRejection(obj.load(), LoadFailed);
    expect(e.object).toBe('missing_btf_tp');
    expect(e.details.program).toBe('missing_btf_tp');
    expect(e.details.section).toBe('tp_btf/bpfscope_no_such_tp');
    expect(e.message).toContain('tp_btf/bpfscope_no_such_tp');
    expect(e.verifierLog).toMatch(/bpfscope_no_such_tp/);
    expect(e.verifierLog.split('\n').length).toBeLessThanOrEqual(60);
    expect(e.op).toBe('bpf_object__load');
    expect(e.errno).toBeGreaterThan(0);
  });

  it('refuses misuse with taxonomy errors: unknown program, attach before load, second load', async () => {
    const obj = open(fixture('missing_tp.bpf.o'));
    expect(expectError(() => obj.attach('nope'), AttachFailed).message).toMatch(/no program named "nope"; it has missing_raw_tp/);
    expect(expectError(() => obj.attach('missing_raw_tp'), AttachFailed).message).toMatch(/not loaded/);
    expect(expectError(() => obj.setAutoload('nope', false), LoadFailed).message).toMatch(/no program named/);
    expect(expectError(() => obj.map('nope'), MapOperationFailed).message).toMatch(/no map named "nope"/);
    await obj.load();
    await expectRejection(obj.load(), LoadFailed);
    expect(expectError(() => obj.setAutoload('missing_raw_tp', false), LoadFailed).message).toMatch(/before load/);
  });

  it('throws Closed for every call after close, from the object and from its maps; links are detached', async () => {
    const obj = open(fixture('maps.bpf.o'));
    await obj.load();
    const link = obj.attach('test_switch');
    const map = obj.map('test_total');
    obj.close();
    obj.close(); // twice is fine
    expect(link.attached).toBe(false);
    link.destroy(); // after close is fine
    expectError(() => obj.programs(), Closed);
    expectError(() => obj.maps(), Closed);
    expectError(() => obj.map('test_total'), Closed);
    expectError(() => obj.attach('test_switch'), Closed);
    await expectRejection(obj.load(), Closed);
    expectError(() => map.lookup(u32(0)), Closed);
    expectError(() => map.readArray(), Closed);
    await expectRejection(map.lookupBatch(), Closed);
  });

  it('close() during load: the load settles with Closed and nothing is left behind', async () => {
    const obj = open(fixture('maps.bpf.o'));
    const loading = obj.load();
    obj.close();
    await expectRejection(loading, Closed);
    expectError(() => obj.programs(), Closed);
  });
});
