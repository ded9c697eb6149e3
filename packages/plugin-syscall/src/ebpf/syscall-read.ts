// The read path of the syscall object's maps, into buffers and typed arrays that live as
// long as the source: a reading allocates no object per syscall or per (process, syscall)
// row. Only what the family's record holds is built (in build-metrics.ts): the syscalls
// that were called, their histograms, and the processes that make the top list.
import { type Log2Bucket, type Log2Histogram } from '@bpfscope/core';
import type { BpfObject } from '@bpfscope/native';
import { SC_MAX_SYSCALLS, type SyscallLayouts } from './syscall-maps.js';
import { CpuRuns } from './cpu-runs.js';
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
  /** The sums of `count`, `errors` and `totalNs` over the rows (and CPUs), exact ({@link readingAddsUp}). */
  exact: U64Sums;
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
 * call was counted, moved from a CPU's run into `sc_proc`, or lost to a full table while
 * the maps were read; a reading that missed a run moved between the two reads (or a CPU's
 * run in the middle of a replacement) does not. The change counter trusts only a reading
 * that adds up (syscall-change-counter.ts).
 * @internal
 */
export function readingAddsUp(counts: SyscallCounts, table: ProcessTable): boolean {
  return counts.exact.equals(table.exact);
}

const WORD = 4294967296;
/** Values added to each of a reading's local sums before they move into its U64Sums (fewer than the 2^21 it allows). */
const CARRY_EVERY = 2 ** 20;

