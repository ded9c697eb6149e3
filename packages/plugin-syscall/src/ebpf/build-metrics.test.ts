import { describe, expect, it } from 'vitest';
import { syscallCategory } from '../syscall-table.js';
import { buildMetrics, PROCESSES_OFF, type ProcessRecords, type Reading } from './build-metrics.js';
import { SC_MAX_SYSCALLS } from './syscall-maps.js';
import type { ProcessTable, SyscallCounts } from './syscall-read.js';
import { U64Sums } from './u64-sums.js';

const UNLISTED = 499; // past the x86_64 table's last number
const kernel = { invocations: 0, drops: 0, filterHits: 0, filterMisses: 0 };
const options = { since: 'x', filter: { pids: null, syscalls: null } };

function counts(byId: Record<number, number>): SyscallCounts {
  const c = { count: new Float64Array(SC_MAX_SYSCALLS), errors: new Float64Array(SC_MAX_SYSCALLS), totalNs: new Float64Array(SC_MAX_SYSCALLS), total: 0, exact: new U64Sums(3) };
  for (const [id, n] of Object.entries(byId)) {
    c.count[Number(id)] = n;
    c.total += n;
  }
  return c;
}

/** Rows [tgid, id, count, errors, totalNs]. */
function table(rows: Array<[number, number, number, number, number]>): ProcessTable {
  const col = (j: number): number[] => rows.map((r) => r[j]!);
  return { rows: rows.length, tgid: Uint32Array.from(col(0)), id: Uint32Array.from(col(1)), count: Float64Array.from(col(2)), errors: Float64Array.from(col(3)), totalNs: Float64Array.from(col(4)), exact: new U64Sums(3), pending: new Set() };
}

describe('buildMetrics: categories of numbers the table does not have', () => {
  it('an unlisted number is `unknown`, counted apart from `other`', () => {
    expect(syscallCategory(UNLISTED)).toBeNull();
    // 63 = uname: listed, of category other
    const reading: Reading = { at: 0, counts: counts({ [UNLISTED]: 7, 63: 2 }), hist: new Map(), table: table([]), kernel };
    const m = buildMetrics(reading, null, { mode: 'counts', ...options, topProcesses: 10 });
    expect(m.syscalls.find((s) => s.id === UNLISTED)?.category).toBe('unknown');
    expect(m.syscalls.find((s) => s.id === 63)?.category).toBe('other');
    expect(m.categories.unknown.count).toBe(7);
    expect(m.categories.other.count).toBe(2);
  });
});

describe('buildMetrics without per-process detail (no table)', () => {
  it('lists no process and says why, in both modes; the per-syscall counts are as read', () => {
    for (const mode of ['counts', 'latency'] as const) {
      const m = buildMetrics({ at: 0, counts: counts({ 39: 5 }), hist: new Map(), table: null, kernel }, null, { mode, ...options, topProcesses: 10 });
      expect(m.processes).toEqual([]);
      expect(m.unavailable.processes).toBe(PROCESSES_OFF);
      expect(m.syscalls.map((s) => [s.id, s.count])).toEqual([[39, 5]]);
    }
  });
});

