// A filter change is atomic for the programs: the whole new filter is written into the
// inactive generation, then one word flips. A process in a tight getppid loop is refused by
// both filters below; a call judged by half of each (the new pid set with the old syscall
// set) would be counted.
import { expect, it } from 'vitest';
import { createEngine } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { readSyscall, silent } from '../test/read-syscall.js';
import { startWorkload } from '../test/syscall-workload.js';
import { syscall } from './plugin.js';
import { syscallNumber } from './syscall-table.js';

const GETPPID = syscallNumber('getppid')!;
const CLOSE = syscallNumber('close')!;

describeKernel('syscall filter changes flip one generation', () => {
  it('a looping process is never counted while filters that each refuse it replace each other', async () => {
    const engine = createEngine({ plugins: [syscall({ processes: true, mode: 'counts', pids: [] })], config: { mode: 'ebpf', cache: { enabled: false } }, logger: silent });
    const w = await startWorkload(1_000_000_000, 0);
    try {
      await engine.start();
      const getppid = async (): Promise<number> => (await readSyscall(engine)).processes.find((p) => p.pid === w.pid)?.bySyscall?.find((s) => s.id === GETPPID)?.count ?? 0;
      // A: the looping process, but only close (it makes none). B: its getppid, but only for another process (this one, excluded anyway: pid 1).
      const a = { pids: [w.pid], syscalls: [CLOSE] };
      const b = { pids: [1], syscalls: [GETPPID] };
      await engine.setFilter('syscall', a);
      void w.go();
      for (let i = 0; i < 100; i++) await engine.setFilter('syscall', i % 2 === 0 ? b : a);
      expect(await getppid()).toBe(0);
      // The control: it was looping all along; with a filter that takes it, its calls are counted.
      await engine.setFilter('syscall', { pids: [w.pid], syscalls: [GETPPID] });
      let seen = 0;
      while (seen === 0) seen = await getppid();
      expect(seen).toBeGreaterThan(0);
    } finally {
      process.kill(w.pid, 'SIGKILL');
      await engine.close();
    }
  });
});
