// Fault: a program's link destroyed from outside while the family runs. The family's
// readings say so (DataUnavailable naming the program) instead of counts that miss what it
// counted, and engine.attemptRecovery() attaches it again: a new workload is counted exactly.
import { expect, it } from 'vitest';
import { createEngine, type Engine } from '@bpfscope/core';
import { clearCache } from '@bpfscope/native';
import { captureLinks } from '../../../test/link-hook.js';
import { describeKernel } from '../../../test/real-kernel.js';
import { readSyscall, silent } from '../test/read-syscall.js';
import { startWorkload } from '../test/syscall-workload.js';
import { syscall } from './plugin.js';
import { syscallNumber } from './syscall-table.js';

const GETPPID = syscallNumber('getppid')!;

async function getppids(engine: Engine): Promise<[number, number][]> {
  const m = await readSyscall(engine);
  return m.processes.map((p) => [p.pid, p.bySyscall?.find((s) => s.id === GETPPID)?.count ?? 0]);
}

describeKernel('syscall family: a link destroyed from outside', () => {
  for (const program of ['sc_enter', 'sc_exit']) {
    it(`${program} destroyed: readings are DataUnavailable naming it; attemptRecovery() attaches it again and a new workload is counted exactly`, async () => {
      clearCache(); // a fresh object: the links below are this engine's
      const hook = captureLinks();
      const engine = createEngine({ plugins: [syscall({ processes: true, mode: 'latency', pids: [] })], config: { mode: 'ebpf', cache: { enabled: false }, recovery: { attempts: 2, baseDelayMs: 1 } }, logger: silent });
      try {
        await engine.start();
        const a = await startWorkload(300, 0);
        await engine.setFilter('syscall', { pids: [a.pid] });
        await a.go();
        expect(await getppids(engine)).toEqual([[a.pid, 300]]);

        hook.destroy(program);
        const during = await engine.collect();
        expect(during.get('syscall')).toBeUndefined();
        expect(during.errors.map((e) => [e.family, e.error.code, e.error.message])).toEqual([
          ['syscall', 'DATA_UNAVAILABLE', `syscall-ebpf is unavailable: program ${program} of syscall-ebpf is no longer attached`],
        ]);

        expect(await engine.attemptRecovery()).toEqual({ recovered: ['syscall'], failing: [] });
        const b = await startWorkload(400, 0);
        await engine.setFilter('syscall', { pids: [b.pid] });
        await b.go();
        expect(await getppids(engine)).toEqual([[b.pid, 400]]);
        const m = await readSyscall(engine);
        // sc_exit runs again too: every call's return is timed.
        expect(m.syscalls.find((s) => s.id === GETPPID)?.latency?.count).toBe(400);
        expect(engine.stats().collectors[0]?.recovery).toMatchObject({ recoveries: 1, recoveredFrom: 'DATA_UNAVAILABLE' });
      } finally {
        hook.restore();
        await engine.close();
      }
    });
  }
});
