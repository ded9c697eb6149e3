// User-space sampling on the proc family's real events (engine.events('proc', { sampling })),
// against a shell workload of known shape: N children, each one fork, one exec (/bin/true)
// and one exit, then the shell's own exit with status 7. The shell waits on its stdin until
// the streams are ready, so the whole workload happens while they are subscribed.
import { spawn, type ChildProcess } from 'node:child_process';
import { expect, it } from 'vitest';
import { createConsoleLogger, createEngine, type SampledEventStream } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { exited, spawned } from '../test/kernel-helpers.js';
import { proc } from './plugin.js';
import type { ProcessEvent } from './tree/events.js';

// N children and the shell: N + 1 = 25 exits, an odd count, so that a 1-in-2 counter
// (which keeps positions 0, 2, 4 …) keeps the last one, the shell's.
const N = 24;
const logger = createConsoleLogger('silent');

async function gatedWorkload(n: number): Promise<{ sh: ChildProcess; pid: number; go: () => void }> {
  const sh = spawn('sh', ['-c', `read _; i=0; while [ $i -lt ${n} ]; do /bin/true; i=$((i+1)); done; exit 7`], { stdio: ['pipe', 'ignore', 'ignore'] });
  await spawned(sh);
  return { sh, pid: sh.pid!, go: () => sh.stdin!.end('go\n') };
}

/** Reads until the shell's exit, with each event's weight. */
async function untilExitOf(stream: SampledEventStream<ProcessEvent>, pid: number): Promise<Array<{ e: ProcessEvent; weight: number }>> {
  const out: Array<{ e: ProcessEvent; weight: number }> = [];
  for await (const e of stream) {
    out.push({ e, weight: stream.weightOf(e) });
    if (e.type === 'exit' && e.pid === pid) break;
  }
  return out;
}

describeKernel('proc events, sampled in user space', () => {
  it('uniform 1-in-2 on the exits of a workload’s tree: exactly ⌈(N+1)/2⌉ kept, weight 2 each, the rest counted as sampled away', async () => {
    const engine = createEngine({ plugins: [proc()], config: { mode: 'ebpf', cache: { enabled: false } }, logger });
    const ac = new AbortController();
    const w = await gatedWorkload(N);
    try {
      const sampled = engine.events('proc', { signal: ac.signal, tree: w.pid, types: ['exit'], sampling: { strategy: 'uniform', every: 2 }, kernelSampling: false });
      const whole = engine.events('proc', { signal: ac.signal, tree: w.pid, types: ['exit'] });
      await Promise.all([sampled.ready, whole.ready]);
      const reading = Promise.all([untilExitOf(sampled, w.pid), untilExitOf(whole, w.pid)]);
      w.go();
      const [kept, all] = await reading;
      // The unsampled stream: every exit of the tree, weight 1.
      expect(all).toHaveLength(N + 1);
      expect(all.every((x) => x.e.type === 'exit' && x.weight === 1)).toBe(true);
      // The sampled one: the 1st, 3rd, 5th … exit of the same sequence, each standing for 2.
      const kexits = Math.ceil((N + 1) / 2);
      expect(kept.map((x) => x.e.pid)).toEqual(all.filter((_, i) => i % 2 === 0).map((x) => x.e.pid));
      expect(kept).toHaveLength(kexits);
      expect(kept.every((x) => x.weight === 2)).toBe(true);
      expect(kept.at(-1)?.e).toMatchObject({ type: 'exit', pid: w.pid, exitStatus: 7 });
      expect(sampled.counts()).toMatchObject({ seen: N + 1, kept: kexits, sampledAway: N + 1 - kexits, held: 0, delivered: kexits, droppedQueue: 0, droppedKernel: 0, keptWeight: 2 * kexits });
      const s = engine.stats().collectors.find((c) => c.family === 'proc')?.events;
      // Both loops left with break: both streams ended and are folded into the family's totals.
      expect(s).toMatchObject({ streams: 2, open: 0, seen: 2 * (N + 1), kept: N + 1 + kexits, sampledAway: N + 1 - kexits, delivered: N + 1 + kexits, droppedQueue: 0, queued: 0 });
      // Every delivered event's latency was recorded, once.
      expect(s?.latencyUs.count).toBe(N + 1 + kexits);
    } finally {
      ac.abort();
      await exited(w.sh);
      await engine.close();
    }
  });

  it('setSampling on the running family: the first half whole, then 1-in-3; totals exact', async () => {
    const engine = createEngine({ plugins: [proc()], config: { mode: 'ebpf', cache: { enabled: false } }, logger });
    const ac = new AbortController();
    const w = await gatedWorkload(N);
    try {
      const stream = engine.events('proc', { signal: ac.signal, tree: w.pid, types: ['exit'] });
      await stream.ready;
      w.go();
      // The sampler decides as the consumer pulls, so the switch after the 12th exit applies
      // from the 13th on, however many had reached the stream's queue meanwhile.
      const got: Array<{ pid: number; weight: number }> = [];
      for await (const e of stream) {
        got.push({ pid: e.pid, weight: stream.weightOf(e) });
        if (got.length === 12) await engine.setSampling('proc', { strategy: 'uniform', every: 3 }, { kernel: false });
        if (e.type === 'exit' && e.pid === w.pid) break;
      }
      // 12 whole, then 13 exits (12 children and the shell) at 1-in-3: positions 0, 3, 6, 9, 12.
      expect(got.map((g) => g.weight)).toEqual([...Array(12).fill(1), 3, 3, 3, 3, 3]);
      expect(got.at(-1)?.pid).toBe(w.pid);
      expect(stream.counts()).toMatchObject({ seen: N + 1, kept: 17, sampledAway: 8, delivered: 17, droppedQueue: 0, keptWeight: 12 + 15 });
    } finally {
      ac.abort();
      await exited(w.sh);
      await engine.close();
    }
  });
});
