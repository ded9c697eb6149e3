import { describe, expect, it } from 'vitest';
import { EMPTY_SOURCE_STATS, KeptSourceStats, type SourceStats } from './source-stats.js';

const figures = (programs: number): SourceStats => ({
  programs: Array.from({ length: programs }, (_, i) => ({ program: `p${i}`, id: i + 1, runs: 1, runTimeNs: 1, nsPerRun: 1, recursionMisses: 0 })),
  runStatsEnabled: false,
  kernelCounters: [],
  counters: {},
});

describe('KeptSourceStats', () => {
  it('gives every figure out, keeps the whole ones only, and is empty before any', () => {
    const kept = new KeptSourceStats();
    expect(kept.last).toBe(EMPTY_SOURCE_STATS);
    const whole = figures(2);
    expect(kept.keep(whole)).toBe(whole);
    expect(kept.last).toBe(whole);
    const light = figures(0);
    expect(kept.keep(light, { programs: false })).toBe(light);
    expect(kept.last).toBe(whole);
    const again = figures(1);
    kept.keep(again, { programs: true });
    expect(kept.last).toBe(again);
  });
});
