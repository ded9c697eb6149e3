import { ratePerSecond, topK } from '@bpfscope/core';
import type { ProcessFaults } from '../records.js';

/** One process's fault totals as a source read them. @internal */
export interface FaultTotals {
  pid: number;
  minor: number;
  major: number;
  threads: number | null;
  /** Decoded only for the processes that are reported. */
  comm(): string;
}

/**
 * Ranks processes by faults in the last interval and derives rates. Keeps the totals of
 * every process of the previous reading: a process absent from it started during the
 * interval (both sources enumerate every process) and counts from 0.
 * @internal
 */
export class FaultRanking {
  #prev: Map<number, { minor: number; major: number }> | null = null;

  /**
   * @param all - this reading's processes (already PID-filtered)
   * @param intervalMs - time since the previous reading, or null on the first
   * @param k - how many to report
   */
  rank(all: readonly FaultTotals[], intervalMs: number | null, k: number): ProcessFaults[] {
    const prev = this.#prev;
    const delta = (t: FaultTotals): number | null => {
      if (prev === null) return t.minor + t.major;
      const p = prev.get(t.pid) ?? { minor: 0, major: 0 };
      const d = t.minor - p.minor + (t.major - p.major);
      return d < 0 ? null : d;
    };
    const top = topK(all, delta, k);
    this.#prev = new Map(all.map((t) => [t.pid, { minor: t.minor, major: t.major }]));
    return top.map((t) => {
      const p = prev === null ? null : (prev.get(t.pid) ?? { minor: 0, major: 0 });
      const rate = (a: number | null, b: number): number | null => (p === null || intervalMs === null ? null : ratePerSecond(a, b, intervalMs));
      return {
        pid: t.pid,
        comm: t.comm(),
        minorFaults: t.minor,
        majorFaults: t.major,
        minorPerSecond: rate(p?.minor ?? null, t.minor),
        majorPerSecond: rate(p?.major ?? null, t.major),
        threads: t.threads,
      };
    });
  }

  /** Forget the previous reading. */
  reset(): void {
    this.#prev = null;
  }
}
