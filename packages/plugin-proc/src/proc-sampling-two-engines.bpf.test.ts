// Two engines of one process share the proc object (the loader's cache), which has one kernel
// sampling setting: the first engine that puts one there holds it, the other's settings run
// in user space, its streams and its release never write the kernel's setting, and every
// engine's stats say whose setting is in force. The kernel's setting is also read straight
// from the object's proc_smp_cfg map through a handle of its own, and the events' weights show
// which setting the programs applied: the test's shell makes N children (fork, exec
// /bin/true, exit) and exits itself, so its children's events are known exactly.
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { createConsoleLogger, createEngine, type Engine, type SampledEventStream } from '@bpfscope/core';
import { KernelSamplingMaps, NativeObjectLoader, type BpfObject } from '@bpfscope/native';
import { describeKernel } from '../../../test/real-kernel.js';
import { exited, spawned } from '../test/kernel-helpers.js';
import { PROC_OBJECT_PATH } from './object-path.js';
import { proc } from './plugin.js';
import type { ProcessEvent } from './tree/events.js';

const N = 20;
const EVERY = 3;
const A_SETTING = { strategy: 'priority', match: { kinds: ['exit'] }, otherwise: { strategy: 'uniform', every: EVERY } } as const;
const B_SETTING = { strategy: 'priority', match: { kinds: ['exit'] }, otherwise: { strategy: 'uniform', every: 2 } } as const;

/** The proc_smp setting of event source 0 as the kernel holds it. */
function kernelCfg(obj: BpfObject): { flags: number; every: bigint } {
  const L = obj.structLayout('bpfscope_smp_cfg');
  const v = obj.map('proc_smp_cfg').lookup(new Uint8Array(4))!;
  const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
  return { flags: dv.getUint32(L.fields['flags']!.offset, true), every: dv.getBigUint64(L.fields['every']!.offset, true) };
}

const eventsOf = (e: Engine) => e.stats().collectors.find((c) => c.family === 'proc')!.events;

/** Pulls until the shell's exit; keeps the shell's and its children's events with their weights. */
async function untilExit(stream: SampledEventStream<ProcessEvent>, shell: number): Promise<Array<{ e: ProcessEvent; w: number }>> {
  const got: Array<{ e: ProcessEvent; w: number }> = [];
  for (;;) {
    const r = await stream.next();
    if (r.done === true) return got;
    const w = stream.weightOf(r.value);
    if (r.value.ppid === shell || r.value.pid === shell) got.push({ e: r.value, w });
    if (r.value.type === 'exit' && r.value.pid === shell) return got;
  }
}

