// The governor judges a family whose event stream is open though nothing reads it: a timer
// every windowMs, listed in `running`, that stops when the stream closes. A source whose
// kernel counters the test moves and a TimerClock; the figures only drive the governor's paths.
import { describe, expect, it } from 'vitest';
import { TimerClock } from '../../../../../test/timer-clock.js';
import { EMPTY_SOURCE_STATS } from '../../source-stats.js';
import type { Source } from '../../types.js';
import { validateConfig } from '../../config/validate-config.js';
import { Governors } from './governors.js';

const silent = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

function governed() {
  const k = { invocations: 0, runTimeNs: 0, statsOn: 0, level: 0, evaluations: 0 };
  const source: Source = {
    kind: 'ebpf',
    name: 'gov-ebpf',
    init: async () => undefined,
    read: async () => ({}),
    close: async () => undefined,
    stats: () => {
      k.evaluations++;
      return {
        ...EMPTY_SOURCE_STATS,
        programs: [{ program: 'gov_prog', id: 1, runs: 0, runTimeNs: k.runTimeNs, nsPerRun: null, recursionMisses: 0 }],
        kernelCounters: [{ object: 'gov.bpf.o', map: 'gov_stats', invocations: k.invocations, eventsSent: 0, eventsDropped: 0, filterHits: 0, filterMisses: 0, ringBufferBytes: 0 }],
      };
    },
    degradationLevels: () => ['sampled events'],
    setDegradation: async (level) => void (k.level = level),
  };
  const load = (n: number, ns: number): void => {
    k.invocations += n;
    if (k.statsOn > 0) k.runTimeNs += n * ns;
  };
  return { source, k, load };
}

/** Lets the evaluations the timers started finish. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('Governors: judging while an event stream is open', () => {
  it('judges on a timer with no read, degrades, is listed as running, and stops when the stream closes', async () => {
    const clock = new TimerClock();
    const { source, k, load } = governed();
    const settings = validateConfig({ governor: { windowMs: 1000, calibrationMs: 500, budgetNsPerSec: 1000 } }).governor;
    const g = new Governors({ settings, programStats: false, logger: silent, wallMs: () => clock.wallMs(), runStats: () => () => (k.statsOn++, { close: () => void k.statsOn-- }), clock });
    let open = true;
    g.watchConsumers('gov', () => (open ? { source, reattach: async () => undefined } : null));
    g.watchConsumers('gov', () => null); // a second stream of the family: one watch
    expect(g.running()).toEqual([]); // listed from the tick that finds the stream open
    clock.advance(1000); // the first tick takes the baseline
    await settle();
    expect(g.running()).toEqual([{ family: 'gov', what: 'governor: judges the kernel cost every 1000 ms while an event stream is open (an unref\'ed timer)' }]);
    clock.advance(1000); // the second opens a calibration window
    await settle();
    expect(k.statsOn).toBe(1);
    load(100, 20);
    clock.advance(1000); // calibration ends (500 ms), then a window of 2,000 ns/s is judged: over 1,000
    await settle();
    expect(k.level).toBe(1);
    expect(g.stats('gov')).toMatchObject({ level: 1, windowsJudged: 1, calibrations: [{ level: 0, nsPerInvocation: 20 }] });
    open = false;
    clock.advance(1000);
    await settle();
    expect(g.running()).toEqual([]);
    const after = k.evaluations;
    clock.advance(5000);
    await settle();
    expect(k.evaluations).toBe(after); // nothing runs any more
    g.close();
  });

  it('stops after three ticks when no stream ever opened, and watches nothing for an ungoverned family', async () => {
    const clock = new TimerClock();
    const { source, k } = governed();
    const on = validateConfig({}).governor;
    const g = new Governors({ settings: on, programStats: false, logger: silent, wallMs: () => clock.wallMs(), runStats: () => null, clock });
    g.watchConsumers('gov', () => null);
    const tick = on.windowMs;
    clock.advance(2 * tick);
    expect(clock.armed).toBe(1); // still waiting for a stream, not listed: nothing is judged
    expect(g.running()).toEqual([]);
    clock.advance(tick);
    expect(clock.armed).toBe(0);
    const off = new Governors({ settings: validateConfig({ governor: { enabled: false } }).governor, programStats: false, logger: silent, wallMs: () => clock.wallMs(), runStats: () => null, clock });
    off.watchConsumers('gov', () => ({ source, reattach: async () => undefined }));
    expect(off.running()).toEqual([]);
    clock.advance(5 * tick);
    await settle();
    expect(k.evaluations).toBe(0);
  });
});
