import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LoadFailed } from '@bpfscope/core';
import { readStructLayouts } from '@bpfscope/native';
import { FS_BLOCK_OBJECT_PATH } from '../../object-path.js';
import { blockLayouts, LATENCY_SLOTS } from './block-layouts.js';
import { decodeDevices, devName, devOf, hasIo, sinceBase, toFsDevice, type RawDevice } from './decode-devices.js';

// The layouts of the shipped object: a struct that drifts from what the decoder reads fails here.
const structs = readStructLayouts(readFileSync(FS_BLOCK_OBJECT_PATH), 'fs_block.bpf.o');
const layouts = blockLayouts(structs);
const valueSize = structs.get('fs_blk_dev')!.size;

/** A batch of per-CPU fs_blk_dev values as the kernel hands it out, from each CPU's counters. */
function batch(entries: Array<{ dev: number; cpus: Array<Partial<Record<'ios' | 'sectors' | 'lat_us', number[]>> & { hist?: [number[], number[]] }> }>): { keys: Uint8Array; values: Uint8Array } {
  const cpus = entries[0]!.cpus.length;
  const stride = Math.ceil(valueSize / 8) * 8;
  const keys = new Uint8Array(entries.length * 4);
  const values = new Uint8Array(entries.length * stride * cpus);
  const kv = new DataView(keys.buffer);
  const vv = new DataView(values.buffer);
  entries.forEach((e, i) => {
    kv.setUint32(i * 4, e.dev, true);
    e.cpus.forEach((c, cpu) => {
      const base = (i * cpus + cpu) * stride;
      const put = (at: number, xs: number[] | undefined): void => xs?.forEach((x, j) => vv.setBigUint64(base + at + j * 8, BigInt(x), true));
      put(layouts.dev.ios, c.ios);
      put(layouts.dev.sectors, c.sectors);
      put(layouts.dev.lat_us, c.lat_us);
      put(layouts.dev.hist, c.hist?.[0]);
      put(layouts.dev.hist + LATENCY_SLOTS * 8, c.hist?.[1]);
    });
  });
  return { keys, values };
}

describe('decoding the block part', () => {
  it('turns kernel dev_t into major:minor and back', () => {
    expect(devName((8 << 20) | 1)).toBe('8:1');
    expect(devName((259 << 20) | 1048575)).toBe('259:1048575');
    expect(devOf('7:3')).toBe((7 << 20) | 3);
    expect(devOf('4095:1048575')).toBe(0xffffffff);
    expect([devOf('4096:0'), devOf('1:1048576'), devOf('sda')]).toEqual([null, null, null]);
  });

  it('sums each device over the CPUs', () => {
    const hist0 = Array.from({ length: LATENCY_SLOTS }, (_, i) => (i === 5 ? 2 : 0));
    const hist1 = Array.from({ length: LATENCY_SLOTS }, (_, i) => (i === 63 ? 1 : 0));
    const { keys, values } = batch([
      { dev: (7 << 20) | 2, cpus: [{ ios: [1, 2, 3, 4], sectors: [8, 16, 0, 0], lat_us: [40, 0], hist: [hist0, hist1] }, { ios: [10, 20, 0, 1], sectors: [80, 160, 24, 0], lat_us: [1, 2] }] },
      { dev: (8 << 20), cpus: [{}, { ios: [0, 5] }] },
    ]);
    const d = decodeDevices(keys, values, 2, layouts, valueSize, 2);
    expect(d[0]).toEqual({ dev: (7 << 20) | 2, ios: [11, 22, 3, 5], sectors: [88, 176, 24, 0], latUs: [41, 2], hist: [hist0, hist1] });
    expect(d[1]!.ios).toEqual([0, 5, 0, 0]);
  });

  it('counts from the base and makes the record', () => {
    const zero = (): number[] => Array.from({ length: LATENCY_SLOTS }, () => 0);
    const base: RawDevice = { dev: 7 << 20, ios: [1, 1, 0, 0], sectors: [8, 8, 0, 0], latUs: [5, 5], hist: [zero(), zero()] };
    base.hist[1]![3] = 1;
    const now: RawDevice = { dev: 7 << 20, ios: [1, 4, 0, 2], sectors: [8, 2056, 0, 0], latUs: [5, 100], hist: [zero(), zero()] };
    now.hist[1]![3] = 2;
    now.hist[1]![5] = 2;
    const d = sinceBase(now, base);
    expect(hasIo(d)).toBe(true);
    expect(hasIo(sinceBase(base, base))).toBe(false);
    expect(toFsDevice(d, 'loop0', 2)).toEqual({
      name: 'loop0', major: 7, minor: 0, reads: 0, writes: 3, sectorsRead: 0, sectorsWritten: 2048, bytesRead: 0, bytesWritten: 1048576,
      discards: 0, sectorsDiscarded: 0, flushes: 2, inFlight: 2, readTimeMs: null, writeTimeMs: null, ioTimeMs: null,
      readLatency: { buckets: [], count: 0, sumUs: 0, p50Us: null, p95Us: null, p99Us: null },
      writeLatency: { buckets: [0, 0, 0, 1, 0, 2], count: 3, sumUs: 95, p50Us: 63, p95Us: 63, p99Us: 63 },
      source: 'ebpf',
    });
    expect(sinceBase(now, undefined)).toBe(now);
  });

  it('refuses an object whose structs drifted from the decoder', () => {
    const drifted = new Map(structs);
    const dev = structs.get('fs_blk_dev')!;
    drifted.set('fs_blk_dev', { ...dev, fields: { ...dev.fields, hist: { ...dev.fields.hist!, size: 512 } } });
    expect(() => blockLayouts(drifted)).toThrow(LoadFailed);
    const missing = new Map(structs);
    missing.delete('fs_blk_ev');
    expect(() => blockLayouts(missing)).toThrow(/no struct fs_blk_ev/);
  });
});
