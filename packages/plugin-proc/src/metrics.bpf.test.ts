// The proc mapper over a real eBPF reading of this process: the task iterator's fields are
// marked ebpf (the exact runtime among them), the start time's uptime procfs, as fieldSources says.
import { expect, it } from 'vitest';
import { createEngine, type NumberPoint } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { proc } from './plugin.js';

describeKernel('procMetricMapper over the eBPF source', () => {
  it('this process: runtime, CPU use and memory marked ebpf and equal to its record; uptime marked procfs', async () => {
    const engine = createEngine({ plugins: [proc({ pids: [process.pid] })], config: { mode: 'ebpf', cache: { enabled: false }, logLevel: 'silent' } });
    try {
      await engine.collect();
      const snap = await engine.collect();
      const r = snap.get('proc');
      expect(r?.source).toBe('ebpf');
      const p = r!.data.processes.find((x) => x.pid === process.pid)!;
      expect(p.source).toBe('ebpf');
      const view = engine.metricPoints(snap, { detail: ['process'] });
      expect(view.mapErrors).toEqual([]);
      const who = { 'process.pid': process.pid, 'process.executable.name': p.comm };
      const one = (name: string): NumberPoint[] => view.series.find((s) => s.descriptor.name === name)?.points as NumberPoint[];
      expect(one('bpfscope.proc.cpu.runtime')).toEqual([{ attributes: { ...who, 'bpfscope.source': 'ebpf' }, value: p.runtimeSeconds }]);
      expect(p.cpuPercent).not.toBeNull();
      expect(one('bpfscope.proc.cpu.usage')).toEqual([{ attributes: { ...who, 'bpfscope.source': 'ebpf' }, value: p.cpuPercent! / 100 }]);
      expect(one('process.memory.usage')).toEqual([{ attributes: { ...who, 'bpfscope.source': 'ebpf' }, value: p.rssBytes }]);
      expect(one('process.uptime')).toEqual([{ attributes: { ...who, 'bpfscope.source': 'procfs' }, value: r!.timestamp / 1000 - p.startTime! }]);
      expect(one('system.process.count')).toEqual([{ attributes: { 'process.state': expect.any(String) as string, 'bpfscope.source': 'ebpf' }, value: 1 }]);
    } finally {
      await engine.close();
    }
  });
});
