// The cpu family reads procfs only through the engine's PROCFS_READER and time only through
// its CLOCK: the test registers a reader over two captures of one machine (switched between
// the readings) and a clock it moves by hand in the plugin's container, points the
// configured roots at nothing, and gets exactly the captures' numbers and the clock's interval.
// Also the family's options (optionSchemas): validated by the engine, honoured by the sources.
import { describe, expect, it } from 'vitest';
import { ConfigError, createEngine, type Plugin } from '@bpfscope/core';
import { FixtureReader, ManualClock, withServices } from '../../../test/fixture-services.js';
import { fixture } from '../test/fixture-helpers.js';
import { cpu } from './plugin.js';
import type { CpuMetrics } from './records.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };
const NOWHERE = { procRoot: '/nonexistent-bpfscope-proc', sysRoot: '/nonexistent-bpfscope-sys' };
const round2 = (v: number): number => Math.round(v * 100) / 100;

/** Start the family on the first capture, move the clock by `ms`, read the second. */
async function twoCaptures(plugin: Plugin, ms: number, families: Record<string, Record<string, unknown>> = {}): Promise<{ data: CpuMetrics; reader: FixtureReader }> {
  const reader = new FixtureReader(fixture('vm-6.18-2cpu/proc'), NOWHERE.sysRoot);
  const clock = new ManualClock(7_000_000_000n, 1_795_460_000_000);
  const engine = createEngine({ plugins: [withServices(plugin, { procfs: reader, clock })], config: { mode: 'fallback', ...NOWHERE, cache: { enabled: false }, families }, logger: silent });
  try {
    await engine.start();
    reader.use(fixture('vm-6.18-2cpu-loaded/proc'));
    clock.advance(ms);
    const snap = await engine.collect();
    const r = snap.get('cpu');
    if (!r) throw new Error(`no cpu family: ${snap.errors.map((e) => e.error.message).join('; ')}`);
    expect(r.source).toBe('procfs');
    return { data: r.data, reader };
  } finally {
    await engine.close();
  }
}

describe('cpu family through the container’s procfs reader and clock', () => {
  it('the two captures give exact times, busy shares, load and pressure; the interval is the clock’s', async () => {
    const { data, reader } = await twoCaptures(cpu(), 19_000);
    expect(data.intervalMs).toBe(19_000);
    expect(data.countersSince).toBe(new Date(1795453397 * 1000).toISOString()); // btime of both captures
    // Second capture, USER_HZ 100 (self/auxv): cpu  10908 0 2292 114227 359 0 50 12 0 0, ctxt 545512.
    // Busy = user+nice+system+irq+softirq+steal: 4274 ticks then 13262; idle+iowait: 46932 then 114586.
    expect(data.total).toEqual({
      user: 109.08, nice: 0, system: 22.92, idle: 1142.27, iowait: 3.59, irq: 0, softirq: 0.5, steal: 0.12,
      busy: 132.62, busyPercent: round2((8988 / (8988 + 67654)) * 100), contextSwitches: 545512,
    });
    expect(data.total.busyPercent).toBe(11.73);
    // cpu0: busy 1619 → 5536, idle 23994 → 58381; cpu1: busy 2652 → 7724, idle 22936 → 56204.
    expect(data.perCpu.map((c) => [c.cpu, c.busyPercent])).toEqual([
      [0, round2((3917 / (3917 + 34387)) * 100)],
      [1, round2((5072 / (5072 + 33268)) * 100)],
    ]);
    expect(data.loadAverage).toEqual({ load1: 1.13, load5: 0.39, load15: 0.18, runnable: 4, total: 89 });
    expect(data.pressure).toEqual({ some: { avg10: 42.67, avg60: 16.06, avg300: 4.75, totalUs: 21056359 }, full: { avg10: 0, avg60: 0, avg300: 0, totalUs: 0 } });
    expect(data.unavailable).toEqual({
      runQueueLatency: expect.stringMatching(/eBPF/),
      contextSwitches: 'procfs counts context switches only for all CPUs together (ctxt)',
    });
    // Every file came through the reader (the configured roots do not exist).
    expect(reader.calls).toEqual(['proc stat', 'constants', 'proc stat', 'constants', 'proc loadavg', 'proc pressure/cpu']);
  });

  it('families.cpu.perCpu and .pressure false: no per-CPU records and no pressure read, each with the reason', async () => {
    const { data, reader } = await twoCaptures(cpu(), 1_500, { cpu: { perCpu: false, pressure: false } });
    expect(data.intervalMs).toBe(1_500);
    expect(data.perCpu).toEqual([]);
    expect(data.pressure).toBeNull();
    expect(data.unavailable.perCpu).toBe('not read: families.cpu.perCpu is false');
    expect(data.unavailable.pressure).toBe('not read: families.cpu.pressure is false');
    expect(data.total.busyPercent).toBe(11.73);
    expect(reader.calls).not.toContain('proc pressure/cpu');
  });

  it('the config overrides the factory: cpu({ pressure: false }) with families.cpu.pressure true reads pressure', async () => {
    const off = await twoCaptures(cpu({ pressure: false }), 1_000);
    expect(off.data.pressure).toBeNull();
    const on = await twoCaptures(cpu({ pressure: false }), 1_000, { cpu: { pressure: true } });
    expect(on.data.pressure?.some.totalUs).toBe(21056359);
  });
});

describe('cpu options', () => {
  const configError = (fn: () => unknown): ConfigError => {
    try {
      fn();
    } catch (e) {
      if (e instanceof ConfigError) return e;
      throw e;
    }
    throw new Error('no ConfigError');
  };

  it('an invalid or unknown families.cpu option is a ConfigError naming its path', () => {
    for (const [cpuConfig, path, allowed] of [
      [{ perCpu: 'no' }, 'families.cpu.perCpu', 'true or false'],
      [{ pressure: 1 }, 'families.cpu.pressure', 'true or false'],
      [{ percpu: false }, 'families.cpu.percpu', 'one of the options of the cpu family (mode, enabled, initTimeoutMs, readTimeoutMs, cache, perCpu, pressure)'],
    ] as const) {
      const e = configError(() => createEngine({ plugins: [cpu()], config: { families: { cpu: cpuConfig } }, logger: silent }));
      expect(e.path).toBe(path);
      expect(e.message).toContain(allowed);
    }
  });

  it('a factory option of the wrong type is a ConfigError at the call', () => {
    expect(configError(() => cpu({ perCpu: 'yes' as never })).path).toBe('cpu.perCpu');
    expect(configError(() => cpu({ objectPath: '' })).path).toBe('cpu.objectPath');
  });
});
