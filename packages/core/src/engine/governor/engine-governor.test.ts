// The governor through the engine: a plugin whose one source reports kernel counters that
// the test moves (run time counted only while the governor holds run-time statistics on,
// through the engine's object loader) and takes degradation levels; the engine's clock
// and the governor's timers are one TimerClock. Not a stand-in for a kernel reading: the
// figures only drive the governor's paths.
import { describe, expect, it } from 'vitest';
import { TimerClock } from '../../../../../test/timer-clock.js';
import { COLLECTOR, OBJECT_LOADER } from '../../tokens.js';
import { EMPTY_SOURCE_STATS } from '../../source-stats.js';
import type { Plugin, Source } from '../../types.js';
import { createEngine } from '../create-engine.js';

const silent = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

function governedPlugin(levels: string[]) {
  const k = { invocations: 0, runTimeNs: 0, statsOn: 0, level: 0 };
  const source: Source = {
    kind: 'ebpf',
    name: 'gov-ebpf',
    init: async () => undefined,
    read: async () => ({ level: k.level }),
    close: async () => undefined,
    stats: () => ({
      ...EMPTY_SOURCE_STATS,
      programs: [{ program: 'gov_prog', id: 1, runs: 0, runTimeNs: k.runTimeNs, nsPerRun: null, recursionMisses: 0 }],
      kernelCounters: [{ object: 'gov.bpf.o', map: 'gov_stats', invocations: k.invocations, eventsSent: 0, eventsDropped: 0, filterHits: 0, filterMisses: 0, ringBufferBytes: 0 }],
    }),
    degradationLevels: () => levels,
    setDegradation: async (level) => void (k.level = level),
  };
  const loader = { load: async () => ({ close: () => undefined }), stats: () => ({ hits: 0, misses: 0, loaded: 0 }), enableRunStats: () => (k.statsOn++, { close: () => void k.statsOn-- }) };
  const plugin: Plugin = {
    name: 'gov',
    version: '0.0.0',
    register(container) {
      container.register(OBJECT_LOADER, { useValue: loader });
      container.register(COLLECTOR, { useValue: { family: 'gov', sources: [source] } });
    },
  };
  /** `n` invocations at `ns` each (run time counted only while statistics are on). */
  const load = (n: number, ns: number): void => {
    k.invocations += n;
    if (k.statsOn > 0) k.runTimeNs += n * ns;
  };
  return { plugin, k, load };
}

describe('engine with the overhead governor', () => {
  it('puts the state in each result and in stats, lists an open calibration window as running, degrades and says so', async () => {
    const clock = new TimerClock(1_700_000_000_000);
    const { plugin, k, load } = governedPlugin(['counts only']);
    const engine = createEngine({
      plugins: [plugin],
      config: { cache: { enabled: false }, governor: { enabled: true, windowMs: 1000, calibrationMs: 500, families: { gov: { budgetNsPerSec: 1000 } } } },
      logger: silent,
      services: { clock, governorClock: clock },
    });
    const r0 = (await engine.collect()).get('gov');
    expect(r0?.governor).toMatchObject({ level: 0, levelName: 'full detail', budgetNsPerSec: 1000, measuredNsPerSec: null, reason: null });
    expect(engine.stats().running).toEqual([]);
    clock.advance(1000);
    await engine.collect(); // opens the first calibration window
    expect(engine.stats().running).toEqual([{ family: 'gov', what: 'governor calibration window: kernel run-time statistics on (BPF_ENABLE_STATS) for at most 500 ms, then off' }]);
    expect(k.statsOn).toBe(1);
    load(100, 20);
    clock.advance(500);
    expect(k.statsOn).toBe(0);
    expect(engine.stats().running).toEqual([]);
    clock.advance(500);
    await engine.collect(); // 100 invocations in 1000 ms × 20 ns = 2000 ns/s: over 1000
    const r = (await engine.collect()).get('gov');
    expect(r?.data).toEqual({ level: 1 });
    expect(r?.governor).toMatchObject({ level: 1, levelName: 'counts only', measuredNsPerSec: 2000, windowMs: 1000, reason: 'kernel cost 2,000 ns/s over the budget of 1,000 ns/s in a window of 1,000 ms: counts only' });
    expect((await engine.collect()).toJSON().families.gov?.governor).toMatchObject({ level: 1, levelName: 'counts only', reason: r?.governor?.reason });
    const stats = engine.stats().collectors[0]!.governor;
    expect(stats).toMatchObject({ level: 1, levels: ['counts only'], windowsJudged: 1, calibrationWindows: 1, calibrations: [{ level: 0, nsPerInvocation: 20, invocations: 100 }] });
    await engine.close();
  });

  it('a family that cannot degrade stays at full detail and says it is over budget', async () => {
    const clock = new TimerClock();
    const { plugin, load } = governedPlugin([]);
    const engine = createEngine({ plugins: [plugin], config: { cache: { enabled: false }, governor: { enabled: true, windowMs: 1000, calibrationMs: 500, budgetNsPerSec: 1000 } }, logger: silent, services: { clock, governorClock: clock } });
    await engine.collect();
    clock.advance(1000);
    await engine.collect();
    load(100, 20);
    clock.advance(1000);
    await engine.collect();
    const r = (await engine.collect()).get('gov');
    expect(r?.governor).toMatchObject({ level: 0, reason: null, overBudget: 'kernel cost 2,000 ns/s over the budget of 1,000 ns/s in a window of 1,000 ms: gov has no level of detail to shed' });
    expect(engine.stats().collectors[0]!.governor).toMatchObject({ levels: [], overBudgetAtLastLevel: true });
    await engine.close();
  });

  it('is on by default, with the default budget of 2,000,000 ns/s per family', async () => {
    const clock = new TimerClock();
    const { plugin } = governedPlugin(['counts only']);
    const engine = createEngine({ plugins: [plugin], config: { cache: { enabled: false } }, logger: silent, services: { clock, governorClock: clock } });
    expect((await engine.collect()).get('gov')?.governor).toMatchObject({ level: 0, levelName: 'full detail', budgetNsPerSec: 2_000_000 });
    expect(engine.stats().collectors[0]!.governor).toMatchObject({ level: 0, levels: ['counts only'] });
    await engine.close();
  });

  it('is off with enabled: false: no governor in results or stats, nothing running', async () => {
    const clock = new TimerClock();
    const { plugin, k } = governedPlugin(['counts only']);
    const engine = createEngine({ plugins: [plugin], config: { cache: { enabled: false }, governor: { enabled: false } }, logger: silent, services: { clock, governorClock: clock } });
    for (let i = 0; i < 3; i++) {
      const r = (await engine.collect()).get('gov');
      expect(r?.governor).toBeUndefined();
      clock.advance(1000);
    }
    expect(engine.stats().collectors[0]!.governor).toBeNull();
    expect(engine.stats().running).toEqual([]);
    expect(k.statsOn).toBe(0);
    await engine.close();
  });
});
