// The mem mapper over real procfs/sysfs readings: the family read in mode fallback from the
// captured trees (procRoot and sysRoot pointed at them), then engine.metricPoints(). Every
// point is checked against the part of the record it came from, and against the captures.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, type MetricPointOptions, type MetricPoints, type MetricSeries, type NumberPoint } from '@bpfscope/core';
import { fixture } from '../test/fixture-helpers.js';
import { memMetricMapper } from './metrics.js';
import { mem } from './plugin.js';
import type { MemMetrics } from './records.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };
const KIB = 1024;
const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

async function points(sysRoot: string, options: MetricPointOptions = {}, procRoot = fixture('vm-6.18/proc')): Promise<{ data: MemMetrics; view: MetricPoints }> {
  const engine = createEngine({ plugins: [mem({ processes: true })], config: { mode: 'fallback', procRoot, sysRoot, cache: { enabled: false } }, logger: silent });
  try {
    const snap = await engine.collect();
    const r = snap.get('mem');
    if (!r) throw new Error(`no mem family: ${snap.errors.map((e) => e.error.message).join('; ')}`);
    expect(r.source).toBe('procfs');
    return { data: r.data, view: engine.metricPoints(snap, options) };
  } finally {
    await engine.close();
  }
}

const series = (view: MetricPoints, name: string): MetricSeries | undefined => view.series.find((s) => s.descriptor.name === name);
function numbers(view: MetricPoints, name: string): readonly NumberPoint[] {
  const s = series(view, name);
  if (!s || s.descriptor.kind === 'histogram') throw new Error(`no number series ${name}`);
  return s.points as readonly NumberPoint[];
}

const PROCFS = { 'bpfscope.source': 'procfs' };
const SYSFS = { 'bpfscope.source': 'sysfs' };

