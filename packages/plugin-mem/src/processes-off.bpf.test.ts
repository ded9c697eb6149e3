// processes off (the default) on the eBPF source: the task iterator never runs, readings list no
// process and say why, and the system figures are read as with the option on. The runs are
// compared exactly through the object's counters: mem_iter counts one invocation per task it
// writes and its run count has one more per iterator read (the closing call without a task);
// mem_oom_victim and the cgroup change counters (mem_cg_*) count one invocation per run.
// Whatever else runs on the machine, the invocations of a window equal mem_iter's runs minus
// one per read plus the others' runs. With cgroups: false the change counters are not attached.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { createEngine, type Engine } from '@bpfscope/core';
import { clearCache } from '@bpfscope/native';
import { describeKernel } from '../../../test/real-kernel.js';
import { mem } from './plugin.js';

interface Counts {
  iter: number;
  victim: number;
  cgroupChanges: number;
  invocations: number;
}

const CG = ['mem_cg_destroy_root', 'mem_cg_mkdir', 'mem_cg_remount', 'mem_cg_rename', 'mem_cg_rmdir', 'mem_cg_setup_root'];

function counts(engine: Engine): Counts {
  const s = engine.stats().collectors.find((c) => c.family === 'mem')?.sourceStats;
  expect(s?.programs.map((p) => p.program).sort()).toEqual([...CG, 'mem_iter', 'mem_oom_victim']);
  const runs = (name: string): number => s!.programs.find((p) => p.program === name)!.runs;
  const cgroupChanges = CG.reduce((n, p) => n + runs(p), 0);
  return { iter: runs('mem_iter'), victim: runs('mem_oom_victim'), cgroupChanges, invocations: s!.kernelCounters[0]!.invocations };
}

const memTotalBytes = (): number => Number(/^MemTotal:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024;

const config = { mode: 'ebpf', programStats: true, cache: { enabled: false }, logLevel: 'silent' } as const;

describeKernel('mem family, eBPF, processes off (the default)', () => {
  it('three readings run the iterator 0 times and report processCount null with the reason; with the option on, a reading runs it once', async () => {
    clearCache(); // an object of this test's own: no other engine's reads run its iterator
    const off = createEngine({ plugins: [mem({ cgroups: false })], config });
    try {
      await off.start();
      const before = counts(off);
      for (let i = 0; i < 3; i++) {
        const totals = [memTotalBytes()];
        const m = (await off.collect()).get('mem')?.data;
        totals.push(memTotalBytes());
        expect(m?.processes).toEqual([]);
        expect(m?.processCount).toBeNull();
        expect(m?.unavailable.processes).toBe('per-process faults are not read: they are opt-in (option processes: true)');
        expect(totals).toContain(m?.system?.totalBytes);
      }
      const after = counts(off);
      expect(after.iter - before.iter).toBe(0);
      expect(after.cgroupChanges - before.cgroupChanges).toBe(0); // cgroups: false attaches no change counter
      expect(after.invocations - before.invocations).toBe(after.victim - before.victim);
    } finally {
      await off.close();
    }
    clearCache();
    const on = createEngine({ plugins: [mem({ processes: true, cgroups: false, pids: [process.pid] })], config });
    try {
      await on.start();
      const before = counts(on);
      const m = (await on.collect()).get('mem')?.data;
      const after = counts(on);
      // One iterator read: its runs are the tasks it wrote plus the closing call.
      expect(after.iter - before.iter - 1 + (after.victim - before.victim)).toBe(after.invocations - before.invocations);
      expect(m?.processCount).toBe(1); // this process alone passes the PID filter
      expect(m?.processes.map((p) => p.pid)).toEqual([process.pid]);
    } finally {
      await on.close();
    }
  });
});
