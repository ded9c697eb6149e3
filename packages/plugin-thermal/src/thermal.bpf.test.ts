// The thermal programs loaded and attached to the real kernel. This machine registers no
// thermal zone and no cooling device (checked below from the real /sys/class/thermal,
// which lists every zone and cooling device the thermal core has registered). The three
// tracepoints are called only on registered ones: thermal_temperature when the core updates
// a zone (update_temperature), thermal_zone_trip when a zone crosses a trip, cdev_update
// when it sets a cooling device's state (thermal_cdev_update). With none registered, no call site can run, so the programs'
// invocations are exactly 0: an assertion that any single run would break. The sysfs side
// reads a fixture tree (sysRoot), so the source initialises as on a machine with sensors.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createEngine } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { sysRootOf } from '../test/fixture-trees.js';
import { thermal } from './plugin.js';
import type { ThermalEvent } from './records-events.js';

const registered = (): string[] => readdirSync('/sys/class/thermal').filter((n) => /^(thermal_zone|cooling_device)\d+$/.test(n));

describeKernel('thermal eBPF programs on a kernel without thermal zones', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-thermal-bpf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(sysRootOf('intel-thinkpad-t480'), join(dir, 'sys'), { recursive: true });

  it('attach for real (one kernel link per program) and count exactly nothing, as no zone exists', async () => {
    expect(registered(), 'this test needs a machine without thermal zones or cooling devices: with one, the kernel may read it at any time').toEqual([]);
    const engine = createEngine({ plugins: [thermal()], config: { mode: 'ebpf', sysRoot: join(dir, 'sys'), programStats: true, logLevel: 'silent', cache: { enabled: false }, operationTimeoutMs: 60_000 } });
    try {
      await engine.start();
      const first = await engine.collect();
      const second = await engine.collect();
      expect(first.errors).toEqual([]);
      const r = second.get('thermal');
      expect(r?.source).toBe('ebpf');
      const stats = engine.stats().collectors.find((c) => c.family === 'thermal')?.sourceStats;
      const programs = stats?.programs ?? [];
      expect(programs.map((p) => p.program).sort()).toEqual(['thermal_cdev', 'thermal_temp', 'thermal_trip']);
      // The kernel's own list of links: each program has exactly one, a raw tracepoint link
      // (what a tp_btf attach makes) on its tracepoint.
      const links = JSON.parse(execFileSync('bpftool', ['link', 'show', '-j'], { encoding: 'utf8' })) as { prog_id: number; type: string; tp_name?: string }[];
      const tracepoint = { thermal_temp: 'thermal_temperature', thermal_trip: 'thermal_zone_trip', thermal_cdev: 'cdev_update' } as Record<string, string>;
      for (const p of programs) {
        const mine = links.filter((l) => l.prog_id === p.id);
        expect(mine.map((l) => [l.type, l.tp_name]), p.program).toEqual([['raw_tracepoint', tracepoint[p.program]]]);
      }
      expect(programs.map((p) => p.runs)).toEqual([0, 0, 0]);
      expect(r?.data.kernel).toEqual({ invocations: 0, events: 0, drops: 0 });
      expect(r?.data.errors).toEqual({});
      // The fixture's zones are not this kernel's: the kernel took no reading of any zone.
      expect(r?.data.zones.map((z) => [z.id, z.kernel])).toEqual([
        [0, { readings: 0, tripCrossings: 0, minCelsius: null, maxCelsius: null }],
        [1, { readings: 0, tripCrossings: 0, minCelsius: null, maxCelsius: null }],
      ]);
      expect(r?.data.cooling.map((c) => c.kernelUpdates)).toEqual([0, 0, 0, 0, 0, 0]);
      expect(r?.data.fieldSources).toEqual({ zones: 'sysfs', cooling: 'sysfs', sensors: 'sysfs', cpus: 'sysfs', packages: 'sysfs' });
      expect(r?.data.unavailable).toEqual({});
      expect(r?.data.cpus.map((c) => c.temperatureCelsius)).toEqual([49, 50, 51, 52]);
      // The same zeros as metric points, marked as the kernel's.
      const points = engine.metricPoints(second).series;
      const kernelPoints = (name: string) => points.find((x) => x.descriptor.name === name)?.points.map((p) => [p.attributes['bpfscope.source'], p.attributes['hw.id'] ?? null, 'value' in p ? p.value : null]);
      expect(kernelPoints('bpfscope.thermal.kernel.invocations')).toEqual([['ebpf', null, 0]]);
      expect(kernelPoints('bpfscope.thermal.zone.kernel.readings')).toEqual([['ebpf', 'thermal_zone0', 0], ['ebpf', 'thermal_zone1', 0]]);
      expect(kernelPoints('bpfscope.thermal.zone.kernel.max')).toBeUndefined();
      const ids = new Set(programs.map((p) => p.id));
      await engine.close();
      // Closing the engine destroyed the links.
      const left = JSON.parse(execFileSync('bpftool', ['link', 'show', '-j'], { encoding: 'utf8' })) as { prog_id: number }[];
      expect(left.filter((l) => ids.has(l.prog_id))).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('sends alert events through the eBPF source too, and its trip stream is subscribed (ready)', async () => {
    const engine = createEngine({ plugins: [thermal()], config: { mode: 'ebpf', sysRoot: join(dir, 'sys'), logLevel: 'silent', cache: { enabled: false }, operationTimeoutMs: 60_000 } });
    const controller = new AbortController();
    try {
      await engine.start();
      const stream = engine.events('thermal', { signal: controller.signal });
      await stream.ready;
      writeFileSync(join(dir, 'sys/class/thermal/thermal_zone0/temp'), '95000\n');
      const snap = await engine.collect();
      expect(snap.get('thermal')?.data.zones[0]?.level).toBe('critical');
      const events: ThermalEvent[] = [];
      for await (const e of stream) {
        events.push(e);
        break;
      }
      expect(events).toEqual([{ type: 'alert', sensor: 'thermal_zone0', name: 'acpitz', previous: 'normal', level: 'critical', temperatureCelsius: 95, timeMs: expect.any(Number), source: 'sysfs' }]);
      expect(stream.counts()).toMatchObject({ delivered: 1, droppedQueue: 0, droppedKernel: 0 });
    } finally {
      controller.abort();
      await engine.close();
    }
  });
});
