import type { FsDevice } from '../../records.js';
import { LATENCY_SLOTS, u64, type BlockLayouts } from './block-layouts.js';
import { latencyHistogram } from './latency-histogram.js';

/** Stat groups of `ios` and `sectors`, as the kernel's enum stat_group. @internal */
export const GROUP = { read: 0, write: 1, discard: 2, flush: 3 } as const;

/** One device's counters in fs_blk_dev, summed over the CPUs. @internal */
export interface RawDevice {
  /** The kernel's dev_t (major << 20 | minor). */
  dev: number;
  /** Requests completed per stat group (read, write, discard, flush). */
  ios: number[];
  /** 512-byte sectors per stat group. */
  sectors: number[];
  /** Sum of latencies, µs: read, write. */
  latUs: number[];
  /** Log2 µs slots: read, write. */
  hist: number[][];
}

/** `major:minor` of a kernel dev_t. @internal */
export function devName(dev: number): string {
  return `${dev >>> 20}:${dev & 0xfffff}`;
}

/** The kernel dev_t of `major:minor`, or null when no kernel device can have it (major ≥ 4096 or minor ≥ 2^20). @internal */
export function devOf(majorMinor: string): number | null {
  const m = /^(\d+):(\d+)$/.exec(majorMinor);
  if (m === null) return null;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major >= 4096 || minor >= 1 << 20) return null;
  return (major * (1 << 20) + minor) >>> 0;
}

/**
 * Decode a batch read of the per-CPU hash fs_blk_dev.
 * @param keys - `count` u32 keys
 * @param values - `count` values, each one per possible CPU padded to 8 bytes
 * @param count - entries
 * @param valueSize - bytes of one CPU's `struct fs_blk_dev`
 * @param cpus - possible CPUs (values per entry)
 * @internal
 */
export function decodeDevices(keys: Uint8Array, values: Uint8Array, count: number, layouts: BlockLayouts, valueSize: number, cpus: number): RawDevice[] {
  const kv = new DataView(keys.buffer, keys.byteOffset, keys.byteLength);
  const vv = new DataView(values.buffer, values.byteOffset, values.byteLength);
  const stride = Math.ceil(valueSize / 8) * 8;
  const o = layouts.dev;
  const out: RawDevice[] = [];
  for (let e = 0; e < count; e++) {
    const base = e * stride * cpus;
    const sum = (at: number): number => {
      let s = 0;
      for (let c = 0; c < cpus; c++) s += u64(vv, base + c * stride + at);
      return s;
    };
    const row = (at: number, n: number): number[] => Array.from({ length: n }, (_, i) => sum(at + i * 8));
    out.push({
      dev: kv.getUint32(e * 4, true),
      ios: row(o.ios, 4),
      sectors: row(o.sectors, 4),
      latUs: row(o.lat_us, 2),
      hist: [row(o.hist, LATENCY_SLOTS), row(o.hist + LATENCY_SLOTS * 8, LATENCY_SLOTS)],
    });
  }
  return out;
}

const minus = (a: readonly number[], b: readonly number[] | undefined): number[] => a.map((x, i) => x - (b?.[i] ?? 0));

/** `now` less `base` (the device's counters when the source started; absent: it had none). @internal */
export function sinceBase(now: RawDevice, base: RawDevice | undefined): RawDevice {
  if (base === undefined) return now;
  return { dev: now.dev, ios: minus(now.ios, base.ios), sectors: minus(now.sectors, base.sectors), latUs: minus(now.latUs, base.latUs), hist: [minus(now.hist[0]!, base.hist[0]), minus(now.hist[1]!, base.hist[1])] };
}

/** Whether the device had any I/O counted. @internal */
export function hasIo(d: RawDevice): boolean {
  return d.ios.some((n) => n > 0) || d.sectors.some((n) => n > 0);
}

/**
 * The record of one device.
 * @param d - its counters since the source started
 * @param name - its kernel name (`major:minor` when /proc/diskstats no longer lists it)
 * @param inFlight - requests in flight now (/sys/class/block/&lt;name&gt;/inflight)
 * @internal
 */
export function toFsDevice(d: RawDevice, name: string, inFlight: number): FsDevice {
  return {
    name,
    major: d.dev >>> 20,
    minor: d.dev & 0xfffff,
    reads: d.ios[GROUP.read]!,
    writes: d.ios[GROUP.write]!,
    sectorsRead: d.sectors[GROUP.read]!,
    sectorsWritten: d.sectors[GROUP.write]!,
    discards: d.ios[GROUP.discard]!,
    sectorsDiscarded: d.sectors[GROUP.discard]!,
    flushes: d.ios[GROUP.flush]!,
    bytesRead: d.sectors[GROUP.read]! * 512,
    bytesWritten: d.sectors[GROUP.write]! * 512,
    inFlight,
    readTimeMs: null,
    writeTimeMs: null,
    ioTimeMs: null,
    readLatency: latencyHistogram(d.hist[0]!, d.latUs[0]!),
    writeLatency: latencyHistogram(d.hist[1]!, d.latUs[1]!),
    source: 'ebpf',
  };
}
