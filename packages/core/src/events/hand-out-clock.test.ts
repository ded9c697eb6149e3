import { describe, expect, it } from 'vitest';
import { HandOutClock } from './hand-out-clock.js';

/** A monotonic clock the test moves, counting its readings. */
function fakeClock() {
  const c = { ns: 1_000_000_000, reads: 0 };
  const s = {
    monotonicNs: () => {
      c.reads++;
      return BigInt(c.ns);
    },
    nowMs: () => 1_700_000_000_000 + c.ns / 1e6,
    accessors: { timeMs: (e: { time: number }) => e.time },
  };
  return { c, s };
}

describe('HandOutClock', () => {
  it('a fast consumer: one reading serves up to 64 hand-outs (1, 2, 4, … 64), and a wait makes the next hand-out read again', () => {
    const { c, s } = fakeClock();
    const clock = new HandOutClock<{ monotonicNs: bigint }>(s);
    const e = { monotonicNs: BigInt(c.ns - 5_000) };
    for (let i = 0; i < 1 + 2 + 4 + 8 + 16 + 32 + 64 + 64; i++) expect(clock.latencyUs(e)).toBe(5);
    expect(c.reads).toBe(8); // the clock did not move: each reading served twice as many, up to 64
    clock.invalidate();
    c.ns += 1_000_000;
    expect(clock.latencyUs(e)).toBe(1005);
    expect(c.reads).toBe(9);
  });

  it('a consumer that spends more than 32 µs between readings gets a reading per hand-out, so every latency is exact', () => {
    const { c, s } = fakeClock();
    const clock = new HandOutClock<{ monotonicNs: bigint }>(s);
    const e = { monotonicNs: BigInt(c.ns) };
    for (let i = 0; i < 7; i++) clock.latencyUs(e); // reads at hand-outs 1, 2 and 4, which served 1, 2 and 4
    expect(c.reads).toBe(3);
    const seen: number[] = [];
    for (let i = 0; i < 20; i++) {
      c.ns += 40_000; // 40 µs per event
      seen.push(clock.latencyUs(e));
    }
    // The next reading finds 40 µs spent since the last one: from then on each hand-out reads the clock.
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => 40 * (i + 1)));
    expect(c.reads).toBe(3 + 20);
  });

  it('an event with no monotonicNs is measured from its time against the wall clock, read once per monotonic reading', () => {
    const { c, s } = fakeClock();
    const clock = new HandOutClock<{ time: number }>(s);
    expect(clock.latencyUs({ time: s.nowMs() - 2 })).toBe(2000);
    expect(c.reads).toBe(1);
  });
});
