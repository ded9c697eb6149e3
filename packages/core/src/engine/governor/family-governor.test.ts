// The governor of one family against a fake eBPF source whose kernel figures the test
// moves: run time counts only while the governor holds run-time statistics on, at a cost
// per invocation that depends on the level in force; time and timers move with a TimerClock.
import { describe, expect, it } from 'vitest';
import { TimerClock } from '../../../../../test/timer-clock.js';
import { EMPTY_SOURCE_STATS, type SourceStats } from '../../source-stats.js';
import type { Source } from '../../types.js';
import { validateGovernor } from './governor-config.js';
import { FamilyGovernor } from './family-governor.js';

const silent = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

function fakeKernel(nsPerInvocation: readonly number[]) {
  const k = { invocations: 0, runs: 0, runTimeNs: 0, statsOn: 0, switches: 0, level: 0, calls: [] as Array<[number, string]>, askedPrograms: [] as boolean[] };
  const source: Source = {
    kind: 'ebpf',
    name: 'fake-ebpf',
    init: async () => undefined,
    read: async () => null,
    close: async () => undefined,
    stats: (options): SourceStats => ({
      ...EMPTY_SOURCE_STATS,
      // As a real source may: no programs when not asked for them.
      programs: (k.askedPrograms.push(options?.programs !== false), options?.programs === false)
        ? []
        : [{ program: 'fake_prog', id: 1, runs: k.runs, runTimeNs: k.runTimeNs, nsPerRun: null, recursionMisses: 0 }],
      kernelCounters: [{ object: 'fake.bpf.o', map: 'fake_stats', invocations: k.invocations, eventsSent: 0, eventsDropped: 0, filterHits: 0, filterMisses: 0, ringBufferBytes: 0 }],
    }),
    degradationLevels: () => ['counts only'],
    setDegradation: async (level, reason) => {
      k.level = level;
      k.calls.push([level, reason]);
    },
  };
  /** `n` program invocations now: run time counts only while statistics are on. */
  const load = (n: number): void => {
    k.invocations += n;
    if (k.statsOn > 0) {
      k.runs += n;
      k.runTimeNs += n * nsPerInvocation[k.level]!;
    }
  };
  const runStats = () => {
    k.statsOn++;
    k.switches++;
    return { close: () => void k.statsOn-- };
  };
  return { k, source, load, runStats };
}

function governor(clock: TimerClock, runStats: (() => { close(): void }) | null) {
  const settings = validateGovernor({ enabled: true, windowMs: 1000, calibrationMs: 500, calibrateEvery: 100, recoverFraction: 0.5, recoverWindows: 2 });
  return new FamilyGovernor({ family: 'fake', budgetNsPerSec: 1000, settings, programStats: false, clock, wallMs: () => clock.wallMs(), runStats, logger: silent });
}

