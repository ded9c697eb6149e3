// The mem family reads procfs and sysfs only through the engine's PROCFS_READER and time
// only through its CLOCK: the test registers, in the plugin's container, a reader over the
// captures of one cgroup after and before its OOM kills (switched between the readings) and
// a clock it moves by hand, points the configured roots at nothing, and gets exactly the
// captures' numbers, the clock's interval and a prediction timed by that clock. Also the
// family's options (optionSchemas): validated by the engine, honoured by the sources.
import { cpSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, createEngine, type Plugin } from '@bpfscope/core';
import { FixtureReader, ManualClock, withServices } from '../../../test/fixture-services.js';
import { fixture } from '../test/fixture-helpers.js';
import { mem } from './plugin.js';
import type { MemMetrics } from './records.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };
const NOWHERE = { procRoot: '/nonexistent-bpfscope-proc', sysRoot: '/nonexistent-bpfscope-sys' };
const WALL = 1_795_460_000_000;
const LIMIT = 104857600;

/**
 * The cgroup-v1 tree with the fixture cgroup's files as captured before the OOM kills (the
 * before-oom capture has that one directory only, not the hierarchy's root files).
 */
function beforeOomTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-mem-before-'));
  cpSync(fixture('cgroup-v1/sys'), join(dir, 'sys'), { recursive: true });
  cpSync(fixture('cgroup-v1-before-oom/sys'), join(dir, 'sys'), { recursive: true });
  return join(dir, 'sys');
}

/** Two readings: the cgroup after its OOM kills at +1 s, then before them (the 60 MiB allocator running) at +3 s. */
async function twoReadings(plugin: Plugin, families: Record<string, Record<string, unknown>> = {}): Promise<{ first: MemMetrics; second: MemMetrics; reader: FixtureReader }> {
  const reader = new FixtureReader(fixture('vm-6.18/proc'), fixture('cgroup-v1/sys'));
  const clock = new ManualClock(42_000_000_000n, WALL);
  const engine = createEngine({ plugins: [withServices(plugin, { procfs: reader, clock })], config: { mode: 'fallback', ...NOWHERE, cache: { enabled: false }, families }, logger: silent });
  const data = async (): Promise<MemMetrics> => {
    const snap = await engine.collect();
    const r = snap.get('mem');
    if (!r) throw new Error(`no mem family: ${snap.errors.map((e) => e.error.message).join('; ')}`);
    expect(r.source).toBe('procfs');
    return r.data;
  };
  try {
    await engine.start();
    clock.advance(1_000);
    const first = await data();
    reader.use(fixture('vm-6.18/proc'), beforeOomTree());
    clock.advance(2_000);
    return { first, second: await data(), reader };
  } finally {
    await engine.close();
  }
}

describe('mem family through the container’s procfs reader and clock', () => {
  it('cgroups, intervals and the prediction come from the reader’s trees and the clock, exactly', async () => {
    const { first, second, reader } = await twoReadings(mem({ processes: true, prediction: { minSamples: 2 } }));
    expect(first.countersSince).toBe(new Date(WALL).toISOString());
    expect([first.intervalMs, second.intervalMs]).toEqual([1_000, 2_000]);
    expect(first.cgroups?.entries.map((e) => [e.path, e.usageBytes, e.limitBytes, e.oomKills])).toEqual([['/bpfscope-fixture', 233472, LIMIT, 2]]);
    expect(second.cgroups?.entries.map((e) => [e.path, e.usageBytes, e.limitBytes, e.oomKills])).toEqual([['/bpfscope-fixture', 70504448, LIMIT, 0]]);
    // Samples at (WALL + 1000) / 1000 and (WALL + 3000) / 1000 s: 233472 then 70504448 bytes.
    const p = second.predictions.find((x) => x.key === 'cgroup:/bpfscope-fixture');
    expect(p).toMatchObject({ latestTimestamp: (WALL + 3_000) / 1_000, latestUsage: 70504448, limit: LIMIT, confidence: { samples: 2 }, reason: null, level: 'critical' });
    expect(p?.fit?.slope).toBeCloseTo((70504448 - 233472) / 2, 3);
    expect(p?.secondsToExhaustion).toBeCloseTo((LIMIT - 70504448) / ((70504448 - 233472) / 2), 6);
    // The one process of vm-6.18 (the same stat file both times): no faults in the 2 s.
    expect(second.processes).toEqual([{ pid: 4502, comm: 'node', minorFaults: 17641, majorFaults: 2, minorPerSecond: 0, majorPerSecond: 0, threads: null }]);
    expect(second.errors).toEqual({});
    // The vm-6.18 tree has no /proc/stat: no btime, so the boot time is unavailable with the reason.
    expect(Object.keys(second.unavailable).sort()).toEqual(['bootTime', 'kernel', 'oomVictims']);
    expect(second.bootTime).toBeNull();
    expect(second.unavailable.bootTime).toMatch(/stat/);
    // Nothing was read beside the reader (the configured roots do not exist): the calls of one reading.
    const one = reader.calls.slice(reader.calls.lastIndexOf('list-proc '));
    expect(one).toEqual([
      'list-proc ', 'proc 4502/stat', 'proc meminfo', 'proc vmstat',
      // v1, which the first reading found, is looked for first: cgroup.controllers is not read again.
      'sys fs/cgroup/memory/memory.limit_in_bytes', 'stat-sys fs/cgroup/memory', 'list-sys fs/cgroup/memory',
      // A cgroup with a subdirectory is listed; the leaf is not when its link count is 2
      // (a file system that does not count subdirectories reports 1: then it is listed).
      'stat-sys fs/cgroup/memory/bpfscope-fixture', 'list-sys fs/cgroup/memory/bpfscope-fixture', 'stat-sys fs/cgroup/memory/bpfscope-fixture/child',
      ...(statSync(fixture('cgroup-v1/sys/fs/cgroup/memory/bpfscope-fixture/child')).nlink === 2 ? [] : ['list-sys fs/cgroup/memory/bpfscope-fixture/child']),
      // Then the limit of every directory listed, and the files of the limited one.
      'sys fs/cgroup/memory/bpfscope-fixture/memory.limit_in_bytes', 'sys fs/cgroup/memory/bpfscope-fixture/child/memory.limit_in_bytes',
      'sys fs/cgroup/memory/bpfscope-fixture/memory.usage_in_bytes', 'sys fs/cgroup/memory/bpfscope-fixture/memory.limit_in_bytes',
      'sys fs/cgroup/memory/bpfscope-fixture/memory.max_usage_in_bytes', 'sys fs/cgroup/memory/bpfscope-fixture/memory.failcnt',
      'sys fs/cgroup/memory/bpfscope-fixture/memory.oom_control',
    ]);
    expect(reader.calls.filter((c) => c === 'sys fs/cgroup/cgroup.controllers')).toHaveLength(1);
  });

  it('families.mem options override the factory’s: topProcesses 0, cgroups false, pids', async () => {
    const { second } = await twoReadings(mem({ processes: true, topProcesses: 5 }), { mem: { topProcesses: 0, cgroups: false } });
    expect(second.processes).toEqual([]);
    expect(second.processCount).toBe(1);
    expect(second.cgroups).toBeNull();
    expect(second.unavailable.cgroups).toMatch(/cgroups are not read/);
    const only = await twoReadings(mem({ processes: true }), { mem: { pids: [31337] } });
    expect(only.second.processCount).toBe(0); // pid 31337 does not exist in the tree
    expect(only.reader.calls).toContain('proc 31337/stat');
    expect(only.reader.calls.filter((c) => c === 'list-proc ')).toEqual(['list-proc ']); // the procfs root checked at init; no scan of every process
  });

  it('processes are opt-in: by default no process is read (processes empty, processCount null with the reason; the system figures as before); families.mem.processes true reads them', async () => {
    const off = await twoReadings(mem({ cgroups: false }));
    expect(off.second.processes).toEqual([]);
    expect(off.second.processCount).toBeNull();
    expect(off.second.unavailable.processes).toBe('per-process faults are not read: they are opt-in (option processes: true)');
    expect(off.second.system).not.toBeNull();
    expect(off.reader.calls.filter((c) => /^proc \d+\/stat$/.test(c))).toEqual([]);
    const on = await twoReadings(mem({ cgroups: false }), { mem: { processes: true } });
    expect(on.second.processCount).toBe(1);
    expect(on.reader.calls.filter((c) => /^proc \d+\/stat$/.test(c))).toEqual(['proc 4502/stat', 'proc 4502/stat']); // the tree's one process, at each reading
  });
});