describeKernel('proc events: one kernel sampling setting for the engines of a process', () => {
  it('the first engine holds the kernel; the other samples in user space on top of it, never writes it, and sees whose setting is in force', async () => {
    const config = { mode: 'ebpf', cache: { enabled: false } } as const;
    const a = createEngine({ plugins: [proc()], config, logger: createConsoleLogger('silent') });
    const b = createEngine({ plugins: [proc()], config, logger: createConsoleLogger('silent') });
    const acA = new AbortController();
    const acB = new AbortController();
    const sh = spawn('sh', ['-c', `read _; i=0; while [ $i -lt ${N} ]; do /bin/true; i=$((i+1)); done; exit 7`], { stdio: ['pipe', 'ignore', 'ignore'] });
    await spawned(sh);
    const own = await new NativeObjectLoader().load({ path: PROC_OBJECT_PATH }); // the same kernel object, for reading its maps
    try {
      await a.start();
      await b.start();
      await a.setSampling('proc', A_SETTING);
      // Two streams of A (two handles on the object) and a plain one of B.
      const sa: SampledEventStream<ProcessEvent> = a.events('proc', { signal: acA.signal });
      const sa2 = a.events('proc', { signal: acA.signal });
      await Promise.all([sa.ready, sa2.ready]);
      const sb: SampledEventStream<ProcessEvent> = b.events('proc', { signal: acB.signal });
      await sb.ready;
      expect(kernelCfg(own.object)).toMatchObject({ every: BigInt(EVERY) }); // B's open wrote nothing over it
      expect(kernelCfg(own.object).flags).not.toBe(0);
      // B's own family setting cannot take the kernel: it runs in user space, whole.
      await b.setSampling('proc', B_SETTING);
      expect(kernelCfg(own.object).every).toBe(BigInt(EVERY));
      const want = { priority: { kinds: ['exit'] }, uniform: { every: EVERY, mode: 'counter' } };
      expect(eventsOf(a)).toMatchObject({ kernelSetting: want, kernelOwner: 'family' });
      expect(eventsOf(b)).toMatchObject({ kernelSetting: want, kernelOwner: 'other-engine' });
      // A stream of B with its own setting, ended: it never held the kernel, its end writes nothing.
      const sbOwn = b.events('proc', { signal: acB.signal, sampling: { strategy: 'uniform', every: 5 } });
      await sbOwn.ready;
      await sbOwn.return();
      await new Promise((r) => setImmediate(r));
      expect(kernelCfg(own.object).every).toBe(BigInt(EVERY));

      sh.stdin!.end('go\n');
      const [gotA, gotB] = await Promise.all([untilExit(sa, sh.pid!), untilExit(sb, sh.pid!)]);
      const ref1 = new KernelSamplingMaps(own.object, 'proc_smp').counts(0);
      // A: every exit of the tree (high), the forks and execs thinned 1-in-3 in the kernel.
      const exitsA = gotA.filter((x) => x.e.type === 'exit');
      const othersA = gotA.filter((x) => x.e.type !== 'exit' && x.e.ppid === sh.pid);
      expect(exitsA).toHaveLength(N + 1);
      expect(exitsA.every((x) => x.w === 1 && x.e.weight === 1)).toBe(true);
      expect(othersA.length).toBeGreaterThan(0);
      expect(othersA.every((x) => x.w === EVERY && x.e.weight === EVERY)).toBe(true);
      // B: the same kernel decision (the same exits, kernel weight 3 on forks and execs), then its own 1-in-2 in user space.
      const exitsB = gotB.filter((x) => x.e.type === 'exit');
      const othersB = gotB.filter((x) => x.e.type !== 'exit' && x.e.ppid === sh.pid);
      expect(exitsB.map((x) => x.e.pid)).toEqual(exitsA.map((x) => x.e.pid));
      expect(exitsB.every((x) => x.w === 1)).toBe(true);
      expect(othersB.every((x) => x.e.weight === EVERY && x.w === 2 * EVERY)).toBe(true);
      // Counts: the object's, once (A has two handles on it), the same figures in both engines.
      const kA = eventsOf(a).kernel!;
      const kB = eventsOf(b).kernel!;
      const ref2 = new KernelSamplingMaps(own.object, 'proc_smp').counts(0);
      // The machine's counts (one event source): each engine's figures lie between two direct
      // reads of the map around them; the tree's exits are checked exactly through the streams above.
      for (const k of [kA, kB]) {
        expect(k.offered).toBeGreaterThanOrEqual(ref1.offered);
        expect(k.offered).toBeLessThanOrEqual(ref2.offered);
        expect(k.highPassed).toBeGreaterThanOrEqual(ref1.highPassed);
        expect(k.highPassed).toBeLessThanOrEqual(ref2.highPassed);
        expect(k.offered).toBe(k.passed + k.sampledAway + k.refused);
      }

      // A gives the kernel up: the slot is null, then B's next setting takes it.
      await a.setSampling('proc', null);
      expect(kernelCfg(own.object).flags).toBe(0);
      expect(eventsOf(b)).toMatchObject({ kernelSetting: null, kernelOwner: null });
      await b.setSampling('proc', { strategy: 'uniform', every: 4 });
      expect(kernelCfg(own.object)).toMatchObject({ every: 4n });
      expect(eventsOf(b)).toMatchObject({ kernelSetting: { uniform: { every: 4, mode: 'counter' } }, kernelOwner: 'family' });
      expect(eventsOf(a)).toMatchObject({ kernelSetting: { uniform: { every: 4, mode: 'counter' } }, kernelOwner: 'other-engine' });
      // A's setting now runs in user space and writes nothing; B's close gives the kernel back.
      await a.setSampling('proc', { strategy: 'uniform', every: 9 });
      expect(kernelCfg(own.object).every).toBe(4n);
      acB.abort();
      await b.close();
      expect(kernelCfg(own.object).flags).toBe(0);
      expect(eventsOf(a)).toMatchObject({ kernelSetting: null, kernelOwner: null });
    } finally {
      acA.abort();
      acB.abort();
      if (!sh.stdin!.writableEnded) sh.stdin!.end(); // a failure before the workload: the shell reads EOF and goes on
      await exited(sh);
      await a.close();
      await b.close();
      own.close();
    }
  });
});
