// The proc family's procfs source gives events too: engine.events('proc') on an engine in
// mode `fallback`, against the real /proc and a workload whose processes block on a pipe
// the test holds (they live across any number of scans, with no sleep).
import { describe, expect, it } from 'vitest';
import type { EventStream } from '@bpfscope/core';
import { realDescendants } from '../test/gated-tree.js';
import { procHarness, tick } from '../test/proc-harness.js';
import type { ProcessEvent } from './tree/events.js';

const N = 12;
const SLOW = 60_000;
const { engine: fallbackEngine, workload, treeEqualsRealTree } = procHarness('fallback');

/** Pull events until `done` holds for what was read. */
async function readUntil(stream: EventStream<ProcessEvent>, got: ProcessEvent[], done: () => boolean): Promise<void> {
  while (!done()) {
    const r = await stream.next();
    if (r.done === true) throw new Error('the stream ended early');
    got.push(r.value);
  }
}

describe('proc events from the procfs source (engine in mode fallback)', () => {
  it('exactly the N forks and N exits of a workload (each child seen alive by a scan), then its shell exit; each event says procfs', async () => {
    const engine = fallbackEngine();
    const w = await workload();
    const stream = engine.events('proc', { tree: w.pid, pollIntervalMs: 20 });
    await stream.ready;
    const got: ProcessEvent[] = [];
    await w.step('flat', N);
    await readUntil(stream, got, () => got.filter((e) => e.type === 'fork').length >= N);
    w.release(N);
    await readUntil(stream, got, () => got.filter((e) => e.type === 'exit').length >= N);
    const code = w.finish();
    await readUntil(stream, got, () => got.some((e) => e.type === 'exit' && e.pid === w.pid));
    expect(await code).toBe(0);
    const forks = got.filter((e) => e.type === 'fork');
    const exits = got.filter((e) => e.type === 'exit');
    const children = forks.map((e) => e.pid);
    expect(forks.length).toBe(N);
    expect(new Set(children).size).toBe(N);
    for (const f of forks) expect(f).toMatchObject({ ppid: w.pid, comm: 'sh', source: 'procfs', observed: 'procfs-scan', cgroupId: null });
    // N exits of those children, then the shell's: nothing else, no exec (procfs cannot see one).
    expect(exits.map((e) => e.pid).sort()).toEqual([...children, w.pid].sort());
    expect(exits.at(-1)?.pid).toBe(w.pid);
    expect(got.length).toBe(2 * N + 1);
    for (const e of exits) {
      expect(e).toMatchObject({ source: 'procfs', exitCode: null, exitStatus: null, signal: null, totals: null });
      if (e.type === 'exit') expect(e.totalsUnavailable).toMatch(/need the eBPF source/);
    }
    expect(stream.counts()).toMatchObject({ delivered: 2 * N + 1, droppedQueue: 0, droppedKernel: null });
    expect(engine.stats().collectors.find((c) => c.family === 'proc')?.sourceKind).toBe('procfs');
    // While the stream is open, its scan timer is listed as running; once it ends, nothing runs.
    expect(engine.stats().running.filter((r) => r.family === 'proc').map((r) => r.what)).toEqual([
      '1 event stream open (proc-procfs): delivered as the source gives them',
      'a /proc scan every 20 ms (an open event stream)',
    ]);
    await stream.return();
    expect(engine.stats().running).toEqual([]);
  }, SLOW);

  it('initial: the stream first yields a present event for exactly the workload processes alive, then live events', async () => {
    const engine = fallbackEngine();
    const w = await workload();
    await w.step('nest', 3);
    await w.step('flat', 2);
    while (realDescendants(w.pid).length < 8) await tick();
    const real = realDescendants(w.pid);
    const stream = engine.events('proc', { tree: w.pid, initial: true, pollIntervalMs: 20 });
    await stream.ready;
    const queued = stream.counts().queued;
    const present: ProcessEvent[] = [];
    for (let i = 0; i < queued; i++) present.push((await stream.next()).value as ProcessEvent);
    expect(present.every((e) => e.type === 'present' && e.source === 'procfs' && !e.zombie)).toBe(true);
    expect(present.map((e) => `${e.pid}<-${e.ppid}`).sort()).toEqual([`${w.pid}<-${process.pid}`, ...real].sort());
    // Start times measured (boot time + the process's start), not the time of the reading.
    for (const e of present) if (e.type === 'present') expect(e.startTime).toBeLessThan(e.time);
    // Live events follow: one more child, seen by a scan.
    await w.step('flat', 1);
    const live: ProcessEvent[] = [];
    await readUntil(stream, live, () => live.length >= 1);
    expect(live[0]).toMatchObject({ type: 'fork', ppid: w.pid });
    w.release(9);
    expect(await w.finish()).toBe(0);
  }, SLOW);

  it('a process tree through the engine equals the real tree (pids and ppids), first state and forks seen later', async () => {
    const tree = await treeEqualsRealTree(fallbackEngine(), 20);
    expect(tree.source).toBe('procfs');
    expect(tree.summary().totals).toMatchObject({ processes: 0, withoutTotals: 11 });
  }, SLOW);
});
