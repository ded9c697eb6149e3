// Kernel sampling of proc events (proc_smp maps in proc.bpf.o): priority by kind, exits high,
// and a 1-in-3 uniform for forks and execs, decided before ring space is taken. The decision
// sees every process of the machine; the test's shell makes N children (fork, exec /bin/true,
// exit) and exits itself, so its children's events (ppid = the shell) are known exactly. The
// stream takes no `tree` option: the tree follows processes by their fork events, and forks
// sampled away in the kernel would hide their children from it.
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { ConfigError, createConsoleLogger, createEngine, type SampledEventStream } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { exited, spawned } from '../test/kernel-helpers.js';
import { proc } from './plugin.js';
import type { ProcessEvent } from './tree/events.js';

const N = 30;
const EVERY = 3;

describeKernel('proc events: sampling decided in the kernel', () => {
  it('exits high by kind: every exit of the tree delivered with weight 1; forks and execs 1-in-3 with weight 3; the setting changes with no reload', async () => {
    const engine = createEngine({ plugins: [proc()], config: { mode: 'ebpf', cache: { enabled: false } }, logger: createConsoleLogger('silent') });
    const ac = new AbortController();
    const sh = spawn('sh', ['-c', `read _; i=0; while [ $i -lt ${N} ]; do /bin/true; i=$((i+1)); done; exit 7`], { stdio: ['pipe', 'ignore', 'ignore'] });
    await spawned(sh);
    try {
      await engine.start();
      await expect(engine.setSampling('proc', { strategy: 'priority', match: { kinds: ['oom'] } })).rejects.toMatchObject({ name: ConfigError.name, path: 'families.proc.sampling.match.kinds[0]' });
      const tree: SampledEventStream<ProcessEvent> = engine.events('proc', { signal: ac.signal });
      await tree.ready;
      await engine.setSampling('proc', { strategy: 'priority', match: { kinds: ['exit'] }, otherwise: { strategy: 'uniform', every: EVERY } });
      const ids = engine.stats().collectors.find((c) => c.family === 'proc')!.sourceStats!.programs.map((p) => p.id);
      sh.stdin!.end('go\n');
      const got: Array<{ e: ProcessEvent; w: number }> = [];
      for (;;) {
        const r = await tree.next();
        if (r.done === true) break;
        const w = tree.weightOf(r.value);
        if (r.value.ppid === sh.pid || r.value.pid === sh.pid) got.push({ e: r.value, w });
        if (r.value.type === 'exit' && r.value.pid === sh.pid) break;
      }
      const exits = got.filter((x) => x.e.type === 'exit');
      const others = got.filter((x) => x.e.type !== 'exit' && x.e.ppid === sh.pid);
      expect(exits).toHaveLength(N + 1); // every child and the shell
      expect(exits.every((x) => x.w === 1 && x.e.weight === 1)).toBe(true);
      expect(exits.at(-1)?.e).toMatchObject({ pid: sh.pid, exitStatus: 7 });
      expect(others.every((x) => x.w === EVERY && x.e.weight === EVERY)).toBe(true);
      expect(others.length).toBeLessThan(2 * N); // thinned: N forks and N execs happened
      // The decision's counts are the machine's (the proc object has one event source), so the
      // tree's share of them cannot be told apart: the tree is checked exactly through its events
      // above (every exit passed as high, weight 1; forks and execs thinned, weight 3), the counts
      // through what must hold whatever else ran: every offered event counted once, and no tail
      // or bucket decision, since none is set.
      const k = tree.counts().kernel!;
      expect(k.offered).toBe(k.passed + k.sampledAway + k.refused);
      expect(k.sampledAway).toBe(k.uniformAway);
      expect({ tailAway: k.tailAway, refused: k.refused, contended: k.contended }).toEqual({ tailAway: 0, refused: 0, contended: 0 });
      expect(tree.counts().droppedKernel).toBe(0);
      // Off again at run time: the same programs, and nothing more is decided.
      await engine.setSampling('proc', null);
      const after = engine.stats().collectors.find((c) => c.family === 'proc')!;
      expect(after.events.kernelSetting).toBeNull();
      expect(after.sourceStats!.programs.map((p) => p.id)).toEqual(ids);
    } finally {
      ac.abort();
      await exited(sh);
      await engine.close();
    }
  });
});
