// The cpu mapper over a real eBPF reading: the run-queue histogram becomes one histogram
// point with the snapshot's buckets unchanged, and each time counter carries its own field's
// source (procfs for user/nice/system/iowait/steal, ebpf for the rest).
import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { createEngine, log2ToExponential, machineConstants, type HistogramPoint, type NumberPoint } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { cpu } from './plugin.js';

describeKernel('cpuMetricMapper over the eBPF source', () => {
  it('the run-queue histogram point holds the snapshot’s buckets; time counters carry their field’s source and count from attach', async () => {
    const engine = createEngine({ plugins: [cpu()], config: { mode: 'ebpf', cache: { enabled: false }, logLevel: 'silent' } });
    try {
      await engine.start();
      // A child of our own after attach: its exec and our wait make run-queue waits, so the
      // histogram compared below is never empty, whatever else the machine does.
      execFileSync('/bin/true');
      await engine.collect();
      const snap = await engine.collect();
      const r = snap.get('cpu');
      expect(r?.source).toBe('ebpf');
      const data = r!.data;
      const view = engine.metricPoints(snap);
      expect(view.mapErrors).toEqual([]);
      const runq = view.series.find((s) => s.descriptor.name === 'bpfscope.cpu.runqueue.latency');
      expect(runq?.descriptor).toMatchObject({ kind: 'histogram', unit: 'ns' });
      expect(data.runQueueLatency).not.toBeNull();
      expect(data.runQueueLatency!.count).toBeGreaterThan(0);
      expect(runq?.startTimeMs).toBe(Date.parse(data.runQueueLatencySince!));
      expect(runq?.points).toEqual([{ attributes: { 'bpfscope.source': 'ebpf' }, histogram: data.runQueueLatency, sum: null }]);
      const h = (runq!.points[0] as HistogramPoint).histogram;
      expect(log2ToExponential(h).count).toBe(data.runQueueLatency!.count);
      const time = view.series.find((s) => s.descriptor.name === 'system.cpu.time');
      expect(time?.startTimeMs).toBe(Date.parse(data.countersSince));
      const pts = time!.points as NumberPoint[];
      const of = (mode: string): NumberPoint[] => pts.filter((p) => p.attributes['cpu.mode'] === mode);
      expect(of('idle')).toEqual(data.perCpu.map((c) => ({ attributes: { 'cpu.logical_number': c.cpu, 'cpu.mode': 'idle', 'bpfscope.source': 'ebpf' }, value: c.idle })));
      expect(of('user')).toEqual(data.perCpu.map((c) => ({ attributes: { 'cpu.logical_number': c.cpu, 'cpu.mode': 'user', 'bpfscope.source': 'procfs' }, value: c.user })));
      // eBPF counts context switches per CPU.
      const sw = view.series.find((s) => s.descriptor.name === 'bpfscope.cpu.context_switches');
      expect(sw?.points).toEqual(data.perCpu.map((c) => ({ attributes: { 'cpu.logical_number': c.cpu, 'bpfscope.source': 'ebpf' }, value: c.contextSwitches })));
      // PSI totals count from boot, whatever the counters' start: the btime this machine reports.
      const stall = view.series.find((s) => s.descriptor.name === 'bpfscope.cpu.pressure.stall_time');
      expect(data.pressure).not.toBeNull();
      expect(stall?.startTimeMs).toBe(machineConstants().bootTimeMs.value);
      expect(stall?.startTimeMs).toBeLessThan(Date.parse(data.countersSince));
      const load = view.series.find((s) => s.descriptor.name === 'system.cpu.load_average.1m');
      expect(load?.points).toEqual([{ attributes: { 'bpfscope.source': 'procfs' }, value: data.loadAverage!.load1 }]);
    } finally {
      await engine.close();
    }
  });
});
