import { IntIndex, ratePerSecond, topKIndices } from '@bpfscope/core';
import type { ProcessFaults } from '../records.js';

/** One process's fault totals as the procfs source reads them. @internal */
export interface FaultTotals {
  pid: number;
  minor: number;
  major: number;
  threads: number | null;
  /** Decoded only for the processes that are reported. */
  comm(): string;
}

/**
 * One reading's processes and their fault totals, row by row: a source keeps them in
 * whatever it read them into, and only the reported rows' names are decoded.
 * @internal
 */
export interface FaultRows {
  readonly length: number;
  pid(row: number): number;
  minor(row: number): number;
  major(row: number): number;
  threads(row: number): number | null;
  comm(row: number): string;
}

/** Rows over an array of totals. @internal */
export function totalsRows(totals: readonly FaultTotals[]): FaultRows {
  return {
    length: totals.length,
    pid: (r) => totals[r]!.pid,
    minor: (r) => totals[r]!.minor,
    major: (r) => totals[r]!.major,
    threads: (r) => totals[r]!.threads,
    comm: (r) => totals[r]!.comm(),
  };
}

type F64 = Float64Array<ArrayBuffer>;
const fit = (a: F64, n: number): F64 => (a.length >= n ? a : new Float64Array(Math.max(n, a.length * 2)));

/**
 * Ranks processes by faults in the last interval (ties: lower pid first) and derives
 * rates. Keeps the totals of every process of the previous reading, in typed arrays it
 * reuses: a process absent from it started during the interval (both sources enumerate
 * every process) and counts from 0. Records are built for the reported processes only.
 * @internal
 */
export class FaultRanking {
  #first = true;
  #prev = { index: new IntIndex(256), minor: new Float64Array(256) as F64, major: new Float64Array(256) as F64 };
  #next = { index: new IntIndex(256), minor: new Float64Array(256) as F64, major: new Float64Array(256) as F64 };
  #delta: F64 = new Float64Array(256);
  #top = new Int32Array(16);

  /**
   * @param rows - this reading's processes
   * @param intervalMs - time since the previous reading, or null on the first
   * @param k - how many to report
   * @param include - the rows that take part (a PID filter); all when absent
   */
  rank(rows: FaultRows, intervalMs: number | null, k: number, include?: (row: number) => boolean): ProcessFaults[] {
    if (k <= 0) {
      // Nothing to list: no row is read and no totals kept, so a later ranking that lists
      // some starts as a first reading (totals, no rates) instead of from a stale one.
      this.#first = true;
      return [];
    }
    const prev = this.#first ? null : this.#prev;
    const next = this.#next;
    const n = rows.length;
    next.index.clear();
    next.minor = fit(next.minor, n);
    next.major = fit(next.major, n);
    const delta = (this.#delta = fit(this.#delta, n));
    for (let r = 0; r < n; r++) {
      const minor = rows.minor(r);
      const major = rows.major(r);
      const p = prev === null ? -1 : prev.index.get(rows.pid(r));
      const d = prev === null ? minor + major : p < 0 ? minor + major : minor - prev.minor[p]! + (major - prev.major[p]!);
      // A count that went back (another process under a reused pid) has no measure: left out.
      delta[r] = d < 0 ? NaN : d;
      const at = next.index.add(rows.pid(r));
      next.minor[at] = minor;
      next.major[at] = major;
    }
    if (this.#top.length < k) this.#top = new Int32Array(k);
    const top = this.#top;
    const kept = topKIndices(n, Math.min(k, n), (a, b) => delta[a]! > delta[b]! || (delta[a] === delta[b] && rows.pid(a) < rows.pid(b)), top, (r) => !Number.isNaN(delta[r]) && (include === undefined || include(r)));
    const out: ProcessFaults[] = [];
    for (let i = 0; i < kept; i++) {
      const r = top[i]!;
      const pid = rows.pid(r);
      const minor = rows.minor(r);
      const major = rows.major(r);
      const p = prev === null ? -1 : prev.index.get(pid);
      const rate = (before: number, now: number): number | null => (prev === null || intervalMs === null ? null : ratePerSecond(before, now, intervalMs));
      out.push({
        pid, comm: rows.comm(r), minorFaults: minor, majorFaults: major,
        minorPerSecond: rate(p < 0 ? 0 : prev!.minor[p]!, minor),
        majorPerSecond: rate(p < 0 ? 0 : prev!.major[p]!, major),
        threads: rows.threads(r),
      });
    }
    this.#next = this.#prev;
    this.#prev = next;
    this.#first = false;
    return out;
  }

  /** Forget the previous reading. */
  reset(): void {
    this.#first = true;
  }
}
