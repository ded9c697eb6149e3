import { describe, expect, it } from 'vitest';
import type { CgroupMemory, CgroupMemoryEntry } from '../records.js';
import { MemPredictions } from './mem-predictions.js';

const entry = (path: string, usageBytes: number | null, limitBytes: number | null): CgroupMemoryEntry => ({
  path, hierarchy: 'v2', usageBytes, limitBytes, usageFraction: null, swapBytes: null, limitHits: null, oomKills: null, unavailable: {}, error: null,
});
const cgroups = (...entries: CgroupMemoryEntry[]): CgroupMemory => ({ hierarchy: 'v2', root: '/sys/fs/cgroup', entries, vanished: 0 });

describe('MemPredictions', () => {
  it('a cgroup growing 10 MiB/s toward its limit: time to exhaustion from the fit; a vanished cgroup is forgotten', () => {
    const p = new MemPredictions({});
    const MiB = 1024 * 1024;
    for (let s = 0; s < 3; s++) p.update(100 + s, null, cgroups(entry('/a', 10 * MiB * (s + 1), 100 * MiB), entry('/bad', null, null)));
    const last = p.update(103, null, cgroups(entry('/a', 40 * MiB, 100 * MiB)));
    expect(last).toHaveLength(1);
    expect(last[0]).toMatchObject({ key: 'cgroup:/a', target: 'cgroup', path: '/a', limit: 100 * MiB, confidence: { samples: 4 } });
    expect(last[0]!.secondsToExhaustion).toBeCloseTo(6, 9);
    expect(p.stats().predictorKeys).toBe(1);
    p.update(104, null, cgroups());
    expect(p.stats().predictorKeys).toBe(0);
  });

  it('a repeated timestamp is skipped, not an error', () => {
    const p = new MemPredictions({});
    p.update(1, null, cgroups(entry('/a', 1, 10)));
    expect(p.update(1, null, cgroups(entry('/a', 2, 10)))[0]?.latestUsage).toBe(1);
    expect(p.stats().predictorSkipped).toBe(1);
  });
});
