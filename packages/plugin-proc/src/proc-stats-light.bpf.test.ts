// Source.stats({ programs: false }), what the overhead governor asks between calibrations:
// the table object's counters (and tableReads, its invocations) without the programs.
import { expect, it } from 'vitest';
import { COLLECTOR, createEngine, type Plugin } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { ProcEbpfSource } from './ebpf/proc-ebpf-source.js';
import { checkSelection } from './selection.js';

describeKernel('proc eBPF source stats without programs', () => {
  it('leaves the programs out; the table counters and tableReads are those of a whole reading at the same moment', async () => {
    const source = new ProcEbpfSource(checkSelection({}));
    const plugin: Plugin = { name: 'proc-only-ebpf', version: '0.0.0', register: (c) => c.register(COLLECTOR, { useValue: { family: 'proc', sources: [source] } }) };
    const engine = createEngine({ plugins: [plugin], config: { mode: 'ebpf', logLevel: 'silent' } });
    try {
      await engine.start();
      await engine.collect();
      // The iterator runs only at readings: between these calls its counters hold still.
      const whole = source.stats();
      const light = source.stats({ programs: false });
      // No event stream is open: the table object's one program.
      expect(whole.programs.map((p) => p.program)).toEqual(['proc_iter']);
      expect(light.programs).toEqual([]);
      expect(light.kernelCounters).toEqual(whole.kernelCounters);
      expect(light.counters).toEqual(whole.counters);
      expect(light.counters.tableReads).toBe(light.kernelCounters.find((k) => k.role === 'table')!.invocations);
    } finally {
      await engine.close();
    }
  });
});
