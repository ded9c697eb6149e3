import { expect, it } from 'vitest';
import { createEngine, type SourceStats } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { proc } from './plugin.js';

describeKernel('proc family stats through engine.stats()', () => {
  it('the object’s shared invocations counter grows by exactly one per reading (one task-iterator run each)', async () => {
    const engine = createEngine({ plugins: [proc()], config: { mode: 'ebpf', cache: { enabled: false }, programStats: true, logLevel: 'silent', operationTimeoutMs: 60_000 } });
    const stats = (): SourceStats => {
      const s = engine.stats().collectors.find((c) => c.family === 'proc')?.sourceStats;
      if (!s) throw new Error('no proc source stats');
      return s;
    };
    let s0: SourceStats, s1: SourceStats, errors: string[];
    try {
      await engine.start();
      s0 = stats();
      const snaps = [await engine.collect(), await engine.collect(), await engine.collect()];
      errors = snaps.flatMap((s) => s.errors.map((e) => e.error.message));
      s1 = stats();
    } finally {
      await engine.close();
    }
    expect(errors).toEqual([]);
    expect(s0.kernelCounters.map((k) => [k.object, k.map])).toEqual([['proc.bpf.o', 'proc_stats']]);
    expect((s1.kernelCounters[0]?.invocations ?? NaN) - (s0.kernelCounters[0]?.invocations ?? NaN)).toBe(3);
    expect(s1.counters.tableReads).toBe(s1.kernelCounters[0]?.invocations);
    // Only the iterator is loaded: the fork/exec/exit hooks belong to the process tree.
    expect(s0.programs.map((p) => p.program)).toEqual(['proc_iter']);
    expect(s0.runStatsEnabled).toBe(true);
    expect(s1.programs[0]?.runs).toBeGreaterThan(s0.programs[0]?.runs ?? Infinity);
  });
});