describe('FamilyGovernor', () => {
  it('asks the source for its programs only where it uses their run times: at a calibration window\'s start and end', async () => {
    const clock = new TimerClock(1_700_000_000_000);
    const { k, source, load, runStats } = fakeKernel([10, 2]);
    const g = governor(clock, runStats);
    g.observe(source); // is it governable: counters alone
    await g.evaluate(source); // the baseline
    load(200);
    clock.advance(1000);
    await g.evaluate(source); // the window's end, then a calibration window opens
    load(100);
    clock.advance(500); // the calibration window ends
    load(50);
    clock.advance(500);
    await g.evaluate(source); // judged on invocations × the calibrated cost
    expect(k.askedPrograms).toEqual([false, false, false, true, true, false]);
    expect(g.stats()).toMatchObject({ windowsJudged: 1, lastWindow: { invocations: 150, nsPerSec: 1500, basis: 'invocations' } });
  });

  it('opens no calibration window when the whole figures cannot be read at its start (the window\'s own sample holds no run times)', async () => {
    const clock = new TimerClock(1_700_000_000_000);
    const { k, source, load, runStats } = fakeKernel([10, 2]);
    const light = source.stats!;
    // The whole figures fail once, right after the switch; the counters alone are read.
    let failWhole = false;
    source.stats = (options) => {
      if (options?.programs !== false && failWhole) {
        failWhole = false;
        throw new Error('closing');
      }
      return light(options);
    };
    const g = governor(clock, runStats);
    g.observe(source);
    await g.evaluate(source);
    load(200);
    clock.advance(1000);
    failWhole = true;
    await g.evaluate(source);
    expect(k.statsOn).toBe(0);
    expect(g.stats()).toMatchObject({ calibrating: false, calibrationWindows: 0, calibrations: [], windowsJudged: 0 });
    // The next window calibrates.
    load(100);
    clock.advance(1000);
    await g.evaluate(source);
    expect(g.stats()).toMatchObject({ calibrating: true, calibrationWindows: 1 });
    clock.advance(500);
    expect(k.statsOn).toBe(0);
  });

  it('calibrates, degrades over the budget, recalibrates at the new level and returns when the load falls', async () => {
    const clock = new TimerClock(1_700_000_000_000);
    const { k, source, load, runStats } = fakeKernel([10, 2]);
    const g = governor(clock, runStats);
    g.observe(source);
    expect(g.info()).toEqual({ level: 0, levelName: 'full detail', budgetNsPerSec: 1000, measuredNsPerSec: null, windowMs: null, since: new Date(1_700_000_000_000).toISOString(), reason: null, overBudget: null });
    await g.evaluate(source); // baseline at t=0
    load(200);
    clock.advance(1000);
    await g.evaluate(source); // no cost per invocation yet: a calibration window opens, nothing judged
    expect(g.stats()).toMatchObject({ calibrating: true, calibrationWindows: 1, windowsJudged: 0, measuredNsPerSec: null });
    expect(g.activity()).toHaveLength(1);
    expect(k.statsOn).toBe(1);
    load(100);
    clock.advance(500); // the calibration window's timer ends it
    expect(k.statsOn).toBe(0);
    expect(g.activity()).toEqual([]);
    expect(g.stats()!.calibrations).toEqual([{ level: 0, nsPerInvocation: 10, runs: 100, runTimeNs: 1000, invocations: 100, startMs: 1000, endMs: 1500 }]);
    load(50);
    clock.advance(500);
    await g.evaluate(source); // 150 invocations in 1000 ms × 10 ns = 1500 ns/s > 1000
    expect(k.calls).toEqual([[1, 'kernel cost 1,500 ns/s over the budget of 1,000 ns/s in a window of 1,000 ms: counts only']]);
    expect(g.info()).toMatchObject({ level: 1, levelName: 'counts only', measuredNsPerSec: 1500, windowMs: 1000, reason: k.calls[0]![1] });
    expect(g.stats()).toMatchObject({ windowsJudged: 1, lastWindow: { startMs: 1000, endMs: 2000, invocations: 150, nsPerSec: 1500, basis: 'invocations', level: 0 }, transitions: [{ from: 0, to: 1, atMs: 2000 }] });

    // Level 1: a new baseline (the source may have reloaded), then a calibration at level 1.
    await g.evaluate(source);
    load(20);
    clock.advance(1000);
    await g.evaluate(source);
    expect(k.statsOn).toBe(1);
    load(10);
    clock.advance(500);
    expect(g.stats()!.calibrations.map((c) => [c.level, c.nsPerInvocation])).toEqual([[0, 10], [1, 2]]);
    load(10);
    clock.advance(500);
    // 20 invocations/s: 40 ns/s at level 1; projected at level 0, 200 ns/s < 500: 1 of 2 windows.
    await g.evaluate(source);
    expect(g.stats()).toMatchObject({ level: 1, underStreak: 1, measuredNsPerSec: 40 });
    load(20);
    clock.advance(1000);
    await g.evaluate(source);
    expect(k.calls[1]).toEqual([0, '']);
    expect(g.info()).toMatchObject({ level: 0, levelName: 'full detail', reason: null });
    expect(g.stats()!.transitions.map((t) => [t.from, t.to, t.reason])).toEqual([
      [0, 1, 'kernel cost 1,500 ns/s over the budget of 1,000 ns/s in a window of 1,000 ms: counts only'],
      [1, 0, 'cost projected at level 0 200 ns/s under 500 ns/s (0.5 of the budget) for 2 windows'],
    ]);
    expect(k.switches).toBe(2);
  });

  it('while the source is changing level, a result carries the level in force with its own reason, then the new one', async () => {
    const clock = new TimerClock();
    const { k, source } = fakeKernel([10, 2]);
    const stats = source.stats!.bind(source);
    source.stats = () => ({ ...stats(), runStatsEnabled: true });
    let finish = (): void => undefined;
    source.setDegradation = (level) => new Promise<void>((resolve) => {
      finish = () => {
        k.level = level;
        resolve();
      };
    });
    const settings = validateGovernor({ enabled: true, windowMs: 1000 });
    const g = new FamilyGovernor({ family: 'fake', budgetNsPerSec: 1000, settings, programStats: true, clock, wallMs: () => clock.wallMs(), runStats: () => ({ close: () => undefined }), logger: silent });
    await g.evaluate(source);
    k.invocations += 100;
    k.runTimeNs += 1500;
    clock.advance(1000);
    const judging = g.evaluate(source);
    await Promise.resolve();
    // The source has not put level 1 in force yet: the result says level 0, no reason.
    expect(g.info()).toMatchObject({ level: 0, levelName: 'full detail', reason: null });
    finish();
    await judging;
    expect(g.info()).toMatchObject({ level: 1, levelName: 'counts only', reason: 'kernel cost 1,500 ns/s over the budget of 1,000 ns/s in a window of 1,000 ms: counts only' });
  });

  it('with programStats on, judges each window by its own run time and opens no calibration window', async () => {
    const clock = new TimerClock();
    const { k, source } = fakeKernel([10, 2]);
    const stats = source.stats!.bind(source);
    source.stats = () => ({ ...stats(), runStatsEnabled: true });
    const settings = validateGovernor({ enabled: true, windowMs: 1000 });
    const g = new FamilyGovernor({ family: 'fake', budgetNsPerSec: 1000, settings, programStats: true, clock, wallMs: () => clock.wallMs(), runStats: () => ({ close: () => undefined }), logger: silent });
    await g.evaluate(source);
    k.invocations += 100;
    k.runTimeNs += 900; // 9 ns per invocation, counted by the kernel all along
    clock.advance(1000);
    await g.evaluate(source);
    expect(g.stats()).toMatchObject({ level: 0, measuredNsPerSec: 900, calibrationWindows: 0, lastWindow: { basis: 'run-stats', invocations: 100 }, calibrations: [{ level: 0, nsPerInvocation: 9 }] });
    k.invocations += 100;
    k.runTimeNs += 1100;
    clock.advance(1000);
    await g.evaluate(source);
    expect(g.info()).toMatchObject({ level: 1, measuredNsPerSec: 1100 });
  });

  it('a source whose figures cannot be read when its calibration window ends: the window records nothing and nothing throws', async () => {
    const clock = new TimerClock();
    const { k, source, load, runStats } = fakeKernel([10]);
    const stats = source.stats!.bind(source);
    let broken = false;
    source.stats = () => {
      if (broken) throw new Error('closed');
      return stats();
    };
    const g = governor(clock, runStats);
    await g.evaluate(source);
    clock.advance(1000);
    await g.evaluate(source);
    load(100);
    broken = true;
    expect(() => clock.advance(500)).not.toThrow();
    expect(k.statsOn).toBe(0);
    broken = false;
    expect(g.stats()).toMatchObject({ calibrating: false, calibrations: [] });
  });

  it('judges nothing in windows shorter than windowMs', async () => {
    const clock = new TimerClock();
    const { source, load, runStats } = fakeKernel([10]);
    const g = governor(clock, runStats);
    await g.evaluate(source);
    load(5000);
    clock.advance(999);
    await g.evaluate(source);
    expect(g.stats()).toMatchObject({ windowsJudged: 0, calibrating: false, calibrationWindows: 0 });
  });

  it('says why it cannot measure when run-time statistics cannot be turned on', async () => {
    const clock = new TimerClock();
    const { k, source, load } = fakeKernel([10]);
    const g = governor(clock, () => {
      throw new Error('no CAP_SYS_ADMIN');
    });
    await g.evaluate(source);
    load(5000);
    clock.advance(1000);
    await g.evaluate(source);
    expect(g.stats()).toMatchObject({ level: 0, windowsJudged: 0, calibrating: false, unmeasured: 'kernel run-time statistics could not be turned on: no CAP_SYS_ADMIN' });
    expect(k.calls).toEqual([]);
  });

  it('does not govern a source without kernel counters (a fallback)', async () => {
    const clock = new TimerClock();
    const g = governor(clock, null);
    const procfs: Source = { kind: 'procfs', name: 'fake-procfs', init: async () => undefined, read: async () => null, close: async () => undefined };
    await g.evaluate(procfs);
    expect(g.info()).toBeNull();
    expect(g.stats()).toBeNull();
  });

  it('keeps the level when the source refuses the change', async () => {
    const clock = new TimerClock();
    const { source, load, runStats } = fakeKernel([10]);
    source.setDegradation = async () => {
      throw new Error('reload failed');
    };
    const g = governor(clock, runStats);
    await g.evaluate(source);
    clock.advance(1000);
    await g.evaluate(source);
    load(1000);
    clock.advance(1000);
    await g.evaluate(source);
    expect(g.stats()).toMatchObject({ level: 0, windowsJudged: 1, transitions: [] });
  });
});
