import { describe, expect, it } from 'vitest';
import type { StructLayout } from '@bpfscope/native';
import { decodeSyscallEvent } from './syscall-events.js';

// struct sc_event as the object's BTF lays it out (syscall-events.ts eventLayout checks the real one).
const OFF = { ts: 0, duration_ns: 8, ret: 16, weight: 24, pid: 32, tid: 36, id: 40, slot: 44, has_ret: 48, comm: 52 };
const layout = { name: 'sc_event', size: 72, fields: Object.fromEntries(Object.entries(OFF).map(([k, offset]) => [k, { offset }])) } as unknown as StructLayout;

function record(v: { ts: bigint; duration: bigint; ret: bigint; weight: bigint; comm: string }): Uint8Array {
  const bytes = new Uint8Array(72);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(OFF.ts, v.ts, true);
  view.setBigUint64(OFF.duration_ns, v.duration, true);
  view.setBigInt64(OFF.ret, v.ret, true);
  view.setBigUint64(OFF.weight, v.weight, true);
  view.setUint32(OFF.pid, 4242, true);
  view.setUint32(OFF.tid, 4243, true);
  view.setUint32(OFF.id, 110, true);
  view.setUint32(OFF.slot, 3, true);
  view.setUint32(OFF.has_ret, 1, true);
  bytes.set(Buffer.from(v.comm, 'utf8'), OFF.comm);
  return bytes;
}

describe('decodeSyscallEvent', () => {
  it('reads every 64-bit field as Number(bigint) would, without BigInts, and the kernel time as a bigint', () => {
    const cases = [
      { ts: 123_456_789_012_345n, duration: 812n, ret: -14n, weight: 1n, comm: 'rb-producer' },
      { ts: 2n ** 63n + 12_345n, duration: 2n ** 53n + 3n, ret: -(2n ** 40n) - 7n, weight: 2n ** 32n + 5n, comm: 'grüße' },
      { ts: 1n, duration: 2n ** 64n - 1n, ret: 2n ** 63n - 1n, weight: 7n, comm: 'exactly16bytes!!' },
      { ts: 0n, duration: 0n, ret: -(2n ** 63n), weight: 4_294_967_295n, comm: '' },
    ];
    const toEpochMs = (ns: number): number => 1_000 + ns / 1e6;
    for (const c of cases) {
      const e = decodeSyscallEvent(record(c), layout, toEpochMs);
      expect(e).toEqual({
        pid: 4242,
        tid: 4243,
        comm: c.comm,
        id: 110,
        name: 'getppid',
        category: expect.any(String),
        ret: Number(c.ret),
        durationNs: Number(c.duration),
        time: 1_000 + Number(c.ts) / 1e6,
        monotonicNs: c.ts,
        weight: Number(c.weight),
        slot: 3,
      });
    }
  });
});
