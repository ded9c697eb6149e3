import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, createConsoleLogger, validateConfig } from '@bpfscope/core';
import { readStructLayouts } from '@bpfscope/native';
import { caught, fixture } from '../test/fixture-helpers.js';
import { procLayouts } from './ebpf/layouts.js';
import { proc } from './plugin.js';
import { ProcProcfsSource } from './procfs/proc-procfs-source.js';
import { scanProcesses } from './procfs/scan-processes.js';
import { applySelection, checkSelection } from './selection.js';

const records = scanProcesses(fixture('vm-6.18/proc')).processes;
const pids = (rs: ReadonlyArray<{ pid: number }>): number[] => rs.map((r) => r.pid);

describe('selection: filters and top-K of the proc plugin', () => {
  it('categories, comm glob and priority range combine with AND', () => {
    expect(pids(applySelection(records, checkSelection({ categories: ['user'] })).processes)).toEqual([1, 1812, 4367, 4368, 4369, 4370]);
    expect(pids(applySelection(records, checkSelection({ categories: ['kernel'] })).processes)).toEqual([2]);
    const s = applySelection(records, checkSelection({ categories: ['user'], comm: 's*', priorityRange: { field: 'nice', min: 0, max: 0 } }));
    expect(pids(s.processes)).toEqual([4369, 4370]);
    expect(s.matched).toBe(2);
  });

  it('top-K by cpu keeps the k largest, largest first, and reports how many matched before the cap', () => {
    const s = applySelection(records, checkSelection({ topK: { by: 'cpu', k: 2 } }));
    expect(pids(s.processes)).toEqual([1, 4369]);
    expect(s.matched).toBe(7);
    // cpuPercent is null on a first reading: every process is unmeasured.
    expect(applySelection(records, checkSelection({ topK: { by: 'cpuPercent', k: 3 } }))).toEqual({ processes: [], matched: 7, unmeasured: 7 });
  });

  it.each([
    [{ pids: [0] }, 'pids'],
    [{ pids: [1.5] }, 'pids'],
    [{ comm: 42 }, 'comm'],
    [{ categories: ['daemon'] }, 'categories'],
    [{ priorityRange: { min: 5, max: 1 } }, 'priorityRange'],
    [{ priorityRange: { field: 'weight' } }, 'priorityRange.field'],
    [{ topK: { by: 'memory', k: 3 } }, 'top.by'],
    [{ topK: { by: 'rss', k: -1 } }, 'top.k'],
  ])('refuses %j with a ConfigError naming %s', (options, path) => {
    const e = caught(() => proc(options as never));
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).details.path).toBe(path);
  });
});

describe('ProcProcfsSource on the fixture trees', () => {
  const context = (tree: string) => ({ config: validateConfig({ procRoot: fixture(`${tree}/proc`), sysRoot: fixture(`${tree}/sys`) }), options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal });
  const read = { signal: new AbortController().signal };

  it('vm-6.18: every process, counters since boot, runtime unavailable with the reason; cpuPercent on the second reading', async () => {
    const src = new ProcProcfsSource(checkSelection({}));
    await src.init(context('vm-6.18'));
    const m = await src.read(read);
    expect(pids(m.processes)).toEqual([1, 2, 1812, 4367, 4368, 4369, 4370]);
    expect(m).toMatchObject({ total: 7, matched: 7, vanished: 0, malformed: 0, intervalMs: null, countersSince: new Date(1795453397 * 1000).toISOString() });
    expect(m.unavailable.runtime).toMatch(/^procfs has no exact whole-process CPU runtime/);
    expect(m.processes.every((p) => p.cpuPercent === null && p.runtimeSeconds === null)).toBe(true);
    const again = await src.read(read);
    // The capture does not change: every process used 0% since the last reading.
    expect(again.intervalMs).toBeGreaterThan(0);
    expect(again.processes.map((p) => p.cpuPercent)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('vanished: processes gone mid-scan are counted, not errors; malformed: left out and counted', async () => {
    const v = new ProcProcfsSource(checkSelection({}));
    await v.init(context('vanished'));
    expect(await v.read(read)).toMatchObject({ total: 1, vanished: 2, malformed: 0 });
    const bad = new ProcProcfsSource(checkSelection({}));
    await bad.init(context('malformed/stat-truncated'));
    expect(await bad.read(read)).toMatchObject({ total: 0, vanished: 0, malformed: 1 });
  });

  it('a pids option reads only those PIDs', async () => {
    const src = new ProcProcfsSource(checkSelection({ pids: [4369, 2] }));
    await src.init(context('vm-6.18'));
    expect(pids((await src.read(read)).processes)).toEqual([2, 4369]);
  });
});

describe('the shipped proc.bpf.o', () => {
  it('has the struct layouts the decoders read (a drift between proc.h and the decoders fails here)', () => {
    const path = fileURLToPath(new URL('../bpf/proc.bpf.o', import.meta.url));
    const l = procLayouts(readStructLayouts(readFileSync(path), path));
    expect(l.task.size).toBe(320);
    expect(l.event.size).toBe(144); // 136 + the sampling weight (u64)
    expect(l.event.weight).toBe(120);
    expect(l.task.comm + 16).toBeLessThanOrEqual(l.task.size);
  });
});
