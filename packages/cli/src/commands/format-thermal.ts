import type { FamilyResult } from '@bpfscope/core';
import type { AlertLevel, ThermalMetrics, ThermalSensorInventory } from '@bpfscope/plugin-thermal';
import { num, table } from './table.js';
import type { Paint } from '../colour.js';

const indent = (s: string): string => s.split('\n').map((l) => `  ${l}`).join('\n');
const celsius = (v: number | null): string => num(v, 1);

/** Human form of the thermal family: zones and sensors with their levels, cooling, alerts. @internal */
export function formatThermal(r: FamilyResult<ThermalMetrics>, p: Paint): string {
  const d = r.data;
  const level = (l: AlertLevel): string => (l === 'critical' ? p.red(l) : l === 'warning' ? p.yellow(l) : l);
  const lines: string[] = [`  level: ${level(d.level)}`];
  const kernel = d.kernel !== null;
  const rows = [
    ...d.zones.map((z) => [
      `thermal_zone${z.id}`, z.type, celsius(z.temperatureCelsius), '-', celsius(z.trips.find((t) => t.type === 'critical')?.temperatureCelsius ?? null), level(z.level),
      ...(kernel ? [String(z.kernel?.readings ?? '-'), celsius(z.kernel?.minCelsius ?? null), celsius(z.kernel?.maxCelsius ?? null), String(z.kernel?.tripCrossings ?? '-')] : []),
      z.error ? `${z.error.code}` : '',
    ]),
    ...d.sensors.map((s) => [s.id, `${s.chip}${s.label ? ` ${s.label}` : ''}`, celsius(s.temperatureCelsius), celsius(s.maxCelsius), celsius(s.critCelsius), level(s.level), ...(kernel ? ['', '', '', ''] : []), s.error ? s.error.code : s.alarm ? 'ALARM' : '']),
  ];
  if (rows.length > 0) {
    const header = ['sensor', 'what', '°C', 'max', 'crit', 'level', ...(kernel ? ['readings', 'min', 'max', 'trips'] : []), 'note'];
    lines.push(indent(table(header, rows, new Set([0, 1, 5, header.length - 1]))));
  }
  if (kernel) lines.push('  readings/min/max/trips: what the kernel itself read of each zone since the previous snapshot (eBPF)');
  if (d.cooling.length > 0) lines.push(`  cooling: ${d.cooling.map((c) => `${c.type} ${c.curState ?? '?'}/${c.maxState ?? '?'}${c.kernelUpdates ? ` (${c.kernelUpdates} changes)` : ''}`).join(', ')}`);
  for (const a of d.alerts) if (a.type === 'alert') lines.push(`  alert: ${a.sensor} (${a.name}) ${a.previous} -> ${level(a.level)} at ${celsius(a.temperatureCelsius)} °C`);
  if (d.kernel) lines.push(`  kernel: ${d.kernel.invocations} program runs, ${d.kernel.events} trip events, ${d.kernel.drops} dropped`);
  for (const [k, e] of Object.entries(d.errors)) lines.push(`  error: ${k}: ${e.code}: ${e.message}`);
  for (const [k, why] of Object.entries(d.unavailable)) lines.push(`  unavailable: ${k}: ${why}`);
  return lines.join('\n');
}

/** One line for `doctor`: which temperature sensors the thermal family finds here. @internal */
export function formatThermalInventory(inv: ThermalSensorInventory): string {
  if (inv.unavailable !== null) return `none (${inv.unavailable})`;
  const zones = inv.zones.length > 0 ? `${inv.zones.length} zone(s) (${inv.zones.map((z) => z.type ?? '?').join(', ')})` : 'no zones';
  const chips = inv.chips.length > 0 ? `hwmon ${inv.chips.map((c) => `${c.chip ?? '?'} (${c.channels})`).join(', ')}` : 'no hwmon temperature channels';
  return `${zones}, ${inv.coolingDevices} cooling device(s), ${chips}`;
}
