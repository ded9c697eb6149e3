// The whole family in mode fallback over captured fixture trees (procRoot and sysRoot
// pointed at them): exact numbers from the captures, and bad cgroup files reported as a
// taxonomy error in that cgroup's entry while the rest of the family is read.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, EventProcessingFailed } from '@bpfscope/core';
import { fixture } from '../test/fixture-helpers.js';
import { mem } from './plugin.js';
import type { MemMetrics } from './records.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

async function read(sysRoot: string, procRoot = fixture('vm-6.18/proc')): Promise<MemMetrics> {
  const engine = createEngine({ plugins: [mem({ processes: true })], config: { mode: 'fallback', procRoot, sysRoot, cache: { enabled: false } }, logger: silent });
  const snap = await engine.collect();
  await engine.close();
  const r = snap.get('mem');
  if (!r) throw new Error(`no mem family: ${snap.errors.map((e) => e.error.message).join('; ')}`);
  expect(r.source).toBe('procfs');
  return r.data;
}

/** A copy of a fixture tree, with some files replaced. */
function derived(tree: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-mem-fixture-'));
  cpSync(fixture(tree), dir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) writeFileSync(join(dir, rel), text);
  return join(dir, 'sys');
}

describe('mem family over fixture trees (mode fallback)', () => {
  it('the v1 capture: the 100 MiB cgroup after its two OOM kills; meminfo, vmstat and the process from vm-6.18', async () => {
    const m = await read(fixture('cgroup-v1/sys'));
    expect(m.errors).toEqual({});
    expect(m.cgroups).toMatchObject({ hierarchy: 'v1', vanished: 0 });
    expect(m.cgroups?.entries).toEqual([
      {
        path: '/bpfscope-fixture', hierarchy: 'v1', usageBytes: 233472, limitBytes: 104857600, usageFraction: 233472 / 104857600,
        swapBytes: null, limitHits: 79, oomKills: 2, unavailable: { swapBytes: expect.stringMatching(/memsw/) }, error: null,
      },
    ]);
    expect(m.oom).toMatchObject({ sinceBoot: 2, sinceStart: 0, events: null, victims: null });
    expect(m.processes).toEqual([{ pid: 4502, comm: 'node', minorFaults: expect.any(Number), majorFaults: expect.any(Number), minorPerSecond: null, majorPerSecond: null, threads: null }]);
    expect(m.predictions.map((p) => [p.key, p.limit, p.latestUsage])).toEqual([
      ['system', m.system!.totalBytes, m.system!.usedBytes],
      ['cgroup:/bpfscope-fixture', 104857600, 233472],
    ]);
  });

  it('the v2 tree: usage, limit, swap and the memory.events counters', async () => {
    const m = await read(fixture('cgroup-v2-derived/sys'));
    expect(m.cgroups?.entries).toEqual([
      { path: '/bpfscope-fixture', hierarchy: 'v2', usageBytes: 233472, limitBytes: 104857600, usageFraction: 233472 / 104857600, swapBytes: 0, limitHits: 79, oomKills: 2, unavailable: {}, error: null },
    ]);
  });

  const bad = [
    ['memory.max "100M" (v2)', () => fixture('malformed/memory-max-garbage/sys'), 'fs/cgroup/bpfscope-fixture/memory.max'],
    ['memory.events without its oom line (v2)', () => fixture('malformed/memory-events-truncated/sys'), 'fs/cgroup/bpfscope-fixture/memory.events'],
    ['memory.usage_in_bytes "233472 bytes" (v1)', () => derived('cgroup-v1', { 'sys/fs/cgroup/memory/bpfscope-fixture/memory.usage_in_bytes': '233472 bytes\n' }), 'fs/cgroup/memory/bpfscope-fixture/memory.usage_in_bytes'],
    ['memory.oom_control with oom_kill_disable 7 (v1)', () => derived('cgroup-v1', { 'sys/fs/cgroup/memory/bpfscope-fixture/memory.oom_control': 'oom_kill_disable 7\nunder_oom 0\noom_kill 2\n' }), 'fs/cgroup/memory/bpfscope-fixture/memory.oom_control'],
  ] as const;
  for (const [what, sys, file] of bad) {
    it(`${what} → EVENT_PROCESSING_FAILED in that cgroup's entry naming the file; the family is read`, async () => {
      const sysRoot = sys();
      const m = await read(sysRoot);
      const entry = m.cgroups?.entries.find((e) => e.path === '/bpfscope-fixture');
      expect(entry).toMatchObject({ usageBytes: null, limitBytes: null, usageFraction: null });
      expect(entry?.error).toBeInstanceOf(EventProcessingFailed);
      expect(entry?.error?.details.path).toBe(join(sysRoot, file));
      expect(m.errors).toEqual({});
      expect(m.system?.totalBytes).toBeGreaterThan(0);
      expect(m.predictions.map((p) => p.key)).toEqual(['system']);
    });
  }

  it('a bad cgroup beside a good one: the good one is read and predicted, the bad one carries its error', async () => {
    const sysRoot = derived('cgroup-v2-derived', { 'sys/fs/cgroup/bpfscope-fixture/memory.current': '\n' });
    cpSync(join(sysRoot, 'fs/cgroup/bpfscope-fixture'), join(sysRoot, 'fs/cgroup/good'), { recursive: true });
    writeFileSync(join(sysRoot, 'fs/cgroup/good/memory.current'), '233472\n');
    const m = await read(sysRoot);
    expect(m.cgroups?.entries.map((e) => [e.path, e.usageBytes, e.error?.code ?? null])).toEqual([
      ['/bpfscope-fixture', null, 'EVENT_PROCESSING_FAILED'],
      ['/good', 233472, null],
    ]);
    expect(m.predictions.map((p) => p.key)).toEqual(['system', 'cgroup:/good']);
  });

  it('a malformed /proc/meminfo: system and swap carry the error, cgroups and vmstat are still read', async () => {
    const proc = mkdtempSync(join(tmpdir(), 'bpfscope-mem-proc-'));
    cpSync(fixture('vm-6.18/proc'), proc, { recursive: true });
    cpSync(fixture('malformed/meminfo-non-numeric/proc/meminfo'), join(proc, 'meminfo'));
    const m = await read(fixture('cgroup-v1/sys'), proc);
    expect(m.system).toBeNull();
    expect(m.errors.system).toMatchObject({ code: 'EVENT_PROCESSING_FAILED', details: { path: join(proc, 'meminfo'), line: 5 } });
    expect(m.errors.swap).toBe(m.errors.system);
    expect(m.vmstat?.oomKill).toBe(2);
    expect(m.cgroups?.entries).toHaveLength(1);
    expect(m.predictions.map((p) => p.key)).toEqual(['cgroup:/bpfscope-fixture']);
  });

  it('no memory hierarchy: cgroups unavailable with the reason', async () => {
    const m = await read(fixture('vm-6.18'));
    expect(m.cgroups).toBeNull();
    expect(m.unavailable.cgroups).toMatch(/no hierarchy has the memory controller/);
  });
});
