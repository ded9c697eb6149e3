// engine.setFilter on the syscall family at run time: the kernel filter maps change, the
// programs do not (same program ids), and the counts switch from every process to the
// filtered one between two readings. Counts-only mode: a call is judged when it enters,
// so no call that entered before the change is counted after it.
import { copyFileSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createEngine, type Engine, type FamilyFilter } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { readSyscall, silent } from '../test/read-syscall.js';
import { startWorkload, workloadBinary, type Workload } from '../test/syscall-workload.js';
import type { SyscallMetrics } from './records.js';
import { syscall } from './plugin.js';
import { syscallNumber } from './syscall-table.js';
import { removeCgroupDir } from '../../../test/cgroup-dir.js';

const GETPPID = syscallNumber('getppid')!;

function programIds(engine: Engine): number[] {
  return engine.stats().collectors.find((c) => c.family === 'syscall')!.sourceStats!.programs.map((p) => p.id).sort();
}

/** Per process: its calls (all syscalls) and its getppid calls. */
function table(m: SyscallMetrics): Map<number, { all: number; getppid: number }> {
  return new Map(m.processes.map((p) => [p.pid, { all: p.count ?? 0, getppid: p.bySyscall?.find((s) => s.id === GETPPID)?.count ?? 0 }]));
}

/** Processes whose counts differ between two readings. */
function changed(a: SyscallMetrics, b: SyscallMetrics): number[] {
  const before = table(a);
  return [...table(b)].filter(([pid, t]) => before.get(pid)?.all !== t.all).map(([pid]) => pid).sort();
}

/**
 * A reading that the calls judged before the change no longer move: runs a CPU still held
 * at the change reach the per-process table at its next switch. Read until two readings
 * agree on `pids` (the workloads: they make no call while they wait in read(0); with a deny
 * list every other process is still counted, so only theirs can settle).
 */
async function settled(engine: Engine, pids: readonly number[]): Promise<SyscallMetrics> {
  let prev = await readSyscall(engine);
  for (;;) {
    const cur = await readSyscall(engine);
    if (changed(prev, cur).filter((p) => pids.includes(p)).length === 0) return cur;
    prev = cur;
  }
}

function engineFor(): Engine {
  // topProcesses: every process, so that "all processes" can be checked before the filter.
  return createEngine({ plugins: [syscall({ processes: true, mode: 'counts', topProcesses: 1_000_000 })], config: { mode: 'ebpf', cache: { enabled: false } }, logger: silent });
}

/**
 * Before the filter both workloads are counted; `filter` (set while `keep` and `drop` wait)
 * lets only `keep` through from then on; the programs stay the same.
 */
async function switchesTo(engine: Engine, filter: FamilyFilter, keep: Workload, drop: Workload, expected: { pushedDown: string[] }): Promise<void> {
  await engine.start();
  const ids = programIds(engine);
  const a = await startWorkload(300, 0);
  const b = await startWorkload(400, 0);
  await a.go();
  await b.go();
  const all = table(await readSyscall(engine));
  expect(all.get(a.pid)?.getppid).toBe(300);
  expect(all.get(b.pid)?.getppid).toBe(400);

  const result = await engine.setFilter('syscall', filter);
  expect(result).toEqual({ pushedDown: expected.pushedDown, inUserSpace: [] });
  const base = await settled(engine, [keep.pid, drop.pid]);
  const before = engine.stats().collectors.find((c) => c.family === 'syscall')!.filter!;
  expect(before.kernel).toEqual({ hits: 0, misses: expect.any(Number) });
  expect((await keep.go()).code).toBe(0);
  expect((await drop.go()).code).toBe(0);
  const after = await readSyscall(engine);
  expect(changed(base, after)).toEqual([keep.pid]);
  expect(table(after).get(keep.pid)!.getppid - (table(base).get(keep.pid)?.getppid ?? 0)).toBe(500);
  expect(table(after).get(drop.pid)?.all).toBe(table(base).get(drop.pid)?.all);
  const kept = table(after).get(keep.pid)!.all - (table(base).get(keep.pid)?.all ?? 0);
  const fs = engine.stats().collectors.find((c) => c.family === 'syscall')!.filter!;
  // The kernel let through exactly the calls counted for `keep` since the change.
  expect(fs.kernel?.hits).toBe(kept);
  expect(fs.pushedDown).toEqual(expected.pushedDown);
  expect(fs.source).toBe('syscall-ebpf');
  expect(programIds(engine)).toEqual(ids);
}

