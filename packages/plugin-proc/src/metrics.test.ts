// The proc mapper over a real procfs reading: the family read in mode fallback from the
// vm-6.18 capture (procRoot and sysRoot pointed at it), then engine.metricPoints(). The
// process count by state, and the per-process detail series (only when asked for, capped,
// in the family's order) checked against the records and the capture's files.
import { describe, expect, it } from 'vitest';
import { createEngine, type FamilyResult, type MetricPointOptions, type MetricPoints, type MetricSeries, type NumberPoint } from '@bpfscope/core';
import { fixture } from '../test/fixture-helpers.js';
import { procMetricMapper } from './metrics.js';
import { proc, type ProcPluginOptions } from './plugin.js';
import type { ProcMetrics } from './records.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };
const BOOT_MS = 1795453397 * 1000; // btime of the capture

async function points(options: MetricPointOptions, plugin: ProcPluginOptions = {}): Promise<{ result: FamilyResult<ProcMetrics>; view: MetricPoints }> {
  const config = { mode: 'fallback' as const, procRoot: fixture('vm-6.18/proc'), sysRoot: fixture('vm-6.18/sys'), cache: { enabled: false } };
  const engine = createEngine({ plugins: [proc(plugin)], config, logger: silent });
  try {
    const snap = await engine.collect();
    const result = snap.get('proc');
    if (!result) throw new Error(`no proc family: ${snap.errors.map((e) => e.error.message).join('; ')}`);
    expect(result.source).toBe('procfs');
    return { result, view: engine.metricPoints(snap, options) };
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
const SRC = { 'bpfscope.source': 'procfs' };

describe('procMetricMapper over the procfs source', () => {
  it('system.process.count by state; no per-process series unless asked for', async () => {
    const { view } = await points({});
    expect(view.mapErrors).toEqual([]);
    // States in the capture: 1, 2, 1812, 4367, 4368 S; 4369 R; 4370 T (after kill -STOP).
    expect(numbers(view, 'system.process.count')).toEqual([
      { attributes: { 'process.state': 'running', ...SRC }, value: 1 },
      { attributes: { 'process.state': 'sleeping', ...SRC }, value: 5 },
      { attributes: { 'process.state': 'stopped', ...SRC }, value: 1 },
    ]);
    expect(series(view, 'system.process.count')?.descriptor).toMatchObject({ kind: 'updown', unit: '{process}' });
    expect(view.series.filter((s) => s.descriptor.detail === 'process')).toEqual([]);
  });

  it('a top-K leaves processes out: the count is the table’s total, without states', async () => {
    const { result, view } = await points({}, { topK: { by: 'rss', k: 2 } });
    expect(result.data.processes).toHaveLength(2);
    expect(numbers(view, 'system.process.count')).toEqual([{ attributes: SRC, value: 7 }]);
  });

  it('detail process: each process’s series equal its record, with pid and command name; unreadable io gives no point', async () => {
    const { result, view } = await points({ detail: ['process'] });
    const data = result.data;
    expect(view.mapErrors).toEqual([]);
    const who = (pid: number): Record<string, string | number> => ({ 'process.pid': pid, 'process.executable.name': data.processes.find((p) => p.pid === pid)!.comm, ...SRC });
    const pids = data.processes.map((p) => p.pid);
    expect(pids).toEqual([1, 2, 1812, 4367, 4368, 4369, 4370]);
    expect(numbers(view, 'process.cpu.time')).toEqual(data.processes.flatMap((p) => [
      { attributes: { ...who(p.pid), 'cpu.mode': 'user' }, value: p.userSeconds },
      { attributes: { ...who(p.pid), 'cpu.mode': 'system' }, value: p.systemSeconds },
    ]));
    expect(series(view, 'process.cpu.time')).toMatchObject({ descriptor: { kind: 'counter', unit: 's', detail: 'process' }, startTimeMs: BOOT_MS });
    expect(numbers(view, 'process.memory.usage')).toEqual(data.processes.map((p) => ({ attributes: who(p.pid), value: p.rssBytes })));
    expect(numbers(view, 'process.memory.virtual')).toEqual(data.processes.map((p) => ({ attributes: who(p.pid), value: p.vsizeBytes })));
    expect(numbers(view, 'process.thread.count')).toEqual(data.processes.map((p) => ({ attributes: who(p.pid), value: p.threads })));
    // The capturing shell, 1812: VmRSS 3948 kB, vsize 5124096, minflt 4867, majflt 1, io read_bytes
    // 5505024 and write_bytes 192536576, 120 voluntary and 37 involuntary switches, 1 thread.
    const of = (name: string): Array<[string | number | boolean | undefined, number]> =>
      numbers(view, name).filter((p) => p.attributes['process.pid'] === 1812).map((p) => [p.attributes['system.paging.fault.type'] ?? p.attributes['disk.io.direction'] ?? p.attributes['process.context_switch.type'], p.value]);
    expect(of('process.memory.usage')).toEqual([[undefined, 3948 * 1024]]);
    expect(of('process.memory.virtual')).toEqual([[undefined, 5124096]]);
    expect(of('process.paging.faults')).toEqual([['major', 1], ['minor', 4867]]);
    expect(of('process.disk.io')).toEqual([['read', 5505024], ['write', 192536576]]);
    expect(of('bpfscope.proc.main_thread.context_switches')).toEqual([['voluntary', 120], ['involuntary', 37]]);
    expect(of('process.thread.count')).toEqual([[undefined, 1]]);
    // PID 1's io could not be read (EACCES at capture): no disk.io point for it, the others have two each.
    expect(data.processes.find((p) => p.pid === 1)?.ioReadBytes).toBeNull();
    expect(numbers(view, 'process.disk.io').map((p) => p.attributes['process.pid'])).toEqual([2, 2, 1812, 1812, 4367, 4367, 4368, 4368, 4369, 4369, 4370, 4370]);
    // procfs has no exact runtime and a first reading no CPU share: neither series exists.
    expect(series(view, 'bpfscope.proc.cpu.runtime')).toBeUndefined();
    expect(series(view, 'bpfscope.proc.cpu.usage')).toBeUndefined();
    expect(numbers(view, 'process.uptime')).toEqual(data.processes.map((p) => ({ attributes: who(p.pid), value: result.timestamp / 1000 - p.startTime! })));
    for (const s of view.series.filter((x) => x.descriptor.family === 'proc')) expect(procMetricMapper.descriptors).toContain(s.descriptor);
  });

  it('the detail cap keeps the first processes in the family’s order (top K by rss), all their points, and counts the rest', async () => {
    const { result, view } = await points({ detail: ['process'], maxDetailEntities: 3 }, { topK: { by: 'rss', k: 5 } });
    const ranked = result.data.processes.map((p) => p.pid);
    expect(ranked).toHaveLength(5);
    expect(numbers(view, 'process.memory.usage').map((p) => p.attributes['process.pid'])).toEqual(ranked.slice(0, 3));
    expect(numbers(view, 'process.memory.usage').map((p) => p.value)).toEqual(result.data.processes.slice(0, 3).map((p) => p.rssBytes));
    expect(view.capped['process.memory.usage']).toBe(2);
    expect(numbers(view, 'process.cpu.time').map((p) => p.attributes['process.pid'])).toEqual(ranked.slice(0, 3).flatMap((pid) => [pid, pid]));
    expect(view.capped['process.cpu.time']).toBe(4); // two points a process, two processes left out
  });
});
