// The proc family's events through the engine (engine.events('proc')), against a shell
// workload of known shape: N children, each one fork, one exec (/bin/true) and one exit,
// then the shell's own exit with status 7. The shell waits on its stdin until the stream is
// ready, so the whole workload happens while the stream is subscribed.
import { spawn, type ChildProcess } from 'node:child_process';
import { expect, it } from 'vitest';
import { createConsoleLogger, createEngine, type Engine, type EventStream } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { exited, spawned } from '../test/kernel-helpers.js';
import { proc } from './plugin.js';
import type { ProcessEvent } from './tree/events.js';

const N = 25;
const logger = createConsoleLogger('silent');

async function gatedWorkload(n: number): Promise<{ sh: ChildProcess; pid: number; go: () => void }> {
  const sh = spawn('sh', ['-c', `read _; i=0; while [ $i -lt ${n} ]; do /bin/true; i=$((i+1)); done; exit 7`], { stdio: ['pipe', 'ignore', 'ignore'] });
  await spawned(sh);
  return { sh, pid: sh.pid!, go: () => sh.stdin!.end('go\n') };
}

/** Reads until the shell's exit (always its tree's last event: it waits for each child). */
async function untilExitOf(stream: EventStream<ProcessEvent>, pid: number, keep: (e: ProcessEvent) => boolean = () => true): Promise<ProcessEvent[]> {
  const out: ProcessEvent[] = [];
  for await (const e of stream) {
    if (keep(e)) out.push(e);
    if (e.type === 'exit' && e.pid === pid) break;
  }
  return out;
}

function engineWithProc(): Engine {
  return createEngine({ plugins: [proc()], config: { mode: 'ebpf', cache: { enabled: false } }, logger });
}

/** N forks, N execs and N+1 exits, each child fork → exec → exit in order, with the shell's pids. */
function expectWorkload(events: ProcessEvent[], shPid: number): void {
  const forks = events.filter((e) => e.type === 'fork');
  const execs = events.filter((e) => e.type === 'exec');
  const exits = events.filter((e) => e.type === 'exit');
  expect([forks.length, execs.length, exits.length]).toEqual([N, N, N + 1]);
  const children = forks.map((f) => f.pid);
  expect(new Set(children).size).toBe(N);
  for (const f of forks) expect(f).toMatchObject({ ppid: shPid, observed: 'ebpf' });
  for (let i = 0; i < N; i++) {
    const mine = events.filter((e) => e.pid === children[i]);
    expect(mine.map((e) => e.type)).toEqual(['fork', 'exec', 'exit']);
    expect(mine[1]).toMatchObject({ comm: 'true', ppid: shPid });
    expect(mine[2]).toMatchObject({ ppid: shPid, exitStatus: 0, signal: null });
  }
  const last = events.at(-1);
  expect(last).toMatchObject({ type: 'exit', pid: shPid, ppid: process.pid, comm: 'sh', exitStatus: 7, signal: null });
  if (last?.type === 'exit') expect(last.totals?.runtimeSeconds).toBeGreaterThan(0);
  // Nothing of other processes: every event is the shell's or one of its children's.
  for (const e of events) expect(e.pid === shPid || children.includes(e.pid)).toBe(true);
}

