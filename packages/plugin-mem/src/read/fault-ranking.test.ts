import { describe, expect, it } from 'vitest';
import { FaultRanking, totalsRows, type FaultTotals } from './fault-ranking.js';

const t = (pid: number, minor: number, major = 0): FaultTotals => ({ pid, minor, major, threads: null, comm: () => `p${pid}` });

describe('FaultRanking', () => {
  it('first reading: by total faults, no rates', () => {
    const r = new FaultRanking();
    expect(r.rank(totalsRows([t(1, 10), t(2, 30), t(3, 20)]), null, 2).map((p) => [p.pid, p.minorPerSecond])).toEqual([[2, null], [3, null]]);
  });

  it('later readings: by faults in the interval, with rates; a new process counts from 0; a count that went back has no rate', () => {
    const r = new FaultRanking();
    r.rank(totalsRows([t(1, 1000), t(2, 50, 4), t(3, 500)]), null, 10);
    const out = r.rank(totalsRows([t(1, 1010), t(2, 250, 6), t(3, 100), t(4, 80)]), 2000, 10);
    expect(out.map((p) => [p.pid, p.comm, p.minorPerSecond, p.majorPerSecond])).toEqual([
      [2, 'p2', 100, 1],
      [4, 'p4', 40, 0],
      [1, 'p1', 5, 0],
    ]);
  });

  it('k = 0 lists nothing and reads no row; a later ranking that lists some starts as a first reading', () => {
    const r = new FaultRanking();
    r.rank(totalsRows([t(1, 100), t(2, 10)]), null, 5);
    const rows = totalsRows([t(1, 150), t(2, 40)]);
    let reads = 0;
    const counted = new Proxy(rows, { get: (o, key) => (key === 'length' ? o.length : (...a: number[]) => (reads++, (o as unknown as Record<string, (...x: number[]) => unknown>)[key as string]!(...a))) });
    expect(r.rank(counted, 1000, 0)).toEqual([]);
    expect(reads).toBe(0);
    // Totals since each process's start, no rates: not the deltas from the reading before the k = 0 one.
    expect(r.rank(totalsRows([t(1, 160), t(2, 70)]), 1000, 5).map((p) => [p.pid, p.minorPerSecond])).toEqual([[1, null], [2, null]]);
  });

  it('ties go to the lower pid; rows left out by the filter are not listed; three readings in a row keep each previous one', () => {
    const r = new FaultRanking();
    r.rank(totalsRows([t(5, 0), t(3, 0), t(9, 0)]), null, 10);
    const odd = (rows: FaultTotals[]) => (i: number): boolean => rows[i]!.pid !== 9;
    const second = [t(5, 10), t(3, 10), t(9, 50)];
    expect(r.rank(totalsRows(second), 1000, 10, odd(second)).map((p) => [p.pid, p.minorPerSecond])).toEqual([[3, 10], [5, 10]]);
    const third = [t(5, 40), t(3, 10), t(9, 50)];
    expect(r.rank(totalsRows(third), 1000, 2).map((p) => [p.pid, p.minorPerSecond])).toEqual([[5, 30], [3, 0]]);
  });
});
