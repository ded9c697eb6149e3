// Ring-buffer bytes of the proc family in engine.stats(): every record the fork/exec/exit
// hooks send is one struct proc_ev, whose size the object's BTF gives. The stream here is
// the first of this test file's process, so the events object is loaded fresh (counters
// at 0) and the stream receives every record the kernel counted.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { createConsoleLogger, createEngine, type Engine, type KernelCounters } from '@bpfscope/core';
import { readStructLayouts } from '@bpfscope/native';
import { describeKernel } from '../../../test/real-kernel.js';
import { spawned } from '../test/kernel-helpers.js';
import { PROC_OBJECT_PATH } from './ebpf/proc-ebpf-source.js';
import { proc } from './plugin.js';
import type { ProcessEvent } from './tree/events.js';

const N = 20;

function countersOf(engine: Engine, role: string): KernelCounters | undefined {
  return engine.stats().collectors.find((c) => c.family === 'proc')?.sourceStats?.kernelCounters.find((k) => k.role === role);
}

/** The events load's counters at a moment no hook ran: two reads in a row that agree. */
async function settled(engine: Engine): Promise<KernelCounters> {
  for (let i = 0; i < 1000; i++) {
    const a = countersOf(engine, 'events');
    const b = countersOf(engine, 'events');
    if (a && b && a.eventsSent === b.eventsSent && a.ringBufferBytes === b.ringBufferBytes) return b;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('the proc events counters never held still for two reads');
}

describeKernel('proc family ring-buffer bytes', () => {
  it('the events load counts struct proc_ev bytes per record: bytes = records received × sizeof(proc_ev) from BTF', async () => {
    const size = readStructLayouts(readFileSync(PROC_OBJECT_PATH)).get('proc_ev')!.size;
    const engine = createEngine({ plugins: [proc()], config: { mode: 'ebpf', cache: { enabled: false }, programStats: true }, logger: createConsoleLogger('silent') });
    const ac = new AbortController();
    try {
      await engine.start();
      // The table load's ring is unused: its counters say so.
      expect(countersOf(engine, 'table')).toMatchObject({ eventsSent: 0, eventsDropped: 0, ringBufferBytes: 0 });
      const all = engine.events('proc', { signal: ac.signal });
      await all.ready;
      const sh = spawn('sh', ['-c', `read _; i=0; while [ $i -lt ${N} ]; do /bin/true; i=$((i+1)); done`], { stdio: ['pipe', 'ignore', 'ignore'] });
      await spawned(sh);
      const received: ProcessEvent[] = [];
      const it = all[Symbol.asyncIterator]();
      sh.stdin!.end('go\n');
      // Until the shell's exit: its N children (fork, exec, exit each) come before it.
      for (;;) {
        const { value, done } = await it.next();
        if (done) throw new Error('the stream ended');
        received.push(value);
        if (value.type === 'exit' && value.pid === sh.pid) break;
      }
      const counted = await settled(engine);
      // Every record the kernel counted is in the ring, in order: read on until all have come.
      while (received.length < counted.eventsSent) {
        const { value, done } = await it.next();
        if (done) throw new Error('the stream ended');
        received.push(value);
      }
      const family = engine.stats().collectors.find((c) => c.family === 'proc')!;
      expect(family.events).toMatchObject({ droppedKernel: 0, droppedQueue: 0 });
      expect(counted.eventsDropped).toBe(0);
      expect(received.length).toBe(counted.eventsSent);
      expect(counted.ringBufferBytes).toBe(received.length * size);
      // The workload's own records are among them, exactly: N forks, N execs, N + 1 exits.
      const children = new Set(received.filter((e) => e.type === 'fork' && e.ppid === sh.pid).map((e) => e.pid));
      const mine = received.filter((e) => e.pid === sh.pid || children.has(e.pid));
      expect(children.size).toBe(N);
      expect(['fork', 'exec', 'exit'].map((t) => mine.filter((e) => e.type === t && e.pid !== sh.pid).length)).toEqual([N, N, N]);
      // The hooks' programs and their kernel run counts are in the same stats.
      expect(family.sourceStats?.programs.map((p) => p.program).sort()).toEqual(['proc_exec', 'proc_exit', 'proc_fork', 'proc_iter']);
    } finally {
      ac.abort();
      await engine.close();
    }
  });
});