describeKernel('proc events through the engine', () => {
  it('yields exactly the forks, execs and exits of a workload, filtered to its tree and unfiltered (one shared ring)', async () => {
    const engine = engineWithProc();
    const ac = new AbortController();
    const w = await gatedWorkload(N);
    try {
      const tree = engine.events('proc', { signal: ac.signal, tree: w.pid });
      const all = engine.events('proc', { signal: ac.signal });
      await Promise.all([tree.ready, all.ready]);
      const reading = Promise.all([untilExitOf(tree, w.pid), untilExitOf(all, w.pid, (e) => e.pid === w.pid || e.ppid === w.pid)]);
      w.go();
      const [fromTree, fromAll] = await reading;
      expectWorkload(fromTree, w.pid);
      expectWorkload(fromAll, w.pid);
      expect(fromAll).toEqual(fromTree);
      expect(tree.counts()).toMatchObject({ delivered: 3 * N + 1, droppedQueue: 0, droppedKernel: 0, ended: true });
      const s = engine.stats().collectors.find((c) => c.family === 'proc');
      // Both loops left with break (return()): both streams ended and were released.
      expect(s?.events).toMatchObject({ streams: 2, open: 0, droppedQueue: 0, droppedKernel: 0 });
      expect(s?.events.delivered).toBe(3 * N + 1 + all.counts().delivered);
    } finally {
      ac.abort();
      await exited(w.sh);
      await engine.close();
    }
  });

  it('a slow consumer (queue: 4, not reading until the workload ended): the oldest are dropped and counted, delivered + dropped = produced', async () => {
    const engine = engineWithProc();
    const ac = new AbortController();
    const w = await gatedWorkload(N);
    try {
      const stream = engine.events('proc', { signal: ac.signal, tree: w.pid, queue: 4 });
      await stream.ready;
      w.go();
      await exited(w.sh);
      const produced = 3 * N + 1;
      // The ring is drained on the event loop: wait (no time limit) until every event of the workload reached the queue.
      while (stream.counts().droppedQueue + stream.counts().queued < produced) await new Promise((r) => setTimeout(r, 10));
      expect(stream.counts()).toMatchObject({ delivered: 0, droppedQueue: produced - 4, queued: 4, droppedKernel: 0 });
      const got = await untilExitOf(stream, w.pid);
      // The newest four survive: the last child's fork, exec and exit, then the shell's exit.
      expect(got.map((e) => e.type)).toEqual(['fork', 'exec', 'exit', 'exit']);
      expect(got[0]?.ppid).toBe(w.pid);
      expect(got.slice(0, 3).map((e) => e.pid)).toEqual([got[0]?.pid, got[0]?.pid, got[0]?.pid]);
      expect(got[3]).toMatchObject({ pid: w.pid, exitStatus: 7 });
      const c = stream.counts();
      expect(c.delivered + c.droppedQueue).toBe(produced);
      const s = engine.stats().collectors.find((x) => x.family === 'proc')?.events;
      expect(s).toMatchObject({ delivered: 4, droppedQueue: produced - 4 });
    } finally {
      ac.abort();
      await engine.close();
    }
  });

  it('ends when the signal aborts and releases the subscription (the hooks object is let go)', async () => {
    const engine = engineWithProc();
    await engine.start();
    const before = engine.stats().programCache.loaded;
    const ac = new AbortController();
    const stream = engine.events('proc', { signal: ac.signal });
    await stream.ready;
    expect(engine.stats().programCache.loaded).toBe(before + 1);
    expect(engine.stats().collectors.find((c) => c.family === 'proc')?.events.open).toBe(1);
    const iterating = (async () => {
      for await (const _ of stream);
      return 'ended';
    })();
    ac.abort();
    expect(await iterating).toBe('ended');
    expect(stream.counts().ended).toBe(true);
    expect(engine.stats().programCache.loaded).toBe(before);
    expect(engine.stats().collectors.find((c) => c.family === 'proc')?.events.open).toBe(0);
    await engine.close();
  });

  it('bad options are ConfigErrors with their path, from either source', async () => {
    for (const mode of ['ebpf', 'fallback'] as const) {
      const engine = createEngine({ plugins: [proc()], config: { mode, cache: { enabled: false } }, logger });
      await expect(engine.events('proc', { tree: -1 }).ready).rejects.toThrow(/events\.tree: got -1/);
      await expect(engine.events('proc', { types: ['spawn'] } as never).ready).rejects.toThrow(/events\.types/);
      await expect(engine.events('proc', { types: ['present'] } as never).ready).rejects.toThrow(/events\.types.*initial option/);
      await expect(engine.events('proc', { initial: 'yes' } as never).ready).rejects.toThrow(/events\.initial/);
      await expect(engine.events('proc', { pollIntervalMs: 1 }).ready).rejects.toThrow(/events\.pollIntervalMs/);
      await expect(engine.events('proc', { colour: 'red' } as never).ready).rejects.toThrow(/events\.colour/);
      await engine.close();
    }
  });
});
