// Two engines of one process share the mem object (the loader's cache), which has one kernel
// sampling setting for OOM kill events: the first engine that puts one there holds it; the
// other's family setting and its streams' own settings run in user space and never write it,
// its stream's end writes nothing, and the holder's release or close puts null back. The
// setting the programs read is checked in the object's mem_smp_cfg map, through a handle of
// the test's own on the same kernel object.
import { expect, it } from 'vitest';
import { createEngine, type Engine } from '@bpfscope/core';
import { NativeObjectLoader, type BpfObject } from '@bpfscope/native';
import { describeKernel } from '../../../test/real-kernel.js';
import { MEM_OBJECT_PATH } from './object-path.js';
import { mem } from './plugin.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

/** The mem_smp setting of event source 0 as the kernel holds it. */
function kernelCfg(obj: BpfObject): { flags: number; every: bigint } {
  const L = obj.structLayout('bpfscope_smp_cfg');
  const v = obj.map('mem_smp_cfg').lookup(new Uint8Array(4))!;
  const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
  return { flags: dv.getUint32(L.fields['flags']!.offset, true), every: dv.getBigUint64(L.fields['every']!.offset, true) };
}

const eventsOf = (e: Engine) => e.stats().collectors.find((c) => c.family === 'mem')!.events;
const uniform = (every: number) => ({ uniform: { every, mode: 'counter' } });

describeKernel('mem OOM events: one kernel sampling setting for the engines of a process', () => {
  it("the first engine holds the kernel; the other's settings and streams run in user space and write nothing; the holder's close frees it", async () => {
    const config = { mode: 'ebpf', cache: { enabled: false } } as const;
    const m1 = createEngine({ plugins: [mem()], config, logger: silent });
    const m2 = createEngine({ plugins: [mem()], config, logger: silent });
    const ac = new AbortController();
    const own = await new NativeObjectLoader().load({ path: MEM_OBJECT_PATH });
    try {
      await m1.start();
      await m2.start();
      await m1.setSampling('mem', { strategy: 'uniform', every: 7 });
      expect(kernelCfg(own.object)).toMatchObject({ every: 7n });
      // m2's stream brings its own setting: the kernel is m1's, so it stays in user space.
      const s2 = m2.events('mem', { signal: ac.signal, sampling: { strategy: 'uniform', every: 3 } });
      await s2.ready;
      expect(kernelCfg(own.object).every).toBe(7n);
      expect(eventsOf(m1)).toMatchObject({ kernelSetting: uniform(7), kernelOwner: 'family' });
      expect(eventsOf(m2)).toMatchObject({ kernelSetting: uniform(7), kernelOwner: 'other-engine' });
      await s2.return(); // its end releases nothing it did not hold
      await new Promise((r) => setImmediate(r));
      expect(kernelCfg(own.object).every).toBe(7n);
      expect(kernelCfg(own.object).flags).not.toBe(0);
      expect(eventsOf(m1)).toMatchObject({ kernelSetting: uniform(7), kernelOwner: 'family' });
      // m2's family setting, and its removal, write nothing either.
      await m2.setSampling('mem', { strategy: 'uniform', every: 5 });
      expect(kernelCfg(own.object).every).toBe(7n);
      await m2.setSampling('mem', null);
      expect(kernelCfg(own.object).every).toBe(7n);
      // Both engines count the object's decisions (the same figures: no OOM kill meanwhile).
      expect(eventsOf(m2).kernel).toEqual(eventsOf(m1).kernel);
      // The holder's close puts null back; the next engine's setting takes the kernel.
      await m1.close();
      expect(kernelCfg(own.object).flags).toBe(0);
      expect(eventsOf(m2)).toMatchObject({ kernelSetting: null, kernelOwner: null });
      await m2.setSampling('mem', { strategy: 'uniform', every: 5 });
      expect(kernelCfg(own.object)).toMatchObject({ every: 5n });
      expect(eventsOf(m2)).toMatchObject({ kernelSetting: uniform(5), kernelOwner: 'family' });
      await m2.setSampling('mem', null);
      expect(kernelCfg(own.object).flags).toBe(0);
    } finally {
      ac.abort();
      await m1.close();
      await m2.close();
      own.close();
    }
  });
});
