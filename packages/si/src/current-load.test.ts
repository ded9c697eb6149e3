import { describe, expect, it } from 'vitest';
import type { CpuMetrics, CpuTimeRecord } from '@bpfscope/plugin-cpu';
import { toCurrentLoad } from './current-load.js';

const rec = (o: Partial<CpuTimeRecord>): CpuTimeRecord => ({
  user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0, busy: null, busyPercent: null, contextSwitches: null, ...o,
});

function reading(total: Partial<CpuTimeRecord>, perCpu: Partial<CpuTimeRecord>[], load1 = 1): CpuMetrics {
  return {
    countersSince: '2026-01-01T00:00:00.000Z', intervalMs: null, total: rec(total),
    perCpu: perCpu.map((c, cpu) => ({ ...rec(c), cpu })), unmeasuredCpus: [], runQueueLatency: null, runQueueLatencySince: null,
    loadAverage: { load1, load5: 0.5, load15: 0.25, runnable: 1, total: 100 }, pressure: null, fieldSources: {}, unavailable: {},
  };
}

describe('toCurrentLoad', () => {
  it('shares of the interval since the previous call, raw values in ms, irq = irq + softirq, guest null', () => {
    const a = toCurrentLoad(reading({ user: 10, system: 5, idle: 85 }, [{ user: 10, system: 5, idle: 35 }, { idle: 50 }]), 1000, null);
    const b = toCurrentLoad(reading({ user: 11, system: 5.5, idle: 86, irq: 0.25, softirq: 0.25, nice: 0.5, steal: 0.5 }, [{ user: 11, system: 5.5, idle: 35, irq: 0.25, softirq: 0.25 }, { idle: 51, nice: 0.5, steal: 0.5 }], 3), 2000, a);
    // Interval: user 1 s, system 0.5, idle 1, irq 0.5, nice 0.5, steal 0.5 → 4 s in all.
    expect(b.result).toMatchObject({
      currentLoad: 75, currentLoadUser: 25, currentLoadSystem: 12.5, currentLoadIdle: 25, currentLoadIrq: 12.5, currentLoadNice: 12.5, currentLoadSteal: 12.5,
      rawCurrentLoad: 3000, rawCurrentLoadUser: 1000, rawCurrentLoadIdle: 1000, currentLoadGuest: null, rawCurrentLoadGuest: null, avgLoad: 1.5,
    });
    expect(b.result.cpus.map((c) => c.load)).toEqual([100, 50]);
    expect(b.result.cpus[1]).toMatchObject({ loadIdle: 50, loadNice: 25, loadSteal: 25, rawLoadIdle: 1000, loadGuest: null });
    // The first call counts from the counters' origin.
    expect(a.result.currentLoad).toBe(15);
  });

  it('answers the previous result for the same reading, and keeps steal null when the source does not measure it', () => {
    const a = toCurrentLoad(reading({ user: 1, idle: 1, steal: null }, [{ user: 1, idle: 1, steal: null }]), 1000, null);
    expect(toCurrentLoad(reading({ user: 9, idle: 9 }, []), 1000, a)).toBe(a);
    expect([a.result.currentLoadSteal, a.result.rawCurrentLoadSteal, a.result.cpus[0]?.loadSteal]).toEqual([null, null, null]);
    expect(a.result.currentLoad).toBe(50);
  });

  it('a counter that went backwards (a CPU that came back) counts 0, not a negative share', () => {
    const a = toCurrentLoad(reading({ user: 5, idle: 5 }, [{ user: 5, idle: 5 }]), 1000, null);
    const b = toCurrentLoad(reading({ user: 1, idle: 7 }, [{ user: 1, idle: 7 }]), 2000, a);
    expect(b.result).toMatchObject({ currentLoad: 0, currentLoadIdle: 100, rawCurrentLoadUser: 0 });
  });
});
