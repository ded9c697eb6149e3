// Page faults of a child that touches N fresh pages (huge pages off): 40 % in a thread that
// exits, 30 % in a thread that stays, 30 % in the main thread. Its minor faults must rise by
// at least N, and while it waits on stdin (no faults) the family's totals must equal the
// kernel's own /proc/<pid>/stat exactly — in eBPF mode that proves the iterator sums living
// threads and the exited thread's totals as the kernel does. "Waits" is checked, not assumed:
// every thread is off the CPU, blocked in a known call, when the two are read.
import { readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { createEngine, type Engine, type FamilyMode } from '@bpfscope/core';
import { SYS, waitBlocked } from '../../../test/blocked.js';
import { describeKernel } from '../../../test/real-kernel.js';
import { startWorkload, workloadBinary, type Workload } from '../test/mem-workloads.js';
import { mem } from './plugin.js';
import { parsePidFaults } from './procfs/parse-pid-faults.js';
import type { ProcessFaults } from './records.js';

const N = 10_000;
const silent = { error() {}, warn() {}, info() {}, debug() {} };
let engine: Engine | undefined;
let toucher: Workload | undefined;

afterEach(async () => {
  await engine?.close();
  toucher?.child.kill('SIGKILL'); // the test's own child, by its handle
  await toucher?.exited;
  engine = toucher = undefined;
});

async function faultsOf(pid: number): Promise<ProcessFaults | undefined> {
  const r = (await engine!.collect()).get('mem');
  return r?.data.processes.find((p) => p.pid === pid);
}

const procStat = (pid: number) => parsePidFaults(readFileSync(`/proc/${pid}/stat`, 'utf8'), `/proc/${pid}/stat`);

for (const mode of ['ebpf', 'fallback'] as const satisfies readonly FamilyMode[]) {
  describeKernel(`mem family page faults (mode ${mode})`, () => {
    it(`a child touching ${N} fresh pages: its minor faults rise by at least ${N}, and idle totals equal /proc/<pid>/stat`, async () => {
      toucher = await startWorkload(workloadBinary('toucher'), [String(N)]);
      const pid = toucher.pid;
      // Readings are compared only while no thread of it can fault: each blocked in a call,
      // off the CPU (a fault between the family's reading and /proc's made 166 vs 167).
      await waitBlocked(pid);
      engine = createEngine({ plugins: [mem({ processes: true, pids: [pid] })], config: { mode, cache: { enabled: false } }, logger: silent });
      await engine.start();
      const before = await faultsOf(pid);
      expect(before).toMatchObject({ pid, comm: 'toucher' });
      expect(before!.minorFaults).toBe(procStat(pid).minorFaults);
      toucher.send('go');
      expect(await toucher.line()).toBe('done');
      // The main thread waits in read(0), the thread that stays in futex (the held mutex).
      await waitBlocked(pid, { threads: 2, calls: [SYS.read, SYS.futex] });
      const after = await faultsOf(pid);
      const stat = procStat(pid);
      expect(after!.minorFaults - before!.minorFaults).toBeGreaterThanOrEqual(N);
      expect(after!.minorFaults).toBe(stat.minorFaults);
      expect(after!.majorFaults).toBe(stat.majorFaults);
      expect(after!.minorPerSecond).toBeGreaterThan(0);
      // eBPF: the main thread and the thread that stays; procfs cannot count threads here.
      expect(after!.threads).toBe(mode === 'ebpf' ? 2 : null);
    });
  });
}
