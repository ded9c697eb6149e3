import type { FamilyResult } from '@bpfscope/core';
import type { GpuInventory, GpuMetrics } from '@bpfscope/plugin-gpu';
import { num, table } from './table.js';
import { formatBytes } from '../units.js';
import type { Paint } from '../colour.js';

const indent = (s: string): string => s.split('\n').map((l) => `  ${l}`).join('\n');
const mhz = (v: number | null): string => (v === null ? '-' : String(v));

/** Human form of the gpu family: one row per device, then the CUDA work, fence contexts, what is unavailable. @internal */
export function formatGpu(r: FamilyResult<GpuMetrics>, p: Paint): string {
  const d = r.data;
  const lines: string[] = [];
  if (d.fieldSources.devices) lines.push(`  devices from: ${d.fieldSources.devices}`);
  if (d.devices.length > 0) {
    const rows = d.devices.map((g) => [
      g.id, g.name ?? g.driver ?? '?', g.busId ?? '-', num(g.utilizationPercent, 0),
      g.memoryUsedBytes === null && g.memoryTotalBytes === null ? '-' : `${formatBytes(g.memoryUsedBytes)}/${formatBytes(g.memoryTotalBytes)}`,
      num(g.powerMilliwatts === null ? null : g.powerMilliwatts / 1000, 1), num(g.temperatureCelsius, 1), mhz(g.clocks.graphicsMhz), mhz(g.clocks.memoryMhz), num(g.fanPercent, 0),
      g.error ? p.yellow(g.error.code) : '',
    ]);
    lines.push(indent(table(['gpu', 'name', 'bus', 'busy%', 'memory', 'W', '°C', 'MHz', 'mem MHz', 'fan%', 'note'], rows, new Set([0, 1, 2, 10]))));
    for (const g of d.devices) for (const [k, why] of Object.entries(g.unavailable)) lines.push(`  ${g.id} ${k}: ${why}`);
  }
  if (d.cuda.length > 0) {
    lines.push(indent(table(['pid', 'comm', 'launches', 'mallocs', 'allocated', 'frees', 'memcpys', 'H2D', 'D2H'], d.cuda.map((c) => [
      String(c.pid), c.comm, String(c.kernelLaunches), String(c.allocations), formatBytes(c.allocatedBytes), String(c.frees), String(c.copies), formatBytes(c.copyBytes.hostToDevice), formatBytes(c.copyBytes.deviceToHost),
    ]), new Set([1]))));
  }
  if (d.fences.length > 0) {
    lines.push(indent(table(['driver', 'timeline', 'context', 'emitted', 'signaled', 'mean µs'], d.fences.map((f) => [
      f.driver, f.timeline ?? '-', String(f.context), String(f.emitted), String(f.signaled), f.signaled > 0 ? num(f.latencyNsTotal / f.signaled / 1000, 1) : '-',
    ]), new Set([0, 1]))));
  }
  if (d.kernel) lines.push(`  kernel: ${d.kernel.invocations} program runs, ${d.kernel.drops} dropped`);
  for (const [k, e] of Object.entries(d.errors)) lines.push(`  error: ${k}: ${e.code}: ${e.message}`);
  for (const [k, why] of Object.entries(d.unavailable)) lines.push(`  unavailable: ${k}: ${why}`);
  return lines.join('\n');
}

/** One line for `doctor`: which GPU sources the gpu family finds here. @internal */
export function formatGpuInventory(inv: GpuInventory): string {
  const nvml = inv.nvml.summary ?? `none (${inv.nvml.unavailable ?? '?'})`;
  const read = inv.drm.cards.filter((c) => c.skipped === null);
  const skipped = inv.drm.cards.filter((c) => c.skipped !== null);
  const drm =
    inv.drm.unavailable ??
    (inv.drm.cards.length === 0
      ? 'no cards'
      : [...read.map((c) => `card${c.card} ${c.driver} ${c.vendorId ?? '?'}:${c.deviceId ?? '?'}${c.busId ? ` at ${c.busId}` : ''}`), ...skipped.map((c) => `card${c.card} ${c.driver ?? '?'} (skipped)`)].join(', '));
  const cuda = inv.cuda.runtimes.length > 0 ? inv.cuda.runtimes.join(', ') : `none (${inv.cuda.unavailable ?? '?'})`;
  return [`NVML: ${nvml}`, `DRM: ${drm}`, `CUDA runtime: ${cuda}`].join('\n    ');
}
