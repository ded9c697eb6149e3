import { describe, expect, it } from 'vitest';
import type { BpfObject, StructField, StructLayout } from '@bpfscope/native';
import { SC_MAX_SYSCALLS, SC_SLOTS, type SyscallLayouts } from './syscall-maps.js';
import { CALLS, ERRORS, readingAddsUp, SyscallMapReader, TIME, type ProcessTable, type SyscallCounts } from './syscall-read.js';
import { U64Sums } from './u64-sums.js';

type Stat = [count: bigint, errors: bigint, totalNs: bigint];
const stat = (count: number | bigint, errors: number | bigint = 0, totalNs: number | bigint = 0): Stat => [BigInt(count), BigInt(errors), BigInt(totalNs)];

/** Exact sums of the stats, added the way the reader adds them (one u64 at a time from a DataView). */
function sums(stats: Stat[]): U64Sums {
  const s = new U64Sums(3);
  const v = new DataView(new ArrayBuffer(8));
  for (const st of stats) {
    for (const f of [CALLS, ERRORS, TIME]) {
      v.setBigUint64(0, st[f]!, true);
      s.add(f, v, 0);
    }
    s.carry();
  }
  return s;
}
const adds = (counts: Stat[], table: Stat[]): boolean =>
  readingAddsUp({ exact: sums(counts) } as SyscallCounts, { exact: sums(table) } as ProcessTable);

describe('readingAddsUp: whether a reading of the syscall maps can vouch for the change counter', () => {
  it('holds when the per-process rows sum to the per-syscall counts in calls, errors and time', () => {
    expect(adds([stat(3, 1, 700), stat(0), stat(2, 0, 50)], [stat(1, 1, 300), stat(2, 0, 400), stat(2, 0, 50)])).toBe(true);
    expect(adds([], [])).toBe(true);
  });

  it('fails for a run missed between the reads (fewer calls in the rows), a call counted meanwhile (more), or time or errors apart', () => {
    expect(adds([stat(5)], [stat(3)])).toBe(false);
    expect(adds([stat(5)], [stat(6)])).toBe(false);
    expect(adds([stat(5, 0, 100)], [stat(5, 0, 99)])).toBe(false);
    expect(adds([stat(5, 2)], [stat(5, 1)])).toBe(false);
  });

  it('is exact above 2^53, where number sums round (a difference of one call or one ns counts), and across carries of the low words', () => {
    const big = 2n ** 60n;
    expect(Number(big + 3n) === Number(big + 2n)).toBe(true); // what a number sum would compare
    expect(adds([stat(big + 3n, 0, big)], [stat(big + 2n, 0, big)])).toBe(false);
    expect(adds([stat(3, 0, big + 1n)], [stat(3, 0, big)])).toBe(false);
    expect(adds([stat(big), stat(3, 0, big + 1n)], [stat(big + 3n, 0, big), stat(0, 0, 1)])).toBe(true);
    expect(adds([stat(0xffffffff), stat(0xffffffff)], [stat(0x1fffffffen)])).toBe(true);
    expect(sums([stat(0xffffffff), stat(0xffffffff), stat(big)]).bigint(CALLS)).toBe(big + 0x1fffffffen);
  });
});

// The reader over fake maps: 2 CPUs, slot 1; struct layouts as the object's BTF gives them.
const CPUS = 2;
const SLOT = 1;
const field = (offset: number, size: number): StructField => ({ offset, size, kind: 'uint' });
const struct = (name: string, size: number, fields: Record<string, StructField>): StructLayout => ({ name, size, fields, source: 'test' });
const layouts: SyscallLayouts = {
  stat: struct('sc_stat', 24, { count: field(0, 8), errors: field(8, 8), total_ns: field(16, 8) }),
  procKey: struct('sc_proc_key', 12, { tgid: field(0, 4), id: field(4, 4), slot: field(8, 4) }),
  config: struct('sc_config', 24, {}),
  cpu: struct('sc_cpu', 32, { regs: field(0, 8), pending: field(8, 8), tgid: field(16, 4), id: field(20, 4), seq: field(24, 4) }),
};

/** A per-CPU map's batch: keys (u32 each, or the proc key), values `[cpu0 stat, cpu1 stat]`. */
function batch(keys: Uint8Array[], perCpu: Stat[][]) {
  const keySize = keys[0]?.length ?? 4;
  const entrySize = 24 * CPUS;
  const k = new Uint8Array(keys.length * keySize);
  keys.forEach((key, i) => k.set(key, i * keySize));
  const values = new Uint8Array(perCpu.length * entrySize);
  const v = new DataView(values.buffer);
  perCpu.forEach((cpus, i) => cpus.forEach((st, c) => st.forEach((x, f) => v.setBigUint64(i * entrySize + c * 24 + f * 8, x, true))));
  const lookup = (key: Uint8Array): Uint8Array | undefined => {
    const i = keys.findIndex((x) => x.every((b, j) => b === key[j]));
    return i < 0 ? undefined : values.slice(i * entrySize, (i + 1) * entrySize);
  };
  return { keySize, entrySize, maxEntries: 64, batchBytes: () => 64 * (keySize + entrySize), lookup, lookupBatch: async () => ({ count: keys.length, keys: k, values, method: 'batch', spilled: false }) };
}
const u32s = (...xs: number[]): Uint8Array => new Uint8Array(Uint32Array.from(xs).buffer);