describe('buildMetrics: the process list', () => {
  // pid 30 and pid 20 tie at 9 calls; pid 10 has 4; pid 40 has 12.
  const rows = table([
    [10, 0, 3, 1, 100], [20, 1, 5, 0, 50], [30, 0, 9, 2, 900], [10, 1, 1, 0, 10], [40, 3, 12, 0, 1], [20, 0, 4, 4, 40],
  ]);
  const reading: Reading = { at: 2000, counts: counts({ 0: 16, 1: 6, 3: 12 }), hist: new Map(), table: rows, kernel };

  it('keeps the cap largest processes (ties: lower pid first), each summed over its rows, with its calls largest first', () => {
    const m = buildMetrics(reading, { at: 1000, total: 30 }, { mode: 'latency', ...options, topProcesses: 3 });
    expect(m.processes.map((p) => [p.pid, p.count, p.errors, p.totalNs])).toEqual([[40, 12, 0, 1], [20, 9, 4, 90], [30, 9, 2, 900]]);
    expect(m.processes[1]!.bySyscall).toEqual([
      { id: 1, name: 'write', count: 5, errors: 0, totalNs: 50 },
      { id: 0, name: 'read', count: 4, errors: 4, totalNs: 40 },
    ]);
    expect(m.total).toEqual({ count: 34, errors: 0, perSecond: 4 });
  });

  it('lists every process under a large cap, and none under a cap of 0; counts-only mode has no errors or time', () => {
    const all = buildMetrics(reading, null, { mode: 'counts', ...options, topProcesses: 50 });
    expect(all.processes.map((p) => [p.pid, p.count, p.errors, p.totalNs])).toEqual([[40, 12, null, null], [20, 9, null, null], [30, 9, null, null], [10, 4, null, null]]);
    expect(all.processes[3]!.bySyscall!.map((c) => [c.id, c.count, c.errors])).toEqual([[0, 3, null], [1, 1, null]]);
    expect(buildMetrics(reading, null, { mode: 'counts', ...options, topProcesses: 0 }).processes).toEqual([]);
  });

  it('with kept records: an unchanged process gets its frozen record again; a count, a new row or a new name makes a new one', () => {
    const names = new Map([[10, 'ten'], [20, 'twenty'], [30, 'thirty'], [40, 'forty']]);
    const records: ProcessRecords = { kept: new Map(), generation: 0, comm: (pid) => names.get(pid) ?? null };
    const build = (r: Reading) => buildMetrics(r, null, { mode: 'latency', ...options, topProcesses: 3, records }).processes;
    const first = build(reading);
    expect(first.map((p) => [p.pid, p.comm])).toEqual([[40, 'forty'], [20, 'twenty'], [30, 'thirty']]);
    expect(Object.isFrozen(first[0]) && Object.isFrozen(first[0]!.bySyscall) && Object.isFrozen(first[0]!.bySyscall![0])).toBe(true);
    const same = build(reading);
    expect(same.every((p, i) => p === first[i])).toBe(true);
    // pid 20 calls again, pid 30 gets a row with no call yet, pid 40 execs under a new name.
    names.set(40, 'forty-two');
    const moved = table([
      [10, 0, 3, 1, 100], [20, 1, 6, 0, 60], [30, 0, 9, 2, 900], [10, 1, 1, 0, 10], [40, 3, 12, 0, 1], [20, 0, 4, 4, 40], [30, 5, 0, 0, 0],
    ]);
    const next = build({ ...reading, table: moved });
    expect(next.map((p) => [p.pid, p.comm, p.count, p === first.find((q) => q.pid === p.pid)])).toEqual([[40, 'forty-two', 12, false], [20, 'twenty', 10, false], [30, 'thirty', 9, false]]);
    expect(next[2]!.bySyscall!.map((c) => [c.id, c.count])).toEqual([[0, 9], [5, 0]]);
    expect(build({ ...reading, table: moved }).every((p, i) => p === next[i])).toBe(true);
    expect(records.kept.size).toBe(3);
  });

  it('tells the name reader which listed processes had no name at the last reading', () => {
    const names = new Map([[10, 'ten'], [20, 'twenty'], [40, 'forty']]);
    const asked: Array<[number, boolean]> = [];
    const records: ProcessRecords = { kept: new Map(), generation: 0, comm: (pid, gone) => (asked.push([pid, gone]), names.get(pid) ?? null) };
    const build = () => buildMetrics(reading, null, { mode: 'latency', ...options, topProcesses: 4, records }).processes;
    expect(build().map((p) => [p.pid, p.comm])).toEqual([[40, 'forty'], [20, 'twenty'], [30, null], [10, 'ten']]);
    expect(asked.splice(0)).toEqual([[40, false], [20, false], [30, false], [10, false]]);
    names.delete(20);
    build();
    expect(asked.splice(0)).toEqual([[40, false], [20, false], [30, true], [10, false]]);
    expect(build().map((p) => [p.pid, p.comm])).toEqual([[40, 'forty'], [20, null], [30, null], [10, 'ten']]);
    expect(asked).toEqual([[40, false], [20, true], [30, true], [10, false]]);
  });
});