/** An unsigned 64-bit little-endian value as a number (exact below 2^53, as Number(bigint) is). */
const u64 = (v: DataView, at: number): number => v.getUint32(at + 4, true) * WORD + v.getUint32(at, true);

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
  readonly #table: ProcessTable = { rows: 0, tgid: new Uint32Array(256), id: new Uint32Array(256), count: new Float64Array(256), errors: new Float64Array(256), totalNs: new Float64Array(256), exact: new U64Sums(3) };
  /** The batch buffers, reused; each grows to what the map held when it did not fit. */
  #countsBuf: Uint8Array | null = null;
  #procBuf: Uint8Array | null = null;
  readonly #histKey = new Uint8Array(4);
  /** The CPUs' runs of calls not in `sc_proc` yet (counts-only mode). */
  readonly #runs: CpuRuns;
  /** One `struct sc_stat` summed over CPUs by {@link SyscallMapReader.#sumRow} (reused, no object per row). */
  readonly #row = { count: 0, errors: 0, ns: 0 };
  /** Where `struct sc_stat`'s fields are in a value, and a CPU's value's size in a per-CPU map (from BTF). */
  readonly #stat: { count: number; errors: number; ns: number; stride: number };

  constructor(private readonly obj: BpfObject, private readonly l: SyscallLayouts, private readonly cpus: number, private readonly slot: number) {
    const f = l.stat.fields;
    this.#stat = { count: f.count!.offset, errors: f.errors!.offset, ns: f.total_ns!.offset, stride: Math.ceil(l.stat.size / 8) * 8 };
    this.#runs = new CpuRuns(obj, l.cpu, cpus, slot);
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

  /** The slot's per-syscall counters (`sc_counts`), summed over CPUs. */
  async counts(): Promise<SyscallCounts> {
    const map = this.obj.map('sc_counts');
    this.#countsBuf ??= new Uint8Array(map.batchBytes());
    const batch = await map.lookupBatch({ into: this.#countsBuf });
    const keys = new DataView(batch.keys.buffer, batch.keys.byteOffset, batch.keys.byteLength);
    const values = new DataView(batch.values.buffer, batch.values.byteOffset, batch.values.byteLength);
    const c = this.#counts;
    c.count.fill(0);
    c.errors.fill(0);
    c.totalNs.fill(0);
    c.total = 0;
    const exact = c.exact;
    exact.clear();
    const first = this.slot * SC_MAX_SYSCALLS;
    for (let i = 0; i < batch.count; i++) {
      const id = keys.getUint32(i * 4, true) - first;
      if (id < 0 || id >= SC_MAX_SYSCALLS) continue;
      const r = this.#sumRow(values, i * map.entrySize, exact);
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
   * Per-(process, syscall) counters: `sc_proc` summed over CPUs, plus the run of calls
   * each CPU holds in `sc_cpu` (counts-only mode) that is not in `sc_proc` yet.
   *
   * `sc_proc` is read first, then `sc_cpu`. The kernel only ever moves calls from
   * `sc_cpu` into `sc_proc`, so a move between the two reads is missed by both (the
   * reading under-counts until the next one), while no call can be seen in both: this
   * order never counts a call twice. The other order could.
   */
  async processTable(): Promise<ProcessTable> {
    const map = this.obj.map('sc_proc');
    const batch = await map.lookupBatch(this.#procBuf === null ? {} : { into: this.#procBuf });
    const [keySize, entrySize] = [map.keySize, map.entrySize];
    // Keep the buffer for the next reading; one that was too small gave way to a larger one.
    if (this.#procBuf === null || batch.spilled) this.#procBuf = new Uint8Array(Math.min(map.batchBytes(), Math.max(2 * batch.count, 256) * (keySize + entrySize)));
    const t = this.#fit(batch.count + this.cpus);
    t.exact.clear();
    // sc_cpu right after sc_proc (the order above); its runs join their rows as the rows are read.
    const runs = this.#runs;
    const held = runs.read(t.exact);
    const keys = new DataView(batch.keys.buffer, batch.keys.byteOffset, batch.keys.byteLength);
    const values = new DataView(batch.values.buffer, batch.values.byteOffset, batch.values.byteLength);
    const kf = this.l.procKey.fields;
    const [slotAt, tgidAt, idAt] = [kf.slot!.offset, kf.tgid!.offset, kf.id!.offset];
    const { count: countAt, errors: errorsAt, ns: nsAt, stride } = this.#stat;
    const [cpus, slot] = [this.cpus, this.slot];
    // The rows' exact sums in U64Sums' form (high words, low words), kept in locals and
    // moved into t.exact before a low sum could pass 2^53 (2^21 values added).
    // (Plain locals, no destructuring: this loop runs in the interpreter until it is optimised.)
    let cHi = 0, cLo = 0, eHi = 0, eLo = 0, nHi = 0, nLo = 0, added = 0;
    let rows = 0;
    for (let i = 0; i < batch.count; i++) {
      const k = i * keySize;
      if (keys.getUint32(k + slotAt, true) !== slot) continue;
      let count = 0, errors = 0, ns = 0;
      for (let c = 0, at = i * entrySize; c < cpus; c++, at += stride) {
        const ch = values.getUint32(at + countAt + 4, true), cl = values.getUint32(at + countAt, true);
        const eh = values.getUint32(at + errorsAt + 4, true), el = values.getUint32(at + errorsAt, true);
        const nh = values.getUint32(at + nsAt + 4, true), nl = values.getUint32(at + nsAt, true);
        cHi += ch;
        cLo += cl;
        eHi += eh;
        eLo += el;
        nHi += nh;
        nLo += nl;
        count += ch * WORD + cl;
        errors += eh * WORD + el;
        ns += nh * WORD + nl;
      }
      if ((added += cpus) >= CARRY_EVERY) {
        t.exact.addWords(cHi, cLo, eHi, eLo, nHi, nLo);
        cHi = cLo = eHi = eLo = nHi = nLo = added = 0;
      }
      const tgid = keys.getUint32(k + tgidAt, true);
      const id = keys.getUint32(k + idAt, true);
      if (held > 0 && runs.mayHold(tgid)) count += runs.take(tgid, id);
      t.tgid[rows] = tgid;
      t.id[rows] = id;
      t.count[rows] = count;
      t.errors[rows] = errors;
      t.totalNs[rows] = ns;
      rows++;
    }
    t.exact.addWords(cHi, cLo, eHi, eLo, nHi, nLo);
    t.rows = rows;
    if (held > 0) runs.addLeft(t);
    return t;
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