describe('memMetricMapper over the procfs source', () => {
  it('vm-6.18 with the v1 cgroup capture: memory, slab, swap, faults, OOM kills, the cgroup and the predictions, exactly', async () => {
    const { data, view } = await points(fixture('cgroup-v1/sys'));
    expect(view.mapErrors).toEqual([]);
    const s = data.system!;
    // /proc/meminfo: MemTotal 24683656 kB, MemFree 23388896, MemAvailable 24217284, Buffers 21252, Cached 960992.
    expect(numbers(view, 'system.memory.usage')).toEqual([
      { attributes: { ...PROCFS, 'system.memory.state': 'used' }, value: (24683656 - 24217284) * KIB },
      { attributes: { ...PROCFS, 'system.memory.state': 'free' }, value: 23388896 * KIB },
      { attributes: { ...PROCFS, 'system.memory.state': 'cached' }, value: 960992 * KIB },
      { attributes: { ...PROCFS, 'system.memory.state': 'buffers' }, value: 21252 * KIB },
    ]);
    expect(series(view, 'system.memory.usage')).toMatchObject({ descriptor: { kind: 'updown', unit: 'By' }, startTimeMs: null });
    expect(numbers(view, 'system.memory.limit')).toEqual([{ attributes: PROCFS, value: s.totalBytes }]);
    expect(numbers(view, 'system.memory.shared')).toEqual([{ attributes: PROCFS, value: 8924 * KIB }]);
    expect(numbers(view, 'system.memory.utilization')).toEqual([{ attributes: { ...PROCFS, 'system.memory.state': 'used' }, value: s.usedFraction }]);
    expect(numbers(view, 'system.memory.linux.available')).toEqual([{ attributes: PROCFS, value: 24217284 * KIB }]);
    expect(numbers(view, 'system.memory.linux.slab.usage')).toEqual([
      { attributes: { ...PROCFS, 'system.memory.linux.slab.state': 'reclaimable' }, value: 129612 * KIB },
      { attributes: { ...PROCFS, 'system.memory.linux.slab.state': 'unreclaimable' }, value: 26884 * KIB },
    ]);
    // No swap on that machine: usage 0 used and 0 free, no utilization (no total to divide by).
    expect(numbers(view, 'system.paging.usage')).toEqual([
      { attributes: { ...PROCFS, 'system.paging.state': 'used' }, value: 0 },
      { attributes: { ...PROCFS, 'system.paging.state': 'free' }, value: 0 },
    ]);
    expect(series(view, 'system.paging.utilization')).toBeUndefined();
    expect(numbers(view, 'bpfscope.mem.swap.cached')).toEqual([{ attributes: PROCFS, value: 0 }]);
    // /proc/vmstat: pgfault 28991789, pgmajfault 2265, oom_kill 2 (at start and at the reading).
    expect(numbers(view, 'system.paging.faults')).toEqual([
      { attributes: { ...PROCFS, 'system.paging.fault.type': 'major' }, value: 2265 },
      { attributes: { ...PROCFS, 'system.paging.fault.type': 'minor' }, value: 28991789 - 2265 },
    ]);
    // That tree has no /proc/stat, so no boot time: the counters have no start time.
    expect(data.bootTime).toBeNull();
    expect(series(view, 'system.paging.faults')?.startTimeMs).toBeNull();
    expect(numbers(view, 'bpfscope.mem.oom.kills')).toEqual([{ attributes: PROCFS, value: 0 }]);
    expect(series(view, 'bpfscope.mem.oom.kills')?.startTimeMs).toBe(Date.parse(data.countersSince));
    // The v1 cgroup after its two OOM kills: usage 233472 of 104857600, failcnt 79; no memsw, so no swap point.
    const cg = { 'bpfscope.cgroup.path': '/bpfscope-fixture', 'bpfscope.cgroup.hierarchy': 'v1', ...SYSFS };
    expect(numbers(view, 'bpfscope.mem.cgroup.usage')).toEqual([{ attributes: cg, value: 233472 }]);
    expect(numbers(view, 'bpfscope.mem.cgroup.limit')).toEqual([{ attributes: cg, value: 104857600 }]);
    expect(numbers(view, 'bpfscope.mem.cgroup.utilization')).toEqual([{ attributes: cg, value: 233472 / 104857600 }]);
    expect(series(view, 'bpfscope.mem.cgroup.swap.usage')).toBeUndefined();
    expect(numbers(view, 'bpfscope.mem.cgroup.limit_hits')).toEqual([{ attributes: cg, value: 79 }]);
    expect(numbers(view, 'bpfscope.mem.cgroup.oom.kills')).toEqual([{ attributes: cg, value: 2 }]);
    // One sample: no time to exhaustion yet; both levels are 'none'.
    expect(data.predictions.map((p) => [p.key, p.level, p.secondsToExhaustion])).toEqual([['system', 'none', null], ['cgroup:/bpfscope-fixture', 'none', null]]);
    expect(numbers(view, 'bpfscope.mem.oom.warning_level')).toEqual([
      { attributes: { 'bpfscope.mem.target': 'system', ...PROCFS }, value: 0 },
      { attributes: { 'bpfscope.mem.target': 'cgroup', 'bpfscope.cgroup.path': '/bpfscope-fixture', ...SYSFS }, value: 0 },
    ]);
    expect(series(view, 'bpfscope.mem.oom.time_to_exhaustion')).toBeUndefined();
    // Per-process series only when asked for.
    expect(series(view, 'bpfscope.mem.process.paging.faults')).toBeUndefined();
    for (const x of view.series.filter((v) => v.descriptor.family === 'mem')) expect(memMetricMapper.descriptors).toContain(x.descriptor);
  });

  it('detail process: the ranked processes’ major and minor faults, with pid and command name', async () => {
    const { data, view } = await points(fixture('vm-6.18'), { detail: ['process'] });
    expect(data.processes.map((p) => [p.pid, p.comm])).toEqual([[4502, 'node']]);
    const p = data.processes[0]!;
    const who = { ...PROCFS, 'process.pid': 4502, 'process.executable.name': 'node' };
    expect(series(view, 'bpfscope.mem.process.paging.faults')?.descriptor.detail).toBe('process');
    expect(numbers(view, 'bpfscope.mem.process.paging.faults')).toEqual([
      { attributes: { ...who, 'system.paging.fault.type': 'major' }, value: p.majorFaults },
      { attributes: { ...who, 'system.paging.fault.type': 'minor' }, value: p.minorFaults },
    ]);
    // No memory hierarchy in this tree: no cgroup series, and the only prediction is the system's.
    expect(data.cgroups).toBeNull();
    expect(view.series.filter((x) => x.descriptor.name.startsWith('bpfscope.mem.cgroup.'))).toEqual([]);
    expect(numbers(view, 'bpfscope.mem.oom.warning_level')).toHaveLength(1);
    expect(view.mapErrors).toEqual([]);
  });

  it('a malformed /proc/meminfo: no system.memory or paging-usage point at all, the vmstat counters still', async () => {
    const proc = mkdtempSync(join(tmpdir(), 'bpfscope-mem-metrics-'));
    temps.push(proc);
    cpSync(fixture('vm-6.18/proc'), proc, { recursive: true });
    cpSync(fixture('malformed/meminfo-non-numeric/proc/meminfo'), join(proc, 'meminfo'));
    const { data, view } = await points(fixture('cgroup-v1/sys'), {}, proc);
    expect(data.system).toBeNull();
    expect(data.swap).toBeNull();
    const names = view.series.map((x) => x.descriptor.name);
    expect(names.filter((n) => n.startsWith('system.memory.') || n === 'system.paging.usage' || n === 'bpfscope.mem.swap.cached')).toEqual([]);
    expect(numbers(view, 'system.paging.faults').map((x) => x.value)).toEqual([2265, 28991789 - 2265]);
    // The system prediction had no sample: only the cgroup's level.
    expect(numbers(view, 'bpfscope.mem.oom.warning_level').map((x) => x.attributes['bpfscope.mem.target'])).toEqual(['cgroup']);
    expect(view.mapErrors).toEqual([]);
  });

  it('the v2 tree: the cgroup’s swap (memory.swap.current) is a point', async () => {
    const { view } = await points(fixture('cgroup-v2-derived/sys'));
    const cg = { 'bpfscope.cgroup.path': '/bpfscope-fixture', 'bpfscope.cgroup.hierarchy': 'v2', ...SYSFS };
    expect(numbers(view, 'bpfscope.mem.cgroup.swap.usage')).toEqual([{ attributes: cg, value: 0 }]);
    expect(numbers(view, 'bpfscope.mem.cgroup.oom.kills')).toEqual([{ attributes: cg, value: 2 }]);
  });
});
