// The read path of the syscall object's maps, into buffers and typed arrays that live as
// long as the source: a reading allocates no object per syscall or per (process, syscall)
// row. Only what the family's record holds is built (in build-metrics.ts): the syscalls
// that were called, their histograms, and the processes that make the top list.
import { type Log2Bucket, type Log2Histogram } from '@bpfscope/core';
import type { BpfObject } from '@bpfscope/native';
import { SC_MAX_SYSCALLS, SC_SLOTS, type SyscallLayouts } from './syscall-maps.js';
import { rowKey, runOffset, runsAfter, runsBefore, type RunLayout, type RunMaps } from './run-merge.js';
import { U64Sums } from './u64-sums.js';

const HIST_SLOTS = 64;

/** Per-syscall counters of one slot, summed over CPUs, index = syscall number. @internal */
export interface SyscallCounts {
  count: Float64Array;
  errors: Float64Array;
  totalNs: Float64Array;
  /** The sum of `count`. */
  total: number;
  /** The sums of the three fields over every syscall and CPU, exact ({@link readingAddsUp}). */
  exact: U64Sums;
}

/**
 * The (process, syscall) rows of one slot, summed over CPUs: row `i` is
 * (`tgid[i]`, `id[i]`), rows 0 to `rows - 1`.
 * @internal
 */
export interface ProcessTable {
  rows: number;
  tgid: Uint32Array;
  id: Uint32Array;
  count: Float64Array;
  errors: Float64Array;
  totalNs: Float64Array;
  /**
   * The sums of `count`, `errors` and `totalNs` over the rows (and CPUs), exact
   * ({@link readingAddsUp}), plus those of the rows of exited processes deleted after
   * earlier readings (exited-processes.ts).
   */
  exact: U64Sums;
  /** The processes with a run pending on some CPU (`sc_cpu`, in any of the copies read, whole or not). */
  pending: Set<number>;
}

/** Fields of {@link U64Sums} in a reading: calls, errors, time. @internal */
export const CALLS = 0;
/** @internal */
export const ERRORS = 1;
/** @internal */
export const TIME = 2;

/**
 * Whether a reading adds up: its per-process rows (`sc_proc` with each CPU's pending run)
 * sum to its per-syscall counts, in calls, errors and time, exactly (the sums the reader
 * kept as it decoded, not the number sums, which round above 2^53). They do whenever no
 * call was counted, or lost to a full table, while the maps were read (a run moved from a
 * CPU into `sc_proc` meanwhile is counted once, run-merge.ts); a reading during which calls
 * were made, or whose merge gave up, may not. The change counter trusts only a reading
 * that adds up (syscall-change-counter.ts).
 * @internal
 */
export function readingAddsUp(counts: SyscallCounts, table: ProcessTable): boolean {
  return counts.exact.equals(table.exact);
}

/** An unsigned 64-bit little-endian value as a number (exact below 2^53, as Number(bigint) is). */
const u64 = (v: DataView, at: number): number => v.getUint32(at + 4, true) * 4294967296 + v.getUint32(at, true);

const grow = <T extends Float64Array | Uint32Array>(a: T, n: number, make: (n: number) => T): T => {
  if (a.length >= n) return a;
  const b = make(Math.max(n, a.length * 2));
  b.set(a);
  return b;
};

/**
 * Reads one slot's counters, histograms and process table. The arrays it returns are its
 * own and are overwritten by its next reading: the caller runs one reading at a time and
 * turns it into the family's record before the next one starts.
 * @internal
 */
export class SyscallMapReader {
  readonly #counts: SyscallCounts = { count: new Float64Array(SC_MAX_SYSCALLS), errors: new Float64Array(SC_MAX_SYSCALLS), totalNs: new Float64Array(SC_MAX_SYSCALLS), total: 0, exact: new U64Sums(3) };
  readonly #table: ProcessTable = { rows: 0, tgid: new Uint32Array(256), id: new Uint32Array(256), count: new Float64Array(256), errors: new Float64Array(256), totalNs: new Float64Array(256), exact: new U64Sums(3), pending: new Set() };
  /** The sums of the rows deleted so far (rows of exited processes): part of every later table's `exact`. */
  readonly retired = new U64Sums(3);
  /** The batch buffer of `sc_proc`, reused; it grows to what the map held when it did not fit. */
  #procBuf: Uint8Array | null = null;
  readonly #histKey = new Uint8Array(4);
  /** One `struct sc_stat` summed over CPUs by {@link SyscallMapReader.#sumRow} (reused, no object per row). */
  readonly #row = { count: 0, errors: 0, ns: 0 };
  /** Where `struct sc_stat`'s fields are in a value, and a CPU's value's size in a per-CPU map (from BTF). */
  readonly #stat: { count: number; errors: number; ns: number; stride: number };