describeKernel('engine.setFilter on the syscall family: kernel pushdown at run time, no reload', () => {
  it('pid filter: counts switch from every process to the filtered pid', async () => {
    const engine = engineFor();
    try {
      const keep = await startWorkload(500, 0);
      const drop = await startWorkload(500, 0);
      await switchesTo(engine, { pids: [keep.pid] }, keep, drop, { pushedDown: ['pids'] });
    } finally {
      await engine.close();
    }
  });

  it('comm filter: only the task named in the filter is counted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfscope-comm-'));
    copyFileSync(workloadBinary(), join(dir, 'bpfsc-keep'));
    copyFileSync(workloadBinary(), join(dir, 'bpfsc-drop'));
    const engine = engineFor();
    try {
      const keep = await startWorkload(500, 0, 0, join(dir, 'bpfsc-keep'));
      const drop = await startWorkload(500, 0, 0, join(dir, 'bpfsc-drop'));
      await switchesTo(engine, { comms: ['bpfsc-keep'] }, keep, drop, { pushedDown: ['comms'] });
    } finally {
      await engine.close();
    }
  });

  it('cgroup filter: only the process moved into its own cgroup v2 group is counted', async () => {
    const group = `/sys/fs/cgroup/unified/bpfscope-filter-${process.pid}`;
    mkdirSync(group);
    const engine = engineFor();
    try {
      const keep = await startWorkload(500, 0);
      const drop = await startWorkload(500, 0);
      writeFileSync(join(group, 'cgroup.procs'), String(keep.pid));
      const id = statSync(group, { bigint: true }).ino;
      await switchesTo(engine, { cgroupIds: [id] }, keep, drop, { pushedDown: ['cgroupIds'] });
    } finally {
      await engine.close();
      removeCgroupDir(group);
    }
  });

  it('deny lists: an excluded pid or comm is not counted while everything else is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfscope-deny-'));
    copyFileSync(workloadBinary(), join(dir, 'bpfsc-denied'));
    const engine = engineFor();
    try {
      await engine.start();
      const ids = programIds(engine);
      for (const [filter, part] of [[(pid: number) => ({ excludePids: [pid] }), 'excludePids'], [() => ({ excludeComms: ['bpfsc-denied'] }), 'excludeComms']] as const) {
        const keep = await startWorkload(500, 0);
        const drop = await startWorkload(500, 0, 0, join(dir, 'bpfsc-denied'));
        expect(await engine.setFilter('syscall', filter(drop.pid))).toEqual({ pushedDown: [part], inUserSpace: [] });
        const base = table(await settled(engine, [keep.pid, drop.pid]));
        expect((await keep.go()).code).toBe(0);
        expect((await drop.go()).code).toBe(0);
        const after = table(await readSyscall(engine));
        expect(after.get(keep.pid)!.getppid - (base.get(keep.pid)?.getppid ?? 0)).toBe(500);
        expect(after.get(drop.pid)?.all).toBe(base.get(drop.pid)?.all);
      }
      expect(programIds(engine)).toEqual(ids);
    } finally {
      await engine.close();
    }
  });

  it('a threshold cannot go down: it is applied in user space and says so, with its hits and misses', async () => {
    // No process is counted until the filter is set (pids: []), so the rows are the workloads' own.
    const engine = createEngine({ plugins: [syscall({ processes: true, mode: 'counts', pids: [] })], config: { mode: 'ebpf', cache: { enabled: false } }, logger: silent });
    try {
      await engine.start();
      const ids = programIds(engine);
      const big = await startWorkload(2000, 0);
      const small = await startWorkload(10, 0);
      const result = await engine.setFilter('syscall', { pids: [big.pid, small.pid], minSyscallCount: 1000 });
      expect(result).toEqual({ pushedDown: ['pids'], inUserSpace: ['minSyscallCount'] });
      expect((await big.go()).code).toBe(0);
      expect((await small.go()).code).toBe(0);
      const m = await readSyscall(engine);
      // Both processes passed the kernel filter; the threshold removed the small one and the rare calls.
      expect(m.processes.map((p) => p.pid)).toEqual([big.pid]);
      expect(m.syscalls.map((s) => [s.id, s.count])).toEqual([[GETPPID, 2010]]);
      const fs = engine.stats().collectors.find((c) => c.family === 'syscall')!.filter!;
      expect(fs.inUserSpace).toEqual(['minSyscallCount']);
      expect(fs.userSpace).toEqual({ hits: 2, misses: 2 });
      expect(fs.kernel?.hits).toBe(m.total.count);
      expect(programIds(engine)).toEqual(ids);
    } finally {
      await engine.close();
    }
  });

  it('refuses a bad filter with a ConfigError naming the part', async () => {
    const engine = engineFor();
    try {
      await expect(engine.setFilter('syscall', { pids: [0] })).rejects.toMatchObject({ code: 'CONFIG_ERROR', path: 'filter.syscall.pids[0]' });
      await expect(engine.setFilter('nope', { pids: [1] })).rejects.toMatchObject({ code: 'CONFIG_ERROR', path: 'filter' });
      await expect(engine.setFilter('syscall', { comms: ['a-name-longer-than-15'] })).rejects.toMatchObject({ code: 'CONFIG_ERROR', path: 'filter.syscall.comms[0]' });
    } finally {
      await engine.close();
    }
  });
});
