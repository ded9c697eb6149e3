// Per-process detail is opt-in (issue "cheap enough to leave on"): off, the kernel keeps no
// per-process row or run for the engine's slot and the reading says why it lists no process;
// on, the rows of a process that exited are deleted after the reading that reports them last.
import { cpus } from 'node:os';
import { afterEach, expect, it } from 'vitest';
import { createConsoleLogger, createEngine, validateConfig } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { startRuns, type RunsWorkload } from '../test/syscall-runs-workload.js';
import { SYSCALL_OBJECT_PATH, SyscallEbpfSource } from './ebpf/syscall-ebpf-source.js';
import { syscall } from './plugin.js';
import type { SyscallMetrics, SyscallMode } from './records.js';
import { syscallNumber } from './syscall-table.js';

const GETPPID = syscallNumber('getppid')!;
const CLOSE = syscallNumber('close')!;

let source: SyscallEbpfSource | null = null;
let workloads: RunsWorkload[] = [];

afterEach(async () => {
  for (const w of workloads.splice(0)) w.kill();
  await source?.close();
  source = null;
});

async function start(...args: Parameters<typeof startRuns>): Promise<RunsWorkload> {
  const w = await startRuns(...args);
  workloads.push(w);
  return w;
}

async function open(mode: SyscallMode, processes: boolean): Promise<SyscallEbpfSource> {
  source = new SyscallEbpfSource({ mode, filter: { pids: [], syscalls: null }, followForks: true, spawnParent: 0, excludeTgid: process.pid, processes, topProcesses: 1_000_000, objectPath: SYSCALL_OBJECT_PATH });
  await source.init({ config: validateConfig({}), options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal });
  return source;
}

const read = (s: SyscallEbpfSource): Promise<SyscallMetrics> => s.read({ signal: new AbortController().signal });
const callsOf = (m: SyscallMetrics, id: number): number | undefined => m.syscalls.find((s) => s.id === id)?.count;
const processCalls = (m: SyscallMetrics, pid: number): number | null | undefined => m.processes.find((p) => p.pid === pid)?.count;
const getppidOf = (m: SyscallMetrics, pid: number): number | undefined => m.processes.find((p) => p.pid === pid)?.bySyscall?.find((c) => c.id === GETPPID)?.count;

describeKernel('syscall eBPF source: per-process detail', () => {
  for (const mode of ['counts', 'latency'] as const) {
    it(`${mode} mode, off by default: exact per-syscall counts, no per-process row or run in the kernel, processes unavailable with the reason`, async () => {
      const s = await open(mode, false);
      // 10 runs of 97 getppid and 13 close(-1).
      const w = await start('interleave', 10, 97, 13);
      await s.pushdown({ pids: [w.pid] });
      w.go();
      expect(await w.exited).toBe(0);
      const m = await read(s);
      expect(callsOf(m, GETPPID)).toBe(970);
      expect(callsOf(m, CLOSE)).toBe(130);
      expect(m.processes).toEqual([]);
      expect(m.unavailable.processes).toMatch(/^per-process detail is off; enable it with the syscall plugin option `processes: true`/);
      expect(await s.kernelProcessRows()).toEqual({ rows: [], runs: [] });
    });
  }

  it('config.families.syscall.processes turns it on for an engine: its workload listed with exactly its calls', async () => {
    const sc = syscall({ pids: [] });
    const engine = createEngine({ plugins: [sc], config: { mode: 'ebpf', cache: { enabled: false }, families: { syscall: { processes: true } } }, logger: createConsoleLogger('silent') });
    try {
      await engine.start();
      const w = await start('interleave', 10, 97, 13);
      await sc.setFilter({ pids: [w.pid] });
      w.go();
      expect(await w.exited).toBe(0);
      const m = (await engine.collect()).get('syscall')!.data;
      expect(getppidOf(m, w.pid)).toBe(970);
      expect(m.unavailable.processes).toBeUndefined();
    } finally {
      await engine.close();
    }
  });

  it('on: an exited child is reported exactly, in the readings until its rows are final and the one after, then its rows are gone from sc_proc', async () => {
    const s = await open('counts', true);
    // 30000 getppid in the parent, 50000 in its child, both on one CPU.
    const w = await start('pair', 0, 30_000, 50_000);
    await s.pushdown({ pids: [w.pid] });
    w.go();
    const child = Number(await w.line());
    expect(await w.exited).toBe(0);
    const before = await read(s);
    expect(getppidOf(before, child)).toBe(50_000);
    expect(getppidOf(before, w.pid)).toBe(30_000);
    // The pair's last runs may still be pending on its CPU: on every CPU, a workload of 12
    // syscalls in turn (more than the runs a slot keeps per CPU) replaces every run there.
    const cpuCount = cpus().length;
    const rotations: RunsWorkload[] = [];
    for (let c = 0; c < cpuCount; c++) rotations.push(await start('rotate', 10, 0, 0, '', c));
    await s.pushdown({ pids: [w.pid, ...rotations.map((r) => r.pid)] });
    for (const r of rotations) r.go();
    for (const r of rotations) expect(await r.exited).toBe(0);
    const runs = (await s.kernelProcessRows()).runs;
    expect(runs.includes(child) || runs.includes(w.pid)).toBe(false);
    // Final now (gone from /proc after the reading before, no run on a CPU): still reported.
    const final = await read(s);
    // Reported once more with the same calls, then deleted.
    const last = await read(s);
    const after = await read(s);
    const later = await read(s);
    // The readings after the deletion still add up (rows + deleted rows = per-syscall counts):
    // the change counter, which only such a reading vouches for, is there.
    expect(s.changeCounter()).not.toBeNull();
    for (const m of [final, last]) {
      expect(getppidOf(m, child)).toBe(50_000);
      expect(getppidOf(m, w.pid)).toBe(30_000);
      // All their calls, as before the rotations: nothing of theirs was counted since, or lost.
      expect([processCalls(m, child), processCalls(m, w.pid)]).toEqual([processCalls(before, child), processCalls(before, w.pid)]);
    }
    for (const m of [after, later]) {
      expect(m.processes.some((p) => p.pid === child || p.pid === w.pid)).toBe(false);
      // The per-syscall totals keep every call: 80000 of the pair, 10 of each rotation.
      expect(callsOf(m, GETPPID)).toBe(80_000 + 10 * cpuCount);
    }
    const kept = await s.kernelProcessRows();
    expect([...kept.rows, ...kept.runs].filter((t) => t === child || t === w.pid)).toEqual([]);
    expect(later.kernel?.drops).toBe(0);
  });
});
