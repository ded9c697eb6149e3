// Program cache across engines for proc: its iterator-only object is loaded once per
// process; a second engine loads nothing, and after the first engine closes the second
// still reads exact figures through the same program.
import { expect, it } from 'vitest';
import { createConsoleLogger, createEngine, type Engine } from '@bpfscope/core';
import { objectCache } from '@bpfscope/native';
import { describeKernel } from '../../../test/real-kernel.js';
import { StepsChild } from '../../../test/steps.js';
import { PROC_OBJECT_PATH } from './ebpf/proc-ebpf-source.js';
import { proc } from './plugin.js';
import type { ProcMetrics } from './records.js';

const logger = createConsoleLogger('silent');

/** Ids of the cached proc object's programs, through a handle of the test's own on the same object. */
async function programIds(): Promise<number[]> {
  // The load options of the proc source: iterator only, with its filter slots on.
  const h = await objectCache.load(PROC_OBJECT_PATH, { name: PROC_OBJECT_PATH, autoloadOff: ['proc_fork', 'proc_exec', 'proc_exit'], constants: { proc_filtering: 1 } });
  try {
    return h.programStats().map((p) => p.id).sort((a, b) => a - b);
  } finally {
    h.close();
  }
}

describeKernel('proc program cache across engines', () => {
  it('a second engine loads no object again and reads exact figures after the first engine closed', async () => {
    const child = await StepsChild.start();
    const engines: Engine[] = [];
    try {
      const engine = (): Engine => {
        const e = createEngine({ plugins: [proc({ pids: [child.pid] })], config: { families: { proc: { mode: 'ebpf' } }, cache: { enabled: false } }, logger });
        engines.push(e);
        return e;
      };
      const first = engine();
      await first.start();
      expect(first.stats().programCache).toEqual({ hits: 0, misses: 1, loaded: 1 });
      const ids = await programIds();
      expect(ids).toHaveLength(1); // only the iterator is loaded

      const second = engine();
      await second.start();
      expect(second.stats().programCache).toEqual({ hits: 1, misses: 0, loaded: 1 });
      expect(await programIds()).toEqual(ids);
      await first.close();

      await child.run('sleep 50');
      const k = child.counters(); // the child is blocked: its counters hold still
      const snap = await second.collect();
      expect(snap.get('proc')?.source).toBe('ebpf');
      const rec = (snap.get('proc')?.data as ProcMetrics).processes.find((p) => p.pid === child.pid);
      expect(rec).toMatchObject({ pid: child.pid, voluntaryCtxtSwitches: k.voluntary, nonvoluntaryCtxtSwitches: k.involuntary, minorFaults: k.minorFaults });
      expect(await programIds()).toEqual(ids);
    } finally {
      for (const e of engines) await e.close();
      await child.stop();
    }
  });
});