describe('mem processes: opt-in, implied by asking which to list', () => {
  it('topProcesses or pids (factory or families.mem) turn processes on unless it is set; families.mem.processes false overrides the factory’s true', async () => {
    const count = async (plugin: Plugin, families: Record<string, Record<string, unknown>> = {}): Promise<number | null> => (await twoReadings(plugin, families)).second.processCount;
    expect(await count(mem({ topProcesses: 5, cgroups: false }))).toBe(1); // the tree's one process
    expect(await count(mem({ pids: [4502], cgroups: false }))).toBe(1);
    expect(await count(mem({ cgroups: false }), { mem: { topProcesses: 5 } })).toBe(1);
    expect(await count(mem({ cgroups: false }), { mem: { pids: [4502] } })).toBe(1);
    expect(await count(mem({ topProcesses: 5, processes: false, cgroups: false }))).toBeNull();
    expect(await count(mem({ processes: true, cgroups: false }), { mem: { processes: false } })).toBeNull();
    expect(await count(mem({ processes: false, cgroups: false }), { mem: { topProcesses: 5 } })).toBe(1); // the config's list asks for it
    expect(await count(mem({ cgroups: false }))).toBeNull();
  });
});

describe('mem options in the config', () => {
  const configError = (families: Record<string, unknown>): ConfigError => {
    try {
      createEngine({ plugins: [mem()], config: { families: { mem: families } }, logger: silent });
    } catch (e) {
      if (e instanceof ConfigError) return e;
      throw e;
    }
    throw new Error('no ConfigError');
  };

  it('an invalid or unknown families.mem option is a ConfigError naming its path', () => {
    for (const [given, path, allowed] of [
      [{ topProcesses: -1 }, 'families.mem.topProcesses', 'an integer from 0 to 1000000'],
      [{ pids: [1, 0] }, 'families.mem.pids[1]', 'an integer from 1 to 4194304'],
      [{ pids: 7 }, 'families.mem.pids', 'an array'],
      [{ cgroups: 'yes' }, 'families.mem.cgroups', 'true or false'],
      [{ maxOomVictims: 2.5 }, 'families.mem.maxOomVictims', 'an integer from 0 to 1000000'],
      [{ topK: 3 }, 'families.mem.topK', 'one of the options of the mem family (mode, enabled, initTimeoutMs, readTimeoutMs, cache, processes, topProcesses, pids, cgroups, maxOomVictims)'],
    ] as const) {
      const e = configError(given);
      expect(e.path).toBe(path);
      expect(e.message).toContain(allowed);
    }
  });

  it('the engine keys and valid options pass', () => {
    expect(() => createEngine({ plugins: [mem()], config: { families: { mem: { mode: 'fallback', readTimeoutMs: 500, topProcesses: 3, pids: [1], cgroups: true, maxOomVictims: 10 } } }, logger: silent })).not.toThrow();
  });
});
