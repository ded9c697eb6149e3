import { expect, it } from 'vitest';
import { createEngine } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { mem } from './plugin.js';

describeKernel('mem family stats through engine.stats()', () => {
  it('the eBPF source reports its programs, its object’s shared counters and its own counters in the SourceStats shape', async () => {
    const engine = createEngine({ plugins: [mem()], config: { mode: 'ebpf', programStats: true, logLevel: 'silent', operationTimeoutMs: 60_000 } });
    try {
      await engine.start();
      const before = engine.stats().collectors.find((c) => c.family === 'mem')?.sourceStats?.kernelCounters[0];
      const snap = await engine.collect();
      expect(snap.errors).toEqual([]);
      const s = engine.stats().collectors.find((c) => c.family === 'mem');
      expect(s).toMatchObject({ source: 'mem-ebpf', sourceKind: 'ebpf', reads: 1, readErrors: 0, timeouts: { init: 0, read: 0 } });
      const stats = s?.sourceStats;
      expect(stats?.runStatsEnabled).toBe(true);
      expect(stats?.programs.map((p) => p.program).sort()).toEqual([
        'mem_cg_destroy_root', 'mem_cg_mkdir', 'mem_cg_remount', 'mem_cg_rename', 'mem_cg_rmdir', 'mem_cg_setup_root', 'mem_iter', 'mem_oom_victim',
      ]);
      expect(stats?.programs.every((p) => p.id > 0)).toBe(true);
      expect(stats?.kernelCounters.map((k) => [k.object, k.map])).toEqual([['mem.bpf.o', 'mem_stats']]);
      // The kernel counters are the ones the family's reading reports as `kernel`: the
      // reading's lie between the stats taken just before and just after it (an OOM kill
      // anywhere on the machine may add an event in between).
      const kernel = snap.get('mem')?.data.kernel;
      const after = stats?.kernelCounters[0];
      expect(kernel?.events).toBeGreaterThanOrEqual(before?.eventsSent ?? Infinity);
      expect(kernel?.events).toBeLessThanOrEqual(after?.eventsSent ?? -1);
      expect(kernel?.drops).toBeGreaterThanOrEqual(before?.eventsDropped ?? Infinity);
      expect(kernel?.drops).toBeLessThanOrEqual(after?.eventsDropped ?? -1);
      expect(stats?.counters.oomEventsUndecodable).toBe(0);
    } finally {
      await engine.close();
    }
  });
});
