// The mem mapper over a real eBPF reading: per-process faults come from the task iterator
// (source ebpf), system memory and vmstat from procfs, each point marked with its part's source.
import { expect, it } from 'vitest';
import { createEngine, machineConstants, type NumberPoint } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { mem } from './plugin.js';

describeKernel('memMetricMapper over the eBPF source', () => {
  it('this process’s faults are detail points marked ebpf, equal to its record; system memory and faults are marked procfs', async () => {
    const engine = createEngine({ plugins: [mem({ processes: true, pids: [process.pid] })], config: { mode: 'ebpf', cache: { enabled: false }, logLevel: 'silent' } });
    try {
      const snap = await engine.collect();
      const r = snap.get('mem');
      expect(r?.source).toBe('ebpf');
      const data = r!.data;
      const view = engine.metricPoints(snap, { detail: ['process'] });
      expect(view.mapErrors).toEqual([]);
      const own = data.processes.find((p) => p.pid === process.pid);
      expect(own?.threads).not.toBeNull(); // read by the task iterator
      const perProcess = view.series.find((s) => s.descriptor.name === 'bpfscope.mem.process.paging.faults');
      expect(perProcess?.startTimeMs).toBe(Date.parse(data.bootTime!));
      const faults = perProcess?.points as NumberPoint[];
      const who = { 'bpfscope.source': 'ebpf', 'process.pid': process.pid, 'process.executable.name': own!.comm };
      expect(faults).toEqual([
        { attributes: { ...who, 'system.paging.fault.type': 'major' }, value: own!.majorFaults },
        { attributes: { ...who, 'system.paging.fault.type': 'minor' }, value: own!.minorFaults },
      ]);
      const used = view.series.find((s) => s.descriptor.name === 'system.memory.usage')?.points as NumberPoint[];
      expect(used.find((p) => p.attributes['system.memory.state'] === 'used')).toEqual({ attributes: { 'bpfscope.source': 'procfs', 'system.memory.state': 'used' }, value: data.system!.usedBytes });
      const vm = view.series.find((s) => s.descriptor.name === 'system.paging.faults')?.points as NumberPoint[];
      expect(vm.map((p) => [p.attributes['bpfscope.source'], p.value])).toEqual([['procfs', data.vmstat!.pgmajfault], ['procfs', data.vmstat!.pgfault - data.vmstat!.pgmajfault]]);
      // /proc/vmstat counts from boot: the series starts at the btime this machine reports.
      expect(view.series.find((s) => s.descriptor.name === 'system.paging.faults')?.startTimeMs).toBe(machineConstants().bootTimeMs.value);
      expect(data.bootTime).not.toBeNull();
    } finally {
      await engine.close();
    }
  });
});
