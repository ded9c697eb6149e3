// processes: false on the eBPF source: the task iterator never runs (its run count in the
// kernel stays where it was), readings list no process and say why, and the system figures
// are read as with the option on.
import { expect, it } from 'vitest';
import { createEngine, type Engine } from '@bpfscope/core';
import { clearCache } from '@bpfscope/native';
import { describeKernel } from '../../../test/real-kernel.js';
import { mem } from './plugin.js';

const iterRuns = (engine: Engine): number => engine.stats().collectors.find((c) => c.family === 'mem')?.sourceStats?.programs.find((p) => p.program === 'mem_iter')?.runs ?? -1;

describeKernel('mem family, eBPF, processes: false', () => {
  it('three readings run the iterator 0 times and report processCount null with the reason; with the option on, each reading runs it', async () => {
    clearCache(); // an object of this test's own: no other engine's reads run its iterator
    const off = createEngine({ plugins: [mem({ processes: false, cgroups: false })], config: { mode: 'ebpf', programStats: true, cache: { enabled: false }, logLevel: 'silent' } });
    try {
      await off.start();
      const before = iterRuns(off);
      expect(before).toBeGreaterThanOrEqual(0);
      for (let i = 0; i < 3; i++) {
        const m = (await off.collect()).get('mem')?.data;
        expect(m?.processes).toEqual([]);
        expect(m?.processCount).toBeNull();
        expect(m?.unavailable.processes).toBe('per-process faults are not read (option processes: false)');
        expect(m?.system?.totalBytes).toBeGreaterThan(0);
      }
      expect(iterRuns(off)).toBe(before);
    } finally {
      await off.close();
    }
    clearCache();
    const on = createEngine({ plugins: [mem({ cgroups: false })], config: { mode: 'ebpf', programStats: true, cache: { enabled: false }, logLevel: 'silent' } });
    try {
      await on.start();
      const before = iterRuns(on);
      const m = (await on.collect()).get('mem')?.data;
      expect(m?.processCount).toBeGreaterThan(0);
      // Each run visits every task once: the runs grow by at least the tasks listed.
      expect(iterRuns(on) - before).toBeGreaterThanOrEqual(m?.processCount ?? Infinity);
    } finally {
      await on.close();
    }
  });
});
