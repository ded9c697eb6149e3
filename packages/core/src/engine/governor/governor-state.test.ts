import { describe, expect, it } from 'vitest';
import { formatCount, GovernorState } from './governor-state.js';

const LEVELS = ['counts only', 'sampled events'];
const w = (nsPerSec: number, projectedUpNsPerSec: number | null = null) => ({ nsPerSec, projectedUpNsPerSec, windowMs: 1000 });

describe('GovernorState (hysteresis)', () => {
  it('sheds one level per window over the budget, and stays at the last level while still over', () => {
    const s = new GovernorState(1000, 0.5, 3);
    expect(s.judge(w(1000), LEVELS)).toBeNull(); // at the budget is not over it
    expect(s.level).toBe(0);
    const first = s.judge(w(1001), LEVELS);
    expect(first).toEqual({ from: 0, to: 1, reason: 'kernel cost 1,001 ns/s over the budget of 1,000 ns/s in a window of 1,000 ms: counts only' });
    expect(s.judge(w(5000, 9000), LEVELS)).toMatchObject({ from: 1, to: 2, reason: expect.stringContaining(': sampled events') });
    expect(s.judge(w(5000, 9000), LEVELS)).toBeNull();
    expect(s.level).toBe(2);
    expect(s.overBudgetAtLastLevel).toBe(true);
  });

  it('returns one level after `recoverWindows` consecutive windows whose projected cost is under the fraction', () => {
    const s = new GovernorState(1000, 0.5, 3);
    s.judge(w(2000), LEVELS);
    expect(s.level).toBe(1);
    // Under budget at the degraded level, but the level above would cost 600 (over 500): stays.
    expect(s.judge(w(100, 600), LEVELS)).toBeNull();
    expect(s.underStreak).toBe(0);
    expect(s.judge(w(100, 499), LEVELS)).toBeNull();
    expect(s.judge(w(100, 499), LEVELS)).toBeNull();
    expect(s.underStreak).toBe(2);
    // A window over the fraction breaks the streak.
    expect(s.judge(w(100, 500), LEVELS)).toBeNull();
    expect(s.underStreak).toBe(0);
    expect(s.judge(w(100, 10), LEVELS)).toBeNull();
    expect(s.judge(w(100, 10), LEVELS)).toBeNull();
    expect(s.judge(w(100, 10), LEVELS)).toEqual({ from: 1, to: 0, reason: 'cost projected at level 0 10 ns/s under 500 ns/s (0.5 of the budget) for 3 windows' });
    expect(s.level).toBe(0);
    expect(s.underStreak).toBe(0);
  });

  it('does not return without a projection, and at level 0 has nowhere to return', () => {
    const s = new GovernorState(1000, 0.5, 1);
    expect(s.judge(w(1, 1), LEVELS)).toBeNull();
    s.judge(w(2000), LEVELS);
    expect(s.judge(w(1, null), LEVELS)).toBeNull();
    expect(s.level).toBe(1);
    expect(s.judge(w(1, 1), LEVELS)).toMatchObject({ from: 1, to: 0 });
  });

  it('a source without levels is never degraded, only marked over budget', () => {
    const s = new GovernorState(1000, 0.5, 3);
    expect(s.judge(w(5000), [])).toBeNull();
    expect(s.level).toBe(0);
    expect(s.overBudgetAtLastLevel).toBe(true);
    expect(s.judge(w(10), [])).toBeNull();
    expect(s.overBudgetAtLastLevel).toBe(false);
  });

  it('revert undoes a change the source refused; reset returns to level 0', () => {
    const s = new GovernorState(1000, 0.5, 3);
    const change = s.judge(w(2000), LEVELS)!;
    s.revert(change);
    expect(s.level).toBe(0);
    s.judge(w(2000), LEVELS);
    s.judge(w(2000), LEVELS);
    expect(s.level).toBe(2);
    s.reset();
    expect(s.level).toBe(0);
  });
});

describe('formatCount: the figures of a reason', () => {
  it('writes what toLocaleString(\'en-US\') writes for the rounded value, also past 2^53 and for -0, NaN and infinities', () => {
    const values = [0, 1, 12, 999, 999.5, 1000, 1234.4, 99_999, 100_000, 999_999, 1_000_000, 123_456_789, 2 ** 31, 2 ** 53 - 1, 2 ** 53, 2 ** 60, 1e21, -1, -999, -1000, -1234567.6, -0.4, Number.NaN, Infinity, -Infinity];
    for (const v of values) expect(formatCount(v)).toBe(Math.round(v).toLocaleString('en-US'));
  });
});
