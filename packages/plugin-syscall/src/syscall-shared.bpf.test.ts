// Engines of one process share the loaded syscall object (one per mode): the second engine
// loads nothing and attaches nothing new, while each engine keeps its own filter and
// counters in its slot of the object.
import { expect, it } from 'vitest';
import { createEngine, type Engine } from '@bpfscope/core';
import { clearCache } from '@bpfscope/native';
import { describeKernel } from '../../../test/real-kernel.js';
import { readSyscall, silent } from '../test/read-syscall.js';
import { startWorkload } from '../test/syscall-workload.js';
import { syscall } from './plugin.js';
import { syscallNumber } from './syscall-table.js';

const GETPPID = syscallNumber('getppid')!;

function engineFor(): Engine {
  // pids: [] counts nothing until a test sets its filter.
  return createEngine({ plugins: [syscall({ processes: true, mode: 'latency', pids: [] })], config: { mode: 'ebpf', cache: { enabled: false }, programStats: true }, logger: silent });
}

function source(engine: Engine): { ids: number[]; slot: number | undefined } {
  const s = engine.stats().collectors.find((c) => c.family === 'syscall')!.sourceStats!;
  return { ids: s.programs.map((p) => p.id).sort(), slot: s.counters.slot };
}

/** getppid calls per pid in a reading. */
async function getppids(engine: Engine): Promise<Map<number, number>> {
  const m = await readSyscall(engine);
  return new Map(m.processes.map((p) => [p.pid, p.bySyscall?.find((s) => s.id === GETPPID)?.count ?? 0]));
}

describeKernel('syscall: one loaded object shared by engines, a filter and counters per engine', () => {
  it('a second engine loads nothing; each counts only what its own filter lets through; closing one leaves the other counting; a reused slot starts at zero', async () => {
    clearCache();
    const first = engineFor();
    const second = engineFor();
    let third: Engine | null = null;
    try {
      await first.start();
      await second.start();
      expect(first.stats().programCache).toEqual({ hits: 0, misses: 1, loaded: 1 });
      expect(second.stats().programCache).toEqual({ hits: 1, misses: 0, loaded: 1 });
      // The same programs (same ids), in two slots.
      expect(source(second).ids).toEqual(source(first).ids);
      expect([source(first).slot, source(second).slot]).toEqual([0, 1]);

      const a = await startWorkload(300, 0);
      const b = await startWorkload(400, 0);
      await first.setFilter('syscall', { pids: [a.pid] });
      await second.setFilter('syscall', { pids: [b.pid] });
      await a.go();
      await b.go();
      expect([...(await getppids(first))]).toEqual([[a.pid, 300]]);
      expect([...(await getppids(second))]).toEqual([[b.pid, 400]]);

      const ids = source(second).ids;
      await first.close();
      const c = await startWorkload(500, 0);
      await second.setFilter('syscall', { pids: [c.pid] });
      await c.go();
      const after = await getppids(second);
      expect(after.get(c.pid)).toBe(500);
      expect(source(second).ids).toEqual(ids);

      // The first engine's slot, taken again: its counts are cleared.
      third = engineFor();
      await third.start();
      expect(third.stats().programCache).toEqual({ hits: 1, misses: 0, loaded: 1 });
      expect(source(third).slot).toBe(0);
      const m = await readSyscall(third);
      expect([m.total.count, m.processes.length]).toEqual([0, 0]);
    } finally {
      await third?.close();
      await second.close();
      await first.close();
    }
  });

  it('when every slot is taken, the next engine loads an object of its own and counts alike', async () => {
    clearCache();
    const engines = Array.from({ length: 5 }, engineFor);
    try {
      for (const e of engines) await e.start();
      expect(engines.map((e) => source(e).slot)).toEqual([0, 1, 2, 3, 0]);
      const shared = source(engines[0]!).ids;
      expect(engines.slice(1, 4).map((e) => source(e).ids)).toEqual([shared, shared, shared]);
      expect(source(engines[4]!).ids.some((id) => shared.includes(id))).toBe(false);
      const w = await startWorkload(250, 0);
      for (const e of engines) await e.setFilter('syscall', { pids: [w.pid] });
      await w.go();
      for (const e of engines) expect((await getppids(e)).get(w.pid)).toBe(250);
    } finally {
      for (const e of engines.reverse()) await e.close();
    }
  });
});
