import { expect, it } from 'vitest';
import { createEngine } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { syscall } from './plugin.js';

describeKernel('syscall family stats through engine.stats()', () => {
  it('the eBPF source reports the programs it loaded, its object’s shared counters and its links in the SourceStats shape', async () => {
    const engine = createEngine({ plugins: [syscall({ mode: 'counts' })], config: { mode: 'ebpf', programStats: true, logLevel: 'silent', operationTimeoutMs: 60_000 } });
    try {
      await engine.start();
      expect((await engine.collect()).errors).toEqual([]);
      const stats = engine.stats().collectors.find((c) => c.family === 'syscall')?.sourceStats;
      expect(stats?.runStatsEnabled).toBe(true);
      // Counts-only mode loads no sys_exit program, and none on sched_switch.
      expect(stats?.programs.map((p) => p.program).sort()).toEqual(['sc_enter', 'sc_exec', 'sc_fork']);
      // Slot 0 of a fresh object; no stream opened: no event sampling yet.
      expect(stats?.counters).toEqual({ links: 3, slot: 0, eventThinning: 1, eventsSeen: 0, eventsSent: 0, eventsSampledAway: 0, eventsDropped: 0 });
      expect(stats?.kernelCounters.map((k) => [k.object, k.map])).toEqual([['syscall.bpf.o', 'sc_stats']]);
      // sc_enter counts itself once per run in the shared counters; both counts come from one kernel.
      expect(stats?.kernelCounters[0]?.invocations).toBeGreaterThan(0);
    } finally {
      await engine.close();
    }
  });
});
