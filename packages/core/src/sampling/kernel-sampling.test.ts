import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/taxonomy.js';
import { createSampler } from './create-sampler.js';
import { splitSamplingForKernel, type KernelSamplingAbilities } from './kernel-sampling.js';
import type { SamplingConfig } from './sampling-config.js';
import { validateSamplingConfig } from './sampling-config.js';

const ALL: KernelSamplingAbilities = { tail: true, priority: { pids: true, cgroups: true, kinds: true } };
const NO_TAIL: KernelSamplingAbilities = { tail: false, priority: { pids: true, cgroups: true, kinds: false } };

describe('splitSamplingForKernel', () => {
  const cases: Array<[string, SamplingConfig<unknown> | null, KernelSamplingAbilities, unknown, boolean]> = [
    ['null', null, ALL, null, false],
    ['all', { strategy: 'all' }, ALL, null, false],
    ['uniform counter', { strategy: 'uniform', every: 10 }, ALL, { uniform: { every: 10, mode: 'counter' } }, false],
    ['uniform random', { strategy: 'uniform', every: 4, mode: 'random' }, ALL, { uniform: { every: 4, mode: 'random' } }, false],
    ['seeded uniform (a reproducible user-space draw)', { strategy: 'uniform', every: 4, mode: 'random', seed: 1 }, ALL, null, true],
    ['tail threshold', { strategy: 'tail', threshold: 1500.5 }, ALL, { tailThreshold: 1501 }, false],
    ['tail threshold, no value in the kernel', { strategy: 'tail', threshold: 1500 }, NO_TAIL, null, true],
    ['tail percentile', { strategy: 'tail', percentile: 99 }, ALL, null, true],
    ['tail threshold just below 2^64', { strategy: 'tail', threshold: 2 ** 64 - 2048 }, ALL, { tailThreshold: 2 ** 64 - 2048 }, false],
    ['tail threshold of 2^64 (a u64 cannot hold it: no wrap to 0)', { strategy: 'tail', threshold: 2 ** 64 }, ALL, null, true],
    ['bucket at the largest burst the kernel takes (1/s: 2^63 / 10^9)', { strategy: 'token-bucket', ratePerSecond: 1, burst: 9_223_372_036 }, ALL, { bucket: { ratePerSecond: 1, burst: 9_223_372_036 } }, false],
    ['bucket', { strategy: 'token-bucket', ratePerSecond: 100, burst: 5 }, ALL, { bucket: { ratePerSecond: 100, burst: 5 } }, false],
    ['bucket, fractional rate', { strategy: 'token-bucket', ratePerSecond: 0.5, burst: 5 }, ALL, null, true],
    ['adaptive', { strategy: 'adaptive', targetPerSecond: 10 }, ALL, null, true],
    ['reservoir', { strategy: 'reservoir', size: 5, windowMs: 100 }, ALL, null, true],
    ['priority match + uniform', { strategy: 'priority', match: { pids: [7] }, otherwise: { strategy: 'uniform', every: 3 } }, ALL, { priority: { pids: [7] }, uniform: { every: 3, mode: 'counter' } }, false],
    ['priority match alone', { strategy: 'priority', match: { kinds: ['exit'] } }, ALL, { priority: { kinds: ['exit'] } }, false],
    ['priority match + adaptive: all in user space', { strategy: 'priority', match: { pids: [7] }, otherwise: { strategy: 'adaptive', targetPerSecond: 5 } }, ALL, null, true],
    ['priority match in a priority match: user space', { strategy: 'priority', match: { pids: [7] }, otherwise: { strategy: 'priority', match: { pids: [8] } } }, ALL, null, true],
    ['priority classify', { strategy: 'priority', classify: () => 'x', high: ['x'] }, ALL, null, true],
  ];
  for (const [name, config, can, kernel, restIsWhole] of cases) {
    it(name, () => {
      const r = splitSamplingForKernel(config, can);
      expect(r.kernel).toEqual(kernel);
      expect(r.rest).toBe(restIsWhole ? config : null);
    });
  }

  it('a tail threshold ≤ 0 keeps everything: nothing to do anywhere', () => {
    expect(splitSamplingForKernel({ strategy: 'tail', threshold: 0 }, ALL)).toEqual({ kernel: null, rest: null });
  });

  it('refuses a priority kind the source cannot tell apart, naming the path', () => {
    const err = (() => {
      try {
        return splitSamplingForKernel({ strategy: 'priority', match: { kinds: ['oom'] } }, NO_TAIL, 'families.mem.sampling');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).path).toBe('families.mem.sampling.match.kinds');
  });
});

describe('the declarative priority match', () => {
  it('is validated: not with classify, bad ids and unknown fields are refused by path', () => {
    const path = (v: unknown): string | undefined => {
      try {
        validateSamplingConfig(v, 's');
        return undefined;
      } catch (e) {
        return (e as ConfigError).path;
      }
    };
    expect(path({ strategy: 'priority', match: { pids: [1] }, classify: () => 'a', high: ['a'] })).toBe('s.classify');
    expect(path({ strategy: 'priority', match: { pids: [-1] } })).toBe('s.match.pids[0]');
    expect(path({ strategy: 'priority', match: { cgroup: [1] } })).toBe('s.match.cgroup');
    expect(path({ strategy: 'priority', high: ['a'] })).toBe('s.classify');
    expect(path({ strategy: 'priority', match: { pids: [1], cgroups: [2n], kinds: ['exit', 3] }, otherwise: { strategy: 'uniform', every: 2 } })).toBeUndefined();
  });

  it('in user space: every event of a high pid, cgroup or kind kept with weight 1, the others through otherwise', () => {
    const s = createSampler<{ pid: number; cgroupId: number; type: string }>(
      { strategy: 'priority', match: { pids: [1], cgroups: [50n], kinds: ['exit'] }, otherwise: { strategy: 'uniform', every: 4 } },
      { timeMs: () => 0 },
    );
    const kept: Array<[number, number]> = [];
    for (let i = 0; i < 40; i++) {
      const e = { pid: i % 4 === 0 ? 1 : 100 + i, cgroupId: i === 5 ? 50 : 9, type: i === 6 ? 'exit' : 'fork' };
      s.offer(e, (k, w) => kept.push([i, w]));
    }
    const high = kept.filter(([, w]) => w === 1).map(([i]) => i);
    expect(high).toEqual([0, 4, 5, 6, 8, 12, 16, 20, 24, 28, 32, 36]);
    // 28 others through one 1-in-4 counter: ⌈28/4⌉ = 7 kept, weight 4.
    expect(kept.filter(([, w]) => w === 4)).toHaveLength(7);
    expect(s.counts()).toMatchObject({ seen: 40, kept: 19, sampledAway: 21 });
  });

  it('refuses a token bucket whose (burst − 1) · ⌈10⁹/rate⌉ would overflow the kernel’s u64, naming the field', () => {
    // burst · interval ≤ 2^63 ns: at 1/s that is 9,223,372,036; at 3/s (interval 333,333,334 ns) 27,670,116,055.
    for (const [rate, burst, most] of [
      [1, 9_223_372_037, 9_223_372_036],
      [3, 27_670_116_056, 27_670_116_055],
      [1, Number.MAX_SAFE_INTEGER, 9_223_372_036],
    ] as const) {
      let thrown: unknown;
      try {
        splitSamplingForKernel({ strategy: 'priority', match: { pids: [1] }, otherwise: { strategy: 'token-bucket', ratePerSecond: rate, burst } }, ALL, 'families.proc.sampling');
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect(thrown).toMatchObject({ path: 'families.proc.sampling.otherwise.burst', value: burst });
      expect((thrown as Error).message).toContain(`at most ${most} at ${rate}/s`);
    }
    expect(splitSamplingForKernel({ strategy: 'token-bucket', ratePerSecond: 3, burst: 27_670_116_055 }, ALL).kernel).toEqual({ bucket: { ratePerSecond: 3, burst: 27_670_116_055 } });
  });
});
