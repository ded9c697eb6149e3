import { describe, expect, it } from 'vitest';
import { syscallCategory } from '../syscall-table.js';
import { buildMetrics, type Reading } from './build-metrics.js';
import type { RawSyscallStat } from './syscall-maps.js';

const UNLISTED = 499; // past the x86_64 table's last number
const stat = (count: number): RawSyscallStat => ({ count: BigInt(count), errors: 0n, totalNs: 0n });

describe('buildMetrics: categories of numbers the table does not have', () => {
  it('an unlisted number is `unknown`, counted apart from `other`', () => {
    expect(syscallCategory(UNLISTED)).toBeNull();
    const counts: RawSyscallStat[] = [];
    counts[UNLISTED] = stat(7);
    counts[63] = stat(2); // uname: listed, of category other
    for (let i = 0; i < counts.length; i++) counts[i] ??= stat(0);
    const reading: Reading = { at: 0, counts, hist: new Map(), table: [], kernel: { invocations: 0, drops: 0, filterHits: 0, filterMisses: 0 } };
    const m = buildMetrics(reading, null, { mode: 'counts', since: 'x', filter: { pids: null, syscalls: null }, topProcesses: 10 });
    expect(m.syscalls.find((s) => s.id === UNLISTED)?.category).toBe('unknown');
    expect(m.syscalls.find((s) => s.id === 63)?.category).toBe('other');
    expect(m.categories.unknown.count).toBe(7);
    expect(m.categories.other.count).toBe(2);
  });
});
