// Fault: a process vanishing in the middle of a reading (killed and reaped the first time
// the reading touches /proc/<pid>, test/vanishing.ts). The eBPF source still reports its
// calls exactly, with no name; the procfs source leaves it out. Neither throws or errs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEngine } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { startVictim } from '../../../test/vanishing.js';
import { silent } from '../test/read-syscall.js';
import { syscall } from './plugin.js';
import type { SyscallMetrics } from './records.js';
import { syscallNumber } from './syscall-table.js';

const GETPPID = syscallNumber('getppid')!;
const CALLS = 1_234;

describeKernel('syscall family: a process vanishing during a reading', () => {
  let dir: string;
  beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), 'bpfscope-vanish-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('eBPF: its calls are reported exactly, its name is null, nothing errs', async () => {
    const engine = createEngine({ plugins: [syscall({ processes: true, mode: 'latency', pids: [] })], config: { mode: 'ebpf', cache: { enabled: false } }, logger: silent });
    const victim = await startVictim(CALLS, join(dir, 'a'), 0);
    try {
      await engine.start();
      await engine.setFilter('syscall', { pids: [victim.pid], syscalls: [GETPPID] });
      await victim.go();
      victim.arm();
      const snap = await engine.collect();
      expect(victim.touched()).toBe(`/proc/${victim.pid}/comm`);
      expect(snap.errors).toEqual([]);
      const m = snap.get('syscall')!.data as SyscallMetrics;
      expect(m.processes.map((p) => [p.pid, p.comm, p.count])).toEqual([[victim.pid, null, CALLS]]);
    } finally {
      await victim.stop();
      await engine.close();
    }
  });

  it('procfs: it is left out of a reading of it, nothing errs', async () => {
    const engine = createEngine({ plugins: [syscall({ processes: true })], config: { mode: 'fallback', cache: { enabled: false } }, logger: silent });
    const victim = await startVictim(0, join(dir, 'b'), 0);
    try {
      await engine.start();
      await engine.setFilter('syscall', { pids: [victim.pid] });
      await victim.go();
      victim.arm();
      const snap = await engine.collect();
      expect(victim.touched()).toMatch(new RegExp(`^/proc/${victim.pid}/`));
      expect(snap.errors).toEqual([]);
      const m = snap.get('syscall')!.data as SyscallMetrics;
      expect(m.processes).toEqual([]);
      expect(m.mode).toBe('procfs');
    } finally {
      await victim.stop();
      await engine.close();
    }
  });
});
