// With the eBPF source: the `initial` option of proc events (present events from the task
// iterator, then live events from the hooks) and a process tree built through the engine,
// against a workload whose processes block on a pipe the test holds.
import { expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';
import { realDescendants } from '../test/gated-tree.js';
import { procHarness, tick } from '../test/proc-harness.js';
import type { ExitEvent, ProcessEvent } from './tree/events.js';

const { engine: ebpfEngine, workload, treeEqualsRealTree } = procHarness('ebpf');

describeKernel('proc events with initial, and process trees through an engine (eBPF)', () => {
  it('initial: one present event for exactly the workload processes alive (from the task iterator), then its live events, none given twice', async () => {
    const engine = ebpfEngine();
    const w = await workload();
    await w.step('nest', 3);
    await w.step('flat', 2);
    while (realDescendants(w.pid).length < 8) await tick();
    const real = realDescendants(w.pid);
    const stream = engine.events('proc', { tree: w.pid, initial: true });
    await stream.ready;
    const queued = stream.counts().queued;
    const present: ProcessEvent[] = [];
    for (let i = 0; i < queued; i++) present.push((await stream.next()).value as ProcessEvent);
    expect(present.every((e) => e.type === 'present' && e.source === 'ebpf' && e.observed === 'ebpf' && !e.zombie)).toBe(true);
    expect(present.map((e) => `${e.pid}<-${e.ppid}`).sort()).toEqual([`${w.pid}<-${process.pid}`, ...real].sort());
    // Start times measured (boot time + the process's start), not the time of the reading.
    for (const e of present) if (e.type === 'present') expect(e.startTime).toBeLessThan(e.time);
    // Live: two more children fork and everything exits; each process's fork (new ones only) and exit once.
    await w.step('flat', 2);
    w.release(10);
    const done = w.finish();
    const live: ProcessEvent[] = [];
    for await (const e of stream) {
      live.push(e);
      if (e.type === 'exit' && e.pid === w.pid) break;
    }
    expect(await done).toBe(0);
    const forks = live.filter((e) => e.type === 'fork');
    expect(forks).toHaveLength(2);
    for (const f of forks) expect(f).toMatchObject({ ppid: w.pid, source: 'ebpf' });
    const exits = live.filter((e): e is ExitEvent => e.type === 'exit');
    const all = [w.pid, ...real.map((r) => Number(r.split('<-')[0])), ...forks.map((f) => f.pid)];
    expect(exits.map((e) => e.pid).sort()).toEqual(all.sort());
    expect(exits.every((e) => e.exitStatus === 0 && e.totals !== null)).toBe(true);
    expect(live.some((e) => e.type === 'present')).toBe(false);
  });

  it('a process tree through an engine in mode ebpf equals the real tree (pids and ppids), first state and forks seen later', async () => {
    const tree = await treeEqualsRealTree(ebpfEngine());
    expect(tree.source).toBe('ebpf');
    expect(tree.fallbackReason).toBeNull();
    // Every exit with its totals from the kernel.
    expect(tree.summary().totals).toMatchObject({ processes: 11, withoutTotals: 0 });
    expect(tree.summary().lost).toEqual({ kernelDropped: 0, evicted: 0, eventsDroppedByReaders: 0, feedDropped: 0 });
  });
});
