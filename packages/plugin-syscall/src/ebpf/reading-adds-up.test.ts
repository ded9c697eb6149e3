import { describe, expect, it } from 'vitest';
import { readingAddsUp, type RawSyscallStat } from './syscall-maps.js';

const stat = (count: number, errors = 0, totalNs = 0): RawSyscallStat => ({ count: BigInt(count), errors: BigInt(errors), totalNs: BigInt(totalNs) });

describe('readingAddsUp: whether a reading of the syscall maps can vouch for the change counter', () => {
  it('holds when the per-process rows sum to the per-syscall counts in calls, errors and time', () => {
    expect(readingAddsUp([stat(3, 1, 700), stat(0), stat(2, 0, 50)], [stat(1, 1, 300), stat(2, 0, 400), stat(2, 0, 50)])).toBe(true);
    expect(readingAddsUp([], [])).toBe(true);
  });

  it('fails for a run missed between the reads (fewer calls in the rows), a call counted meanwhile (more), or time or errors apart', () => {
    expect(readingAddsUp([stat(5)], [stat(3)])).toBe(false);
    expect(readingAddsUp([stat(5)], [stat(6)])).toBe(false);
    expect(readingAddsUp([stat(5, 0, 100)], [stat(5, 0, 99)])).toBe(false);
    expect(readingAddsUp([stat(5, 2)], [stat(5, 1)])).toBe(false);
  });
});