/** A per-CPU array of `sc_stat` (every slot's keys), read by ranges of keys as readArray(first, count) reads them. */
function statArray(entries: Record<number, Stat[]>) {
  const entrySize = 24 * CPUS;
  const maxEntries = SC_SLOTS * SC_MAX_SYSCALLS;
  return {
    entrySize,
    maxEntries,
    readArray: (first = 0, count = maxEntries - first) => {
      const values = new Uint8Array(count * entrySize);
      const v = new DataView(values.buffer);
      for (const [key, cpus] of Object.entries(entries)) {
        const i = Number(key) - first;
        if (i >= 0 && i < count) cpus.forEach((st, c) => st.forEach((x, f) => v.setBigUint64(i * entrySize + c * 24 + f * 8, x, true)));
      }
      return values;
    },
  };
}

/**
 * `sc_cpu`: RUNS runs per slot, per CPU; CPU 1 holds one run in this slot's third entry,
 * `seqs` gives its seq in each copy, the last one repeated (the other entries and CPU 0 hold none).
 */
const RUNS = 8;
function cpuMap(run: { tgid: number; id: number; pending: bigint }, seqs: number[]) {
  let copy = 0;
  return {
    maxEntries: SC_SLOTS * RUNS,
    readArray: () => {
      const b = new Uint8Array(SC_SLOTS * RUNS * CPUS * 32);
      const v = new DataView(b.buffer);
      const at = ((SLOT * RUNS + 2) * CPUS + 1) * 32;
      v.setBigUint64(at + 8, run.pending, true);
      v.setUint32(at + 16, run.tgid, true);
      v.setUint32(at + 20, run.id, true);
      v.setUint32(at + 24, seqs[Math.min(copy++, seqs.length - 1)]!, true);
      return b;
    },
  };
}

describe('SyscallMapReader: the exact sums a reading keeps for readingAddsUp', () => {
  const big = 2n ** 60n;
  // Slot 1's syscall 3 counted 2^60 + 3 calls; syscall 3 of slots 0 and 2 (other engines') is not this slot's.
  const counts = statArray({
    3: [stat(9), stat(9)],
    [SC_MAX_SYSCALLS + 3]: [stat(big, 1, 0xffffffff), stat(3, 1, 0xffffffff)],
    [SC_MAX_SYSCALLS + 7]: [stat(0), stat(0)],
    [2 * SC_MAX_SYSCALLS + 3]: [stat(5), stat(5)],
  });
  // sc_proc holds 2^60 + 2 of them for pid 100; one call is CPU 1's pending run. Slot 0's row is not this slot's.
  const proc = batch([u32s(100, 3, SLOT), u32s(55, 3, 0)], [
    [stat(big + 1n, 2, 0x1fffffffe), stat(1, 0, 0)],
    [stat(9), stat(9)],
  ]);
  const reader = (seqs: number[]) =>
    new SyscallMapReader({ map: (name: string) => ({ sc_counts: counts, sc_proc: proc, sc_cpu: cpuMap({ tgid: 100, id: 3, pending: 1n }, seqs) })[name] } as unknown as BpfObject, layouts, CPUS, SLOT);

  it('counts the pending run a steady CPU holds: the reading adds up exactly; its number arrays hold this slot only', async () => {
    const r = reader([4, 4, 4]);
    const c = r.counts();
    const t = await r.processTable();
    expect(c.exact.bigint(CALLS)).toBe(big + 3n);
    expect(c.exact.bigint(TIME)).toBe(0x1fffffffen);
    expect(t.exact.bigint(CALLS)).toBe(big + 3n);
    expect([c.count[3], c.errors[3], c.count[7], c.total]).toEqual([Number(big + 3n), 2, 0, Number(big + 3n)]);
    expect([t.rows, t.tgid[0], t.id[0], t.errors[0]]).toEqual([1, 100, 3, 2]);
    expect(readingAddsUp(c, t)).toBe(true);
  });

  it('does not take a run replaced during the reading (seq moved) from sc_cpu: here sc_proc never got it, one call short, which number sums of 2^60 would not see', async () => {
    const r = reader([4, 4, 6]);
    const c = r.counts();
    const t = await r.processTable();
    expect(t.exact.bigint(CALLS)).toBe(big + 2n);
    expect(Number(t.exact.bigint(CALLS))).toBe(c.total);
    expect(readingAddsUp(c, t)).toBe(false);
  });
});
