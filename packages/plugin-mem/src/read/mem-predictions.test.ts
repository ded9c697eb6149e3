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
    const { predictions: last, error } = p.update(103, null, cgroups(entry('/a', 40 * MiB, 100 * MiB)));
    expect(error).toBeNull();
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
    const again = p.update(1, null, cgroups(entry('/a', 2, 10)));
    expect(again.predictions[0]?.latestUsage).toBe(1);
    expect(again.error).toBeNull();
    expect(p.stats()).toMatchObject({ predictorSkipped: 1, predictorInvalid: 0, predictorSamples: 1 });
  });

  it('negative or non-finite samples are errors naming the key and values, not skipped; valid keys still predict', () => {
    const p = new MemPredictions({});
    p.update(1, null, cgroups(entry('/a', 1, 10), entry('/neg', 5, 10)));
    const r = p.update(2, null, cgroups(entry('/a', 2, 10), entry('/neg', -1, 10), entry('/inf', Number.POSITIVE_INFINITY, 10)));
    expect(r.error?.code).toBe('EVENT_PROCESSING_FAILED');
    expect(r.error?.message).toBe(
      '2 memory sample(s) could not be used for prediction: OOM sample for cgroup:/neg is invalid: timestamp 2, usage -1, limit 10; ' +
        'OOM sample for cgroup:/inf is invalid: timestamp 2, usage Infinity, limit 10',
    );
    expect(r.error?.details.invalid).toEqual([
      expect.objectContaining({ key: 'cgroup:/neg', usage: -1, limit: 10 }),
      expect.objectContaining({ key: 'cgroup:/inf', usage: Number.POSITIVE_INFINITY, limit: 10 }),
    ]);
    expect(r.predictions.find((x) => x.key === 'cgroup:/a')?.latestUsage).toBe(2);
    // /neg keeps its earlier valid sample only; /inf has none.
    expect(r.predictions.find((x) => x.key === 'cgroup:/neg')?.latestUsage).toBe(5);
    expect(r.predictions.some((x) => x.key === 'cgroup:/inf')).toBe(false);
    expect(p.stats()).toMatchObject({ predictorSkipped: 0, predictorInvalid: 2, predictorSamples: 3 });
  });
});
