// Source.stats({ programs: false }), what the overhead governor asks between calibrations:
// the kernel counters and the source's own figures without a kernel call per program.
import { expect, it } from 'vitest';
import { COLLECTOR, createEngine, type Plugin } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { CpuEbpfSource } from './ebpf/cpu-ebpf-source.js';

describeKernel('cpu eBPF source stats without programs', () => {
  it('leaves the programs out and gives the same counters: its invocations lie between two whole readings around it', async () => {
    const source = new CpuEbpfSource();
    const plugin: Plugin = { name: 'cpu-only-ebpf', version: '0.0.0', register: (c) => c.register(COLLECTOR, { useValue: { family: 'cpu', sources: [source] } }) };
    const engine = createEngine({ plugins: [plugin], config: { mode: 'ebpf', logLevel: 'silent' } });
    try {
      await engine.start();
      const before = source.stats();
      const light = source.stats({ programs: false });
      const after = source.stats();
      expect(before.programs.map((p) => p.program).sort()).toEqual(['cpu_irq_entry', 'cpu_irq_exit', 'cpu_sirq_entry', 'cpu_sirq_exit', 'cpu_switch']);
      expect(light.programs).toEqual([]);
      expect(light.counters).toEqual(before.counters);
      expect(light.kernelCounters.map((k) => [k.object, k.map])).toEqual([['cpu.bpf.o', 'cpu_stats']]);
      // Every figure but the invocations holds still (the cpu programs send no events and
      // filter nothing): equal exactly. The invocations move with every context switch of the
      // machine, so no exact value exists; the same counter read between two whole readings
      // lies between their two values (a wrong counter, 0 or another map's, falls outside).
      const { invocations: i0, ...rest0 } = before.kernelCounters[0]!;
      const { invocations: i1, ...rest1 } = light.kernelCounters[0]!;
      const { invocations: i2 } = after.kernelCounters[0]!;
      expect(rest1).toEqual(rest0);
      expect(i1).toBeGreaterThanOrEqual(i0);
      expect(i1).toBeLessThanOrEqual(i2);
      // What engine.stats() shows is whole.
      expect(engine.stats().collectors[0]!.sourceStats!.programs).toHaveLength(5);
    } finally {
      await engine.close();
    }
  });
});
