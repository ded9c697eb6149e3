// The whole family through an engine over fixture trees (sysRoot pointed at them), in mode
// fallback: exact readings, alert events from level changes between reads, and the family
// unavailable (with what it looked for) on a machine without sensors.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, DataUnavailable, type Engine } from '@bpfscope/core';
import { sysRootOf } from '../test/fixture-trees.js';
import { thermal } from './plugin.js';
import type { ThermalEvent } from './records-events.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };
const engineOver = (sysRoot: string, mode: 'fallback' | 'auto' = 'fallback'): Engine =>
  createEngine({ plugins: [thermal()], config: { mode, sysRoot, cache: { enabled: false } }, logger: silent });

describe('thermal family over fixture trees (mode fallback)', () => {
  it('the Intel laptop: sysfs source, everything read, trip crossings said to be unavailable', async () => {
    const engine = engineOver(sysRootOf('intel-thinkpad-t480'));
    const snap = await engine.collect();
    await engine.close();
    const r = snap.get('thermal');
    expect(snap.errors).toEqual([]);
    expect(r?.source).toBe('sysfs');
    expect(r?.data.zones.map((z) => [z.type, z.temperatureCelsius])).toEqual([['acpitz', 48], ['x86_pkg_temp', 52]]);
    expect(r?.data.cpus.map((c) => c.temperatureCelsius)).toEqual([49, 50, 51, 52]);
    expect(r?.data.sensors).toHaveLength(9);
    expect(r?.data.cooling).toHaveLength(6);
    expect(r?.data.kernel).toBeNull();
    expect(Object.keys(r?.data.unavailable ?? {}).sort()).toEqual(['kernel', 'tripCrossings']);
    expect(r?.data.unavailable.tripCrossings).toMatch(/need the eBPF source/);
  });

  it('a machine without zones or hwmon: the family is unavailable, naming what it looked for, never zeros', async () => {
    const engine = engineOver(sysRootOf('no-sensors'), 'auto');
    const snap = await engine.collect();
    await engine.close();
    expect(snap.get('thermal')).toBeUndefined();
    const err = snap.errors.find((e) => e.family === 'thermal')?.error;
    expect(err).toBeInstanceOf(DataUnavailable);
    expect((err as DataUnavailable).reason).toMatch(/no temperature sensor: no thermal_zone\* below .*no-sensors\/sys\/class\/thermal; .*class\/hwmon does not exist/);
  });
});

describe('thermal alerts through engine.events (mode fallback)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-thermal-alerts-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(sysRootOf('intel-thinkpad-t480'), join(dir, 'sys'), { recursive: true });
  const core0 = join(dir, 'sys/class/hwmon/hwmon2/temp2_input');

  it('sends one event per level change, none for a reading inside the hysteresis band', async () => {
    const engine = engineOver(join(dir, 'sys'));
    const controller = new AbortController();
    const stream = engine.events('thermal', { signal: controller.signal });
    await stream.ready;
    const levels: string[] = [];
    // Core 0: 49 (fixture) → 91 critical → 88 (still critical: 90 − 3 hysteresis = 87) → 86.5 warning → 73 (still warning) → 71.9 normal.
    for (const milli of [null, 91000, 88000, 86500, 73000, 71900]) {
      if (milli !== null) writeFileSync(core0, `${milli}\n`);
      const snap = await engine.collect();
      levels.push(snap.get('thermal')?.data.sensors.find((s) => s.id === 'hwmon2/temp2')?.level ?? 'missing');
    }
    expect(levels).toEqual(['normal', 'critical', 'critical', 'warning', 'warning', 'normal']);
    const events: ThermalEvent[] = [];
    for await (const e of stream) {
      events.push(e);
      if (events.length === 3) break;
    }
    expect(events.map((e) => (e.type === 'alert' ? [e.sensor, e.name, e.previous, e.level, e.temperatureCelsius, e.source] : e))).toEqual([
      ['hwmon2/temp2', 'Core 0', 'normal', 'critical', 91, 'sysfs'],
      ['hwmon2/temp2', 'Core 0', 'critical', 'warning', 86.5, 'sysfs'],
      ['hwmon2/temp2', 'Core 0', 'warning', 'normal', 71.9, 'sysfs'],
    ]);
    expect(stream.counts()).toMatchObject({ delivered: 3, droppedQueue: 0, queued: 0 });
    controller.abort();
    await engine.close();
  });
});
