import { getEventListeners } from 'node:events';
import { expect, it } from 'vitest';
import { createEngine } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { cpu } from './plugin.js';
import type { CpuMetrics } from './records.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

describeKernel('engine.stream over the real cpu plugin (the README example)', () => {
  it('12 snapshots from eBPF, each a fresh reading, one abort listener throughout, no process warning', async () => {
    const engine = createEngine({ plugins: [cpu()], config: { mode: 'ebpf' }, logger: silent });
    const controller = new AbortController();
    const seen: CpuMetrics[] = [];
    const listeners: number[] = [];
    const warnings: string[] = [];
    const onWarning = (w: Error): void => { warnings.push(`${w.name}: ${w.message}`); };
    process.on('warning', onWarning);
    try {
      // 12 > Node's default of 10 listeners per signal, past which the per-snapshot listener warned.
      for await (const snap of engine.stream({ intervalMs: 20, signal: controller.signal })) {
        expect(snap.errors).toEqual([]);
        const r = snap.get('cpu');
        expect(r?.source).toBe('ebpf');
        if (r) seen.push(r.data);
        listeners.push(getEventListeners(controller.signal, 'abort').length);
        if (seen.length === 12) controller.abort();
      }
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
      await engine.close();
    }
    expect(warnings).toEqual([]);
    expect(listeners).toEqual(Array.from({ length: 12 }, () => 1));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    // Every snapshot read the kernel maps (the collect() cache answered none of them).
    expect(engine.stats().collectors.find((c) => c.family === 'cpu')?.reads).toBe(12);
    // init takes the baseline, so even the first reading covers an interval.
    for (const m of seen) expect(m.intervalMs).toBeGreaterThan(0);
    expect(new Set(seen.map((m) => m.countersSince)).size).toBe(1);
    for (const [i, m] of seen.entries()) {
      // The per-CPU counters of one reading add up to its total, exactly.
      expect(m.perCpu.reduce((s, c) => s + (c.contextSwitches ?? 0), 0)).toBe(m.total.contextSwitches);
      // The counters never go back. Two readings need not differ: the stream waits only
      // for what is left of the interval after a reading (none after the first, which
      // includes init), and a reading need not block this process.
      if (i > 0) expect(m.total.contextSwitches).toBeGreaterThanOrEqual(seen[i - 1]?.total.contextSwitches ?? Infinity);
    }
    // Over the stream's waits this process blocked, so the last reading counts more.
    expect(seen.at(-1)!.total.contextSwitches).toBeGreaterThan(seen[0]!.total.contextSwitches!);
  });
});
