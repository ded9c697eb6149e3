// Fault: a process vanishing in the middle of a proc reading (killed and reaped the first
// time the reading touches /proc/<pid>, test/vanishing.ts): no error, no crash; procfs
// leaves it out; eBPF reads nothing of it from /proc, so it is whole or absent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEngine } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { startVictim } from '../../../test/vanishing.js';
import { proc } from './plugin.js';
import type { ProcMetrics } from './records.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

describeKernel('proc family: a process vanishing during a reading', () => {
  let dir: string;
  beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), 'bpfscope-vanish-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('procfs: a process gone when its files are read is left out, nothing errs', async () => {
    const victim = await startVictim(0, join(dir, 'a'), 0);
    const engine = createEngine({ plugins: [proc({ pids: [victim.pid] })], config: { mode: 'fallback', cache: { enabled: false } }, logger: silent });
    try {
      await engine.start();
      await victim.go();
      victim.arm();
      const snap = await engine.collect();
      expect(victim.touched()).toBe(`/proc/${victim.pid}/stat`);
      expect(snap.errors).toEqual([]);
      const m = snap.get('proc')!.data as ProcMetrics;
      // With a PID list, a listed PID that is gone is no process of the table (not "vanished mid-scan").
      expect({ total: m.total, matched: m.matched, vanished: m.vanished, processes: m.processes }).toEqual({ total: 0, matched: 0, vanished: 0, processes: [] });
    } finally {
      await victim.stop();
      await engine.close();
    }
  });

  it('eBPF: the table is the kernel iterator\'s (no /proc read of a process it lists): the process is whole; once gone, absent; nothing errs', async () => {
    const victim = await startVictim(0, join(dir, 'b'), 0);
    const engine = createEngine({ plugins: [proc({ pids: [victim.pid] })], config: { mode: 'ebpf', cache: { enabled: false } }, logger: silent });
    try {
      await engine.start();
      await victim.go();
      victim.arm();
      const snap = await engine.collect();
      expect(victim.touched()).toBeNull();
      expect(snap.errors).toEqual([]);
      expect((snap.get('proc')!.data as ProcMetrics).processes.map((p) => [p.pid, p.comm])).toEqual([[victim.pid, 'w']]);
      await victim.stop();
      const after = await engine.collect();
      expect(after.errors).toEqual([]);
      expect((after.get('proc')!.data as ProcMetrics).processes).toEqual([]);
    } finally {
      await victim.stop();
      await engine.close();
    }
  });
});
