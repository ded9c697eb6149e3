// The cpu mapper over real procfs readings: the family read from two captures of one machine
// (the procfs source through the engine, a clock moved by hand), then engine.metricPoints().
// Every point is checked against the record it came from, and a few against the captures' numbers.
import { describe, expect, it } from 'vitest';
import { createEngine, type MetricPoints, type MetricSeries, type NumberPoint } from '@bpfscope/core';
import { FixtureReader, ManualClock, withServices } from '../../../test/fixture-services.js';
import { fixture } from '../test/fixture-helpers.js';
import { cpuMetricMapper } from './metrics.js';
import { cpu } from './plugin.js';
import type { CpuMetrics, CpuTimeRecord } from './records.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };
const NOWHERE = { procRoot: '/nonexistent-bpfscope-proc', sysRoot: '/nonexistent-bpfscope-sys' };
const BOOT_MS = 1795453397 * 1000; // btime of both captures
const round2 = (v: number): number => Math.round(v * 100) / 100;

/** Read the family once (first capture) or twice (second capture after 19 s), and its metric points. */
async function points(readings: 1 | 2, families: Record<string, Record<string, unknown>> = {}): Promise<{ data: CpuMetrics; view: MetricPoints }> {
  const reader = new FixtureReader(fixture('vm-6.18-2cpu/proc'), NOWHERE.sysRoot);
  const clock = new ManualClock(7_000_000_000n, 1_795_460_000_000);
  const engine = createEngine({ plugins: [withServices(cpu(), { procfs: reader, clock })], config: { mode: 'fallback', ...NOWHERE, cache: { enabled: false }, families }, logger: silent });
  try {
    await engine.start();
    if (readings === 2) {
      await engine.collect();
      reader.use(fixture('vm-6.18-2cpu-loaded/proc'));
      clock.advance(19_000);
    }
    const snap = await engine.collect();
    const r = snap.get('cpu');
    if (!r) throw new Error(`no cpu family: ${snap.errors.map((e) => e.error.message).join('; ')}`);
    return { data: r.data, view: engine.metricPoints(snap) };
  } finally {
    await engine.close();
  }
}

function series(view: MetricPoints, name: string): MetricSeries | undefined {
  return view.series.find((s) => s.descriptor.name === name);
}

function numbers(view: MetricPoints, name: string): readonly NumberPoint[] {
  const s = series(view, name);
  if (!s || s.descriptor.kind === 'histogram') throw new Error(`no number series ${name}`);
  return s.points as readonly NumberPoint[];
}

const MODES = [['user', 'user'], ['nice', 'nice'], ['system', 'system'], ['idle', 'idle'], ['iowait', 'iowait'], ['irq', 'interrupt'], ['softirq', 'softirq'], ['steal', 'steal']] as const;

