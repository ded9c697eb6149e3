import { fileURLToPath } from 'node:url';
import { createEngine } from '@bpfscope/core';
import { thermal, type ThermalMetrics } from '@bpfscope/plugin-thermal';
import { describe, expect, it } from 'vitest';
import { paint } from '../colour.js';
import { formatThermal, formatThermalInventory } from './format-thermal.js';

const sysRoot = (machine: string): string => fileURLToPath(new URL(`../../../plugin-thermal/test/fixtures/${machine}/sys`, import.meta.url));

describe('the thermal table', () => {
  it('shows zones and sensors with their levels, the cooling devices and the alerts (AMD desktop fixture)', async () => {
    const engine = createEngine({ plugins: [thermal()], config: { mode: 'fallback', sysRoot: sysRoot('amd-ryzen-5900x-rx6800'), logLevel: 'silent' } });
    const r = (await engine.collect()).get('thermal');
    await engine.close();
    const text = formatThermal(r as NonNullable<typeof r> & { data: ThermalMetrics }, paint(false));
    expect(text.split('\n').slice(0, 9)).toEqual([
      '  level: critical',
      '  sensor        what               °C   max   crit  level     note',
      '  hwmon0/temp1  nvme Composite   44.9  84.8   84.8  normal',
      '  hwmon1/temp1  k10temp Tctl     61.3     -      -  normal',
      '  hwmon1/temp3  k10temp Tccd1    58.0     -      -  normal',
      '  hwmon1/temp4  k10temp Tccd2    55.8     -      -  normal',
      '  hwmon2/temp1  amdgpu edge      86.0     -  100.0  warning',
      '  hwmon2/temp2  amdgpu junction  97.0     -  110.0  critical',
      '  hwmon2/temp3  amdgpu mem       74.0     -  100.0  normal',
    ]);
    expect(text).toContain('  alert: hwmon2/temp2 (junction) normal -> critical at 97.0 °C');
    expect(text).toMatch(/unavailable: tripCrossings: sysfs shows one temperature per poll/);
  });

  it('says in one line what doctor found', () => {
    expect(formatThermalInventory({ sysRoot: '/sys', zones: [{ id: 0, type: 'acpitz' }], coolingDevices: 2, chips: [{ hwmon: 1, chip: 'coretemp', channels: 5 }], unavailable: null })).toBe(
      '1 zone(s) (acpitz), 2 cooling device(s), hwmon coretemp (5)',
    );
    expect(formatThermalInventory({ sysRoot: '/sys', zones: [], coolingDevices: 0, chips: [], unavailable: 'no sensors' })).toBe('none (no sensors)');
  });
});
