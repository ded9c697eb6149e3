import { execFileSync } from 'node:child_process';
import { unlinkSync } from 'node:fs';
import { expect, it } from 'vitest';
import { createEngine, type SourceStats } from '@bpfscope/core';
import { openPinnedProgram } from '@bpfscope/native';
import { describeKernel } from '../../../test/real-kernel.js';
import { StepsChild } from '../../../test/steps.js';
import { cpu } from './plugin.js';

describeKernel('cpu family stats through engine.stats()', () => {
  it('program run counts equal the kernel’s own count of the same program read at the same moments, and the shared counters are there', async () => {
    const engine = createEngine({ plugins: [cpu()], config: { mode: 'ebpf', programStats: true, logLevel: 'silent' } });
    const child = await StepsChild.start({ cpu: 0 });
    const stats = (): SourceStats => {
      const s = engine.stats().collectors.find((c) => c.family === 'cpu')?.sourceStats;
      if (!s) throw new Error('no cpu source stats');
      return s;
    };
    const runs = (s: SourceStats): number => s.programs.find((p) => p.program === 'cpu_switch')?.runs ?? NaN;
    const pin = `/sys/fs/bpf/bpfscope-stats-test-${process.pid}`;
    let shape: SourceStats, a0, s1, a1, k0, k1, b0, s2, b1;
    try {
      await engine.start();
      shape = stats();
      const id = shape.programs.find((p) => p.program === 'cpu_switch')?.id;
      // An independent reader of the same kernel counters: the program by its id, pinned by
      // bpftool and opened through the native layer (the pin is removed at once, the fd stays).
      execFileSync('bpftool', ['prog', 'pin', 'id', String(id), pin]);
      const prog = openPinnedProgram(pin);
      unlinkSync(pin);
      try {
        a0 = prog.info().runCount;
        s1 = runs(stats());
        a1 = prog.info().runCount;
        k0 = child.counters().switches;
        await child.run('sleep 100');
        await child.run('spin 20000');
        k1 = child.counters().switches;
        b0 = prog.info().runCount;
        s2 = runs(stats());
        b1 = prog.info().runCount;
      } finally {
        prog.close();
      }
    } finally {
      await engine.close();
      await child.stop();
    }
    // The shape: all seven programs with kernel ids, run counts and ns per run; one object's
    // shared per-CPU counters; counting held on by the source (programStats: true).
    expect(shape.runStatsEnabled).toBe(true);
    expect(shape.programs.map((p) => p.program).sort()).toEqual(['cpu_irq_entry', 'cpu_irq_exit', 'cpu_sirq_entry', 'cpu_sirq_exit', 'cpu_switch'].sort());
    expect(new Set(shape.programs.map((p) => p.id)).size).toBe(5);
    expect(shape.kernelCounters).toHaveLength(1);
    expect(shape.kernelCounters[0]).toMatchObject({ object: 'cpu.bpf.o', map: 'cpu_stats', eventsSent: 0, eventsDropped: 0 });
    expect(shape.counters).toEqual({ links: 5 });
    // The run count the engine reports lies between two direct readings taken just before and
    // just after it, each time: it is the kernel's count, not an estimate.
    const seen = `direct ${a0}..${a1} engine ${s1}; direct ${b0}..${b1} engine ${s2}; child switches ${k0}->${k1}`;
    expect(a0, seen).toBeLessThanOrEqual(s1);
    expect(s1, seen).toBeLessThanOrEqual(a1);
    expect(b0, seen).toBeLessThanOrEqual(s2);
    expect(s2, seen).toBeLessThanOrEqual(b1);
    // Between the two stats() calls every switch away from the pinned child ran the program.
    expect(s2 - s1, seen).toBeGreaterThanOrEqual(k1 - k0);
    expect(k1 - k0, seen).toBeGreaterThan(0);
  });
});