describe('cpuMetricMapper over the procfs source', () => {
  it('second reading: system.cpu.time per CPU and mode, utilization, load, pressure, context switches — the records’ values exactly', async () => {
    const { data, view } = await points(2);
    expect(view.mapErrors).toEqual([]);
    expect(view.unmapped).toEqual([]);
    const time = series(view, 'system.cpu.time');
    expect(time?.descriptor).toMatchObject({ kind: 'counter', unit: 's', family: 'cpu' });
    expect(time?.startTimeMs).toBe(BOOT_MS);
    const expected = MODES.flatMap(([field, mode]) => data.perCpu.map((c) => ({
      attributes: { 'cpu.logical_number': c.cpu, 'cpu.mode': mode, 'bpfscope.source': 'procfs' },
      value: c[field as keyof CpuTimeRecord],
    })));
    expect(time?.points).toEqual(expected);
    expect(expected).toHaveLength(16);
    // cpu0 of the loaded capture: 4623 0 894 58370 11 0 13 6 ticks at USER_HZ 100.
    expect(numbers(view, 'system.cpu.time').filter((p) => p.attributes['cpu.logical_number'] === 0).map((p) => p.value)).toEqual([46.23, 0, 8.94, 583.7, 0.11, 0, 0.13, 0.06]);
    expect(numbers(view, 'bpfscope.cpu.busy.time')).toEqual(data.perCpu.map((c) => ({ attributes: { 'cpu.logical_number': c.cpu, 'bpfscope.source': 'procfs' }, value: c.busy })));
    const util = series(view, 'system.cpu.utilization');
    expect(util).toMatchObject({ descriptor: { kind: 'gauge', unit: '1' }, startTimeMs: null });
    expect(util?.points).toEqual(data.perCpu.map((c) => ({ attributes: { 'cpu.logical_number': c.cpu, 'bpfscope.source': 'procfs' }, value: c.busyPercent! / 100 })));
    // Busy and idle ticks between the captures: cpu0 3917 and 34387, cpu1 5072 and 33268 (percent to 2 decimals).
    expect(util?.points.map((p) => (p as NumberPoint).value)).toEqual([round2((3917 / (3917 + 34387)) * 100) / 100, round2((5072 / (5072 + 33268)) * 100) / 100]);
    // Context switches: procfs has only the total (ctxt), so one point without a CPU number.
    expect(numbers(view, 'bpfscope.cpu.context_switches')).toEqual([{ attributes: { 'bpfscope.source': 'procfs' }, value: 545512 }]);
    expect(series(view, 'bpfscope.cpu.context_switches')?.startTimeMs).toBe(BOOT_MS);
    // /proc/loadavg: 1.13 0.39 0.18 4/89.
    const load = { 'bpfscope.source': 'procfs' };
    expect(['1m', '5m', '15m'].map((w) => numbers(view, `system.cpu.load_average.${w}`))).toEqual([[{ attributes: load, value: 1.13 }], [{ attributes: load, value: 0.39 }], [{ attributes: load, value: 0.18 }]]);
    expect(numbers(view, 'bpfscope.cpu.runnable')).toEqual([{ attributes: load, value: 4 }]);
    expect(numbers(view, 'bpfscope.cpu.scheduling_entities')).toEqual([{ attributes: load, value: 89 }]);
    // /proc/pressure/cpu: some avg10=42.67 avg60=16.06 avg300=4.75 total=21056359; full all zero.
    const some = { 'bpfscope.pressure.scope': 'some', 'bpfscope.source': 'procfs' };
    const full = { 'bpfscope.pressure.scope': 'full', 'bpfscope.source': 'procfs' };
    expect(numbers(view, 'bpfscope.cpu.pressure')).toEqual([
      { attributes: { ...some, 'bpfscope.pressure.window': '10s' }, value: 42.67 / 100 },
      { attributes: { ...some, 'bpfscope.pressure.window': '60s' }, value: 16.06 / 100 },
      { attributes: { ...some, 'bpfscope.pressure.window': '300s' }, value: 4.75 / 100 },
      { attributes: { ...full, 'bpfscope.pressure.window': '10s' }, value: 0 },
      { attributes: { ...full, 'bpfscope.pressure.window': '60s' }, value: 0 },
      { attributes: { ...full, 'bpfscope.pressure.window': '300s' }, value: 0 },
    ]);
    expect(numbers(view, 'bpfscope.cpu.pressure.stall_time')).toEqual([{ attributes: some, value: 21.056359 }, { attributes: full, value: 0 }]);
    expect(data.bootTime).toBe(new Date(BOOT_MS).toISOString());
    expect(series(view, 'bpfscope.cpu.pressure.stall_time')?.startTimeMs).toBe(BOOT_MS);
    // procfs has no run-queue latency: no histogram series.
    expect(data.runQueueLatency).toBeNull();
    expect(series(view, 'bpfscope.cpu.runqueue.latency')).toBeUndefined();
    // Every name written is declared, with the kind it was written as.
    for (const s of view.series.filter((x) => x.descriptor.family === 'cpu')) expect(cpuMetricMapper.descriptors).toContain(s.descriptor);
  });

  it('first reading: no busy share yet, so no utilization points; the counters are there', async () => {
    const { data, view } = await points(1);
    expect(data.total.busyPercent).toBeNull();
    expect(series(view, 'system.cpu.utilization')).toBeUndefined();
    expect(numbers(view, 'system.cpu.time')).toHaveLength(16);
    expect(view.mapErrors).toEqual([]);
  });

  it('perCpu and pressure off: one point per mode for all CPUs together, no pressure series', async () => {
    const { data, view } = await points(2, { cpu: { perCpu: false, pressure: false } });
    expect(data.perCpu).toEqual([]);
    expect(numbers(view, 'system.cpu.time')).toEqual(MODES.map(([field, mode]) => ({ attributes: { 'cpu.mode': mode, 'bpfscope.source': 'procfs' }, value: data.total[field] })));
    expect(numbers(view, 'system.cpu.time').find((p) => p.attributes['cpu.mode'] === 'user')?.value).toBe(109.08);
    expect(numbers(view, 'system.cpu.utilization')).toEqual([{ attributes: { 'bpfscope.source': 'procfs' }, value: 0.1173 }]);
    expect(series(view, 'bpfscope.cpu.pressure')).toBeUndefined();
    expect(series(view, 'bpfscope.cpu.pressure.stall_time')).toBeUndefined();
    expect(view.mapErrors).toEqual([]);
  });
});
