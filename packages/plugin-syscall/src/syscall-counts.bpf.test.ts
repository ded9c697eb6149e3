// Counts-only mode keeps a few runs of calls pending per CPU (sc_cpu), each of one
// syscall by one process, and moves one to the per-process table when a call of another
// (process, syscall) needs its place; a reading adds what is still pending. These workloads make known numbers of calls in
// runs, across switches, CPUs and processes sharing a CPU.
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createEngine, type Engine } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { startRuns, type RunsWorkload } from '../test/syscall-runs-workload.js';
import { syscall, type SyscallPlugin } from './plugin.js';
import type { SyscallMetrics } from './records.js';
import { syscallNumber } from './syscall-table.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };
const GETPPID = syscallNumber('getppid')!;
const CLOSE = syscallNumber('close')!;
const PAUSE = syscallNumber('pause')!;

let engine: Engine | null = null;
let workloads: RunsWorkload[] = [];

afterEach(async () => {
  for (const w of workloads.splice(0)) w.kill();
  await engine?.close();
  engine = null;
});

async function countsEngine(): Promise<SyscallPlugin> {
  const sc = syscall({ processes: true, pids: [], mode: 'counts' });
  engine = createEngine({ plugins: [sc], config: { mode: 'ebpf', cache: { enabled: false } }, logger: silent });
  await engine.start();
  return sc;
}

async function read(): Promise<SyscallMetrics> {
  const snap = await engine!.collect();
  const r = snap.get('syscall');
  if (!r) throw new Error(`no syscall family: ${snap.errors.map((e) => e.error.message).join('; ')}`);
  expect(r.source).toBe('ebpf');
  expect(r.data.mode).toBe('counts');
  return r.data;
}

const calls = (m: SyscallMetrics, pid: number, id: number): number | undefined =>
  m.processes.find((p) => p.pid === pid)?.bySyscall?.find((s) => s.id === id)?.count;

async function start(...args: Parameters<typeof startRuns>): Promise<RunsWorkload> {
  const w = await startRuns(...args);
  workloads.push(w);
  return w;
}

describeKernel('syscall eBPF source, counts-only mode: runs of calls pending per CPU', () => {
  it('counts exactly N getppid and M close calls made in interleaved runs with sleeps between them', async () => {
    const sc = await countsEngine();
    // 40 runs of 97 getppid and 13 close(-1): N = 3880, M = 520.
    const w = await start('interleave', 40, 97, 13);
    await sc.setFilter({ pids: [w.pid] });
    w.go();
    expect(await w.exited).toBe(0);
    const m = await read();
    expect(calls(m, w.pid, GETPPID)).toBe(3880);
    expect(calls(m, w.pid, CLOSE)).toBe(520);
    expect(m.syscalls.find((s) => s.id === GETPPID)?.count).toBe(3880);
    expect(m.kernel?.drops).toBe(0);
  });

  it('12 syscalls in turn on one CPU, more than the runs a slot keeps there: each counted exactly', async () => {
    const sc = await countsEngine();
    const w = await start('rotate', 700, 0, 0);
    await sc.setFilter({ pids: [w.pid] });
    w.go();
    expect(await w.exited).toBe(0);
    const m = await read();
    // umask runs twice more before the rounds (read the mask, put it back).
    const names = ['getppid', 'getpid', 'gettid', 'getuid', 'geteuid', 'getgid', 'getegid', 'getpgrp', 'getsid', 'getpgid', 'getpriority', 'umask'];
    expect(names.map((n) => calls(m, w.pid, syscallNumber(n)!))).toEqual(names.map((n) => (n === 'umask' ? 702 : 700)));
    expect(m.kernel?.drops).toBe(0);
  });

  it('two processes sharing one CPU, switched in the middle of their runs, each get exactly their own calls', async () => {
    const sc = await countsEngine();
    // Long enough loops for many time slices: 300000 getppid in the parent, 500000 in the child.
    const w = await start('pair', 0, 300_000, 500_000);
    await sc.setFilter({ pids: [w.pid] });
    w.go();
    const childPid = Number(await w.line());
    expect(await w.exited).toBe(0);
    const m = await read();
    expect(calls(m, w.pid, GETPPID)).toBe(300_000);
    expect(calls(m, childPid, GETPPID)).toBe(500_000);
    expect(m.syscalls.find((s) => s.id === GETPPID)?.count).toBe(800_000);
    expect(m.kernel?.drops).toBe(0);
  });

  it('a process that made K calls and is blocked, still alive, is read with exactly K, and the call it is blocked in', async () => {
    const sc = await countsEngine();
    const w = await start('block', 0, 4321, 0);
    await sc.setFilter({ pids: [w.pid] });
    w.go();
    // Blocked in pause(): the kernel shows that call in /proc/<pid>/syscall.
    while (!readFileSync(`/proc/${w.pid}/syscall`, 'utf8').startsWith(`${PAUSE} `)) await new Promise((r) => setTimeout(r, 2));
    const m = await read();
    expect(calls(m, w.pid, GETPPID)).toBe(4321);
    // The last run (one pause) is still pending, or was moved to the table: counted either way.
    expect(calls(m, w.pid, PAUSE)).toBe(1);
  });

  it('a process still on its CPU after K calls, with the run pending there, is read with exactly K', async () => {
    const sc = await countsEngine();
    const flag = join(mkdtempSync(join(tmpdir(), 'bpfscope-sc-flag-')), 'flag');
    writeFileSync(flag, Buffer.alloc(4096));
    const w = await start('spin', 0, 2345, 0, flag);
    await sc.setFilter({ pids: [w.pid] });
    w.go();
    // The workload sets the flag without a system call once its calls are made.
    while (readFileSync(flag)[0] !== 1) await new Promise((r) => setTimeout(r, 2));
    const count = calls(await read(), w.pid, GETPPID);
    // Byte 0 only: the file keeps its length (a shorter file would fault the mapping).
    const fd = openSync(flag, 'r+');
    writeSync(fd, Buffer.from([2]), 0, 1, 0);
    closeSync(fd);
    expect(await w.exited).toBe(0);
    expect(count).toBe(2345);
  });
});
