// Fault: a process vanishing in the middle of an fs reading (killed and reaped the first
// time the reading touches /proc/<pid>, test/vanishing.ts): per process from the kernel
// (eBPF), which reads nothing of it from /proc, and from /proc/<pid>/io (fallback).
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEngine } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { startVictim } from '../../../test/vanishing.js';
import { fs } from './plugin.js';
import type { FsMetrics } from './records.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };
const BYTES = 10 * 4096 + 123;

describeKernel('fs family: a process vanishing during a reading', () => {
  let dir: string;
  // On the working tree's file system (a regular file system; /tmp may be tmpfs).
  beforeAll(() => void (dir = mkdtempSync(join(process.cwd(), '.bpfscope-vanish-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const WRITES = Math.ceil(BYTES / 4096);

  it('eBPF: per-process counts come from the kernel (no /proc read of a process it counted): exact, nothing errs', async () => {
    const victim = await startVictim(0, join(dir, 'a'), BYTES);
    const engine = createEngine({ plugins: [fs({ processes: true })], config: { mode: 'ebpf', cache: { enabled: false } }, logger: silent });
    try {
      await engine.start();
      await engine.setFilter('fs', { pids: [victim.pid] });
      await victim.go();
      victim.arm();
      const snap = await engine.collect();
      expect(victim.touched()).toBeNull();
      expect(snap.errors).toEqual([]);
      expect((snap.get('fs')!.data as FsMetrics).processes.filter((p) => p.pid === victim.pid)).toEqual([
        { pid: victim.pid, comm: 'w', reads: 0, writes: WRITES, bytesRead: 0, bytesWritten: BYTES, opens: 1, fsyncs: 1, storageBytesRead: null, storageBytesWritten: null },
      ]);
    } finally {
      await victim.stop();
      await engine.close();
    }
  });

  it('fallback: a process gone when its /proc/<pid>/io is read is left out (not counted as refused), nothing errs', async () => {
    const victim = await startVictim(0, join(dir, 'b'), BYTES);
    const engine = createEngine({ plugins: [fs({ processes: true })], config: { mode: 'fallback', cache: { enabled: false } }, logger: silent });
    try {
      await engine.start();
      await engine.setFilter('fs', { pids: [victim.pid] });
      const port = await victim.go();
      const before = (await engine.collect()).get('fs')!.data as FsMetrics;
      // Every write-like call counts in /proc/<pid>/io: the file's, and the line it printed.
      expect(before.processes.map((p) => [p.pid, p.writes, p.bytesWritten])).toEqual([[victim.pid, WRITES + 1, BYTES + `ready ${port}\n`.length]]);
      victim.arm();
      const snap = await engine.collect();
      expect(victim.touched()).toBe(`/proc/${victim.pid}/io`);
      expect(snap.errors).toEqual([]);
      const m = snap.get('fs')!.data as FsMetrics;
      expect(m.processes).toEqual([]);
      // What the kernel refuses (another user's process) is counted alike in both readings: the vanished one is not among it.
      expect(m.unavailable.processes).toBe(before.unavailable.processes);
    } finally {
      await victim.stop();
      await engine.close();
    }
  });
});