  constructor(private readonly obj: BpfObject, private readonly l: SyscallLayouts, private readonly cpus: number, private readonly slot: number) {
    const f = l.stat.fields;
    this.#stat = { count: f.count!.offset, errors: f.errors!.offset, ns: f.total_ns!.offset, stride: Math.ceil(l.stat.size / 8) * 8 };
  }

  /** One per-CPU `sc_stat` value at `at`, summed over CPUs; each field also added exactly to `exact`. */
  #sumRow(values: DataView, at: number, exact: U64Sums): { count: number; errors: number; ns: number } {
    const o = this.#stat;
    const r = this.#row;
    r.count = 0;
    r.errors = 0;
    r.ns = 0;
    for (let cpu = 0; cpu < this.cpus; cpu++, at += o.stride) {
      r.count += exact.add(CALLS, values, at + o.count);
      r.errors += exact.add(ERRORS, values, at + o.errors);
      r.ns += exact.add(TIME, values, at + o.ns);
    }
    exact.carry();
    return r;
  }

  /**
   * The slot's per-syscall counters (`sc_counts`), summed over CPUs: its own part of the
   * map only (keys slot × SC_MAX_SYSCALLS on), in one synchronous crossing. The kernel
   * copies every key's per-CPU values, so the other slots' keys would cost as much again
   * three times over.
   */
  counts(): SyscallCounts {
    const map = this.obj.map('sc_counts');
    const bytes = map.readArray(this.slot * SC_MAX_SYSCALLS, SC_MAX_SYSCALLS);
    const values = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const c = this.#counts;
    c.total = 0;
    const exact = c.exact;
    exact.clear();
    for (let id = 0; id < SC_MAX_SYSCALLS; id++) {
      const r = this.#sumRow(values, id * map.entrySize, exact);
      c.count[id] = r.count;
      c.errors[id] = r.errors;
      c.totalNs[id] = r.ns;
      c.total += r.count;
    }
    return c;
  }

  /**
   * The latency histograms of the syscalls that were called (`sc_lat_hist`, one lookup each).
   * @param counts - this reading's counters
   */
  histograms(counts: SyscallCounts): Map<number, Log2Histogram> {
    const map = this.obj.map('sc_lat_hist');
    const key = new DataView(this.#histKey.buffer);
    const out = new Map<number, Log2Histogram>();
    for (let id = 0; id < SC_MAX_SYSCALLS; id++) {
      if (counts.count[id] === 0) continue;
      key.setUint32(0, this.slot * SC_MAX_SYSCALLS + id, true);
      const v = map.lookup(this.#histKey);
      const buckets: Log2Bucket[] = [];
      let total = 0;
      if (v) {
        const view = new DataView(v.buffer, v.byteOffset, v.byteLength);
        for (let s = 0; s < HIST_SLOTS; s++) {
          const n = u64(view, s * 8);
          if (n === 0) continue;
          total += n;
          buckets.push({ index: s, lowerBound: s === 0 ? 0 : 2 ** (s - 1), upperBound: s === 0 ? 1 : 2 ** s, count: n });
        }
      }
      out.set(id, { unit: 'ns', count: total, buckets });
    }
    return out;
  }

  /**
   * Per-(process, syscall) counters: `sc_proc` summed over CPUs, plus the runs of calls
   * each CPU holds in `sc_cpu` (counts-only mode) that are not in `sc_proc` yet. The runs
   * are copied before and after the batch read of `sc_proc`, and the rows of runs moved
   * in between are looked up again (run-merge.ts): every call completed before the
   * reading began is counted once, and no call twice.
   */
  async processTable(): Promise<ProcessTable> {
    const map = this.obj.map('sc_proc');
    const cpu = this.obj.map('sc_cpu');
    const runs = cpu.maxEntries / SC_SLOTS;
    const cf = this.l.cpu.fields;
    const layout: RunLayout = { cpus: this.cpus, first: this.slot * runs, runs, stride: Math.ceil(this.l.cpu.size / 8) * 8, pending: cf.pending!.offset, tgid: cf.tgid!.offset, id: cf.id!.offset, seq: cf.seq!.offset };
    const kf = this.l.procKey.fields;
    const [slotAt, tgidAt, idAt] = [kf.slot!.offset, kf.tgid!.offset, kf.id!.offset];
    const key = new Uint8Array(map.keySize);
    const keyView = new DataView(key.buffer);
    const maps: RunMaps = {
      copyRuns: () => {
        const b = cpu.readArray();
        return new DataView(b.buffer, b.byteOffset, b.byteLength);
      },
      lookupRow: (tgid, id) => {
        keyView.setUint32(slotAt, this.slot, true);
        keyView.setUint32(tgidAt, tgid, true);
        keyView.setUint32(idAt, id, true);
        const v = map.lookup(key)?.slice();
        return v && new DataView(v.buffer, v.byteOffset, v.byteLength);
      },
    };
    const before = runsBefore(maps, layout);
    const batch = await map.lookupBatch(this.#procBuf === null ? {} : { into: this.#procBuf });
    // Keep the buffer for the next reading; one that was too small gave way to a larger one.
    if (this.#procBuf === null || batch.spilled) this.#procBuf = new Uint8Array(Math.min(map.batchBytes(), Math.max(2 * batch.count, 256) * (map.keySize + map.entrySize)));
    const merge = runsAfter(maps, layout, before);
    const keys = new DataView(batch.keys.buffer, batch.keys.byteOffset, batch.keys.byteLength);
    const values = new DataView(batch.values.buffer, batch.values.byteOffset, batch.values.byteLength);
    const t = this.#fit(batch.count + merge.looked.size + this.cpus * runs);
    const exact = t.exact;
    exact.clear();
    exact.addSums(this.retired);
    t.rows = 0;
    for (let i = 0; i < batch.count; i++) {
      const k = i * map.keySize;
      if (keys.getUint32(k + slotAt, true) !== this.slot) continue;
      const tgid = keys.getUint32(k + tgidAt, true);
      const id = keys.getUint32(k + idAt, true);
      if (!merge.looked.has(rowKey(tgid, id))) this.#setRow(t, tgid, id, values, i * map.entrySize);
    }
    for (const [k, v] of merge.looked) {
      const tgid = Math.floor(k / SC_MAX_SYSCALLS);
      if (v !== undefined) this.#setRow(t, tgid, k - tgid * SC_MAX_SYSCALLS, v, 0);
    }
    for (const { view, entry } of merge.runs) this.#addRun(t, view, runOffset(layout, entry), layout);
    t.pending.clear();
    for (const p of merge.pending) t.pending.add(p);
    return t;
  }

  /** A new row (tgid, id) of the table from one per-CPU `sc_stat` value. */
  #setRow(t: ProcessTable, tgid: number, id: number, values: DataView, at: number): void {
    const r = this.#sumRow(values, at, t.exact);
    t.tgid[t.rows] = tgid;
    t.id[t.rows] = id;
    t.count[t.rows] = r.count;
    t.errors[t.rows] = r.errors;
    t.totalNs[t.rows] = r.ns;
    t.rows++;
  }

  /** A CPU's run of calls (a whole copy of it, at `at`), added to its row. */
  #addRun(t: ProcessTable, v: DataView, at: number, l: RunLayout): void {
    const tgid = v.getUint32(at + l.tgid, true);
    const id = v.getUint32(at + l.id, true);
    t.exact.add(CALLS, v, at + l.pending);
    t.exact.carry();
    let row = 0;
    while (row < t.rows && (t.tgid[row] !== tgid || t.id[row] !== id)) row++;
    if (row === t.rows) {
      t.tgid[row] = tgid;
      t.id[row] = id;
      t.count[row] = t.errors[row] = t.totalNs[row] = 0;
      t.rows++;
    }
    t.count[row]! += u64(v, at + l.pending);
  }

  #fit(n: number): ProcessTable {
    const t = this.#table;
    t.tgid = grow(t.tgid, n, (m) => new Uint32Array(m));
    t.id = grow(t.id, n, (m) => new Uint32Array(m));
    t.count = grow(t.count, n, (m) => new Float64Array(m));
    t.errors = grow(t.errors, n, (m) => new Float64Array(m));
    t.totalNs = grow(t.totalNs, n, (m) => new Float64Array(m));
    return t;
  }
}
