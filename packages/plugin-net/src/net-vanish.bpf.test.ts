// Fault: a process vanishing in the middle of a net reading (killed and reaped the first
// time the reading touches /proc/<pid>, test/vanishing.ts) that holds a listening socket.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEngine } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { startVictim } from '../../../test/vanishing.js';
import { net } from './plugin.js';
import type { NetMetrics } from './records.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

describeKernel('net family: a process vanishing during a reading', () => {
  let dir: string;
  beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), 'bpfscope-vanish-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const listening = (m: NetMetrics, port: number): unknown[] => m.connections.filter((c) => c.localPort === port).map((c) => [c.state, c.pid, c.comm]);

  it('eBPF: a socket\'s owner is the kernel\'s (no /proc read of it): whole, nothing errs', async () => {
    const victim = await startVictim(0, join(dir, 'a'), 0);
    const engine = createEngine({ plugins: [net()], config: { mode: 'ebpf', cache: { enabled: false } }, logger: silent });
    try {
      await engine.start();
      const port = await victim.go();
      victim.arm();
      const snap = await engine.collect();
      expect(victim.touched()).toBeNull();
      expect(snap.errors).toEqual([]);
      const m = snap.get('net')!.data as NetMetrics;
      expect(listening(m, port)).toEqual([['LISTEN', victim.pid, 'w']]);
      expect(m.processes.filter((p) => p.pid === victim.pid).map((p) => p.openConnections)).toEqual([1]);
    } finally {
      await victim.stop();
      await engine.close();
    }
  });

  it('fallback: an owner gone while its descriptors are listed takes its socket with it; nothing errs, it is not counted as refused', async () => {
    const victim = await startVictim(0, join(dir, 'b'), 0);
    const engine = createEngine({ plugins: [net()], config: { mode: 'fallback', cache: { enabled: false } }, logger: silent });
    try {
      await engine.start();
      const port = await victim.go();
      const before = (await engine.collect()).get('net')!.data as NetMetrics;
      expect(listening(before, port)).toEqual([['LISTEN', victim.pid, 'w']]);
      victim.arm();
      const snap = await engine.collect();
      expect(victim.touched()).toBe(`/proc/${victim.pid}/fd`);
      expect(snap.errors).toEqual([]);
      const m = snap.get('net')!.data as NetMetrics;
      // The socket tables are read after the owners: the closed socket is not in them.
      expect(listening(m, port)).toEqual([]);
      expect(m.processes.filter((p) => p.pid === victim.pid)).toEqual([]);
      expect(m.unavailable['connections.owner']).toBe(before.unavailable['connections.owner']);
    } finally {
      await victim.stop();
      await engine.close();
    }
  });
});
