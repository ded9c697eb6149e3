// KernelSamplingMaps on the real proc object: a value that a u64 field of the kernel's setting
// cannot hold is refused with a ConfigError naming the field, and nothing is written (no wrap:
// a tail threshold of 2^64 written with setBigUint64 would become 0 and keep every event).
import { expect, it } from 'vitest';
import { ConfigError } from '@bpfscope/core';
import { KernelSamplingMaps, NativeObjectLoader } from '@bpfscope/native';
import { describeKernel } from '../../../test/real-kernel.js';
import { PROC_OBJECT_PATH } from './object-path.js';

describeKernel('proc sampling maps: u64 fields', () => {
  it('a tail threshold of 2^64 or a burst past 2^64 − 1 is a ConfigError; the setting in force stays', async () => {
    const handle = await new NativeObjectLoader().load({ path: PROC_OBJECT_PATH });
    const obj = handle.object;
    try {
      const maps = new KernelSamplingMaps(obj, 'proc_smp');
      const cfg = (): Uint8Array => obj.map('proc_smp_cfg').lookup(new Uint8Array(4))!;
      const classOf = (): number => 1;
      maps.apply(0, { uniform: { every: 5, mode: 'counter' } }, classOf, 'families.proc.sampling');
      const before = Uint8Array.from(cfg());
      expect(before.some((b) => b !== 0)).toBe(true);
      expect(() => maps.apply(0, { tailThreshold: 2 ** 64 }, classOf, 'families.proc.sampling')).toThrow(ConfigError);
      expect(() => maps.apply(0, { tailThreshold: 2 ** 64 }, classOf, 'families.proc.sampling')).toThrow(expect.objectContaining({ path: 'families.proc.sampling.threshold' }));
      expect(() => maps.apply(0, { bucket: { ratePerSecond: 1, burst: 2 ** 70 } }, classOf, 'families.proc.sampling')).toThrow(expect.objectContaining({ path: 'families.proc.sampling.burst' }));
      expect(Uint8Array.from(cfg())).toEqual(before);
      // The largest value a u64 field takes as a double (2^64 − 2048) goes in whole.
      maps.apply(0, { tailThreshold: 2 ** 64 - 2048 }, classOf, 'families.proc.sampling');
      const L = obj.structLayout('bpfscope_smp_cfg');
      const v = cfg();
      expect(new DataView(v.buffer, v.byteOffset, v.byteLength).getBigUint64(L.fields['threshold']!.offset, true)).toBe(2n ** 64n - 2048n);
      maps.apply(0, null, classOf, 'families.proc.sampling');
    } finally {
      handle.close();
    }
  });
});
