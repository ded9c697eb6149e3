import { createEngine, SOURCE_ATTRIBUTE } from '@bpfscope/core';
import { describe, expect, it } from 'vitest';
import { sysRootOf } from '../test/fixture-trees.js';
import { thermal } from './plugin.js';

describe('thermal metric points', () => {
  it('hw.temperature per zone and channel, the limits, the levels and the cooling states (Intel laptop fixture, sysfs)', async () => {
    const engine = createEngine({ plugins: [thermal()], config: { mode: 'fallback', sysRoot: sysRootOf('intel-thinkpad-t480'), logLevel: 'silent' } });
    const points = engine.metricPoints(await engine.collect());
    await engine.close();
    const series = new Map(points.series.map((s) => [s.descriptor.name, s]));
    const values = (name: string): [string, number][] =>
      (series.get(name)?.points ?? []).map((p) => [`${p.attributes['hw.id']}${p.attributes['hw.limit_type'] ? ` ${p.attributes['hw.limit_type']}` : ''}`, 'value' in p ? p.value : NaN]);
    expect(values('hw.temperature')).toEqual([
      ['thermal_zone0', 48], ['thermal_zone1', 52],
      ['hwmon0/temp1', 48], ['hwmon1/temp1', 38.85], ['hwmon1/temp2', 38.85], ['hwmon1/temp3', 41.85],
      ['hwmon2/temp1', 52], ['hwmon2/temp2', 49], ['hwmon2/temp3', 50], ['hwmon2/temp4', 51], ['hwmon2/temp5', 52],
    ]);
    expect(values('hw.temperature.limit').slice(0, 4)).toEqual([
      ['hwmon0/temp1 high.critical', 128], ['hwmon1/temp1 high.degraded', 81.85], ['hwmon1/temp1 high.critical', 84.85], ['hwmon1/temp2 high.degraded', 65261.85],
    ]);
    expect(values('bpfscope.thermal.level').every(([, v]) => v === 0)).toBe(true);
    expect(values('bpfscope.thermal.cooling.state')).toEqual([0, 1, 2, 3, 4, 5].map((i) => [`cooling_device${i}`, i === 4 ? -1 : 0]));
    expect(series.get('hw.temperature')?.points[2]?.attributes).toEqual({ [SOURCE_ATTRIBUTE]: 'sysfs', 'hw.id': 'hwmon0/temp1', 'hw.name': 'acpitz', 'hw.type': 'temperature', 'bpfscope.thermal.chip': 'acpitz', 'bpfscope.thermal.kind': 'acpi' });
    // No kernel part in sysfs mode: no eBPF series.
    expect([...series.keys()].filter((n) => n.includes('kernel'))).toEqual([]);
    expect(points.mapErrors).toEqual([]);
  });
});
