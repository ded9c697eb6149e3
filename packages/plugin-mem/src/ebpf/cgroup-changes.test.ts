import { describe, expect, it } from 'vitest';
import { monotonicOffsetNs } from './cgroup-changes.js';

describe('monotonicOffsetNs (/proc/self/timens_offsets)', () => {
  it('the monotonic line, seconds and nanoseconds; none without the file or the line', () => {
    expect(monotonicOffsetNs('monotonic           0         0\nboottime            0         0\n')).toBe(0n);
    expect(monotonicOffsetNs('monotonic        3600       500\nboottime           -7         0\n')).toBe(3_600_000_000_500n);
    expect(monotonicOffsetNs('boottime 5 0\nmonotonic -2 250000000\n')).toBe(-1_750_000_000n);
    expect(monotonicOffsetNs(null)).toBe(0n);
    expect(monotonicOffsetNs('boottime 5 0\n')).toBe(0n);
  });
});
