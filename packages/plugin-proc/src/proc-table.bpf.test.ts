// The eBPF process table against /proc: the same processes, and per process the same
// parent, command, owner, threads, state class and CPU time as readProcess.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createConsoleLogger, createEngine, validateConfig, type SourceContext } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { burnThenSleep, exited, listProc, sameComm, spawned, unreachableInit } from '../test/kernel-helpers.js';
import { ProcEbpfSource } from './ebpf/proc-ebpf-source.js';
import { proc } from './plugin.js';
import { readProcess } from './procfs/read-process.js';
import type { ProcessRecord } from './records.js';
import { checkSelection } from './selection.js';

const context: SourceContext = { config: validateConfig({}), options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal };
const read = { signal: new AbortController().signal };

/**
 * Running, sleeping, disk sleep and idle (a kernel thread waiting for work, which wakes
 * and sleeps again between two reads) change at any moment; the other states are stable.
 */
/** The last pid the kernel handed out (the fifth field of /proc/loadavg). */
const lastPid = (): number => Number(readFileSync('/proc/loadavg', 'utf8').trim().split(/\s+/)[4]);

const stateClass = (s: string): string => ('RSDI'.includes(s) ? 'active' : s);

describeKernel('proc eBPF source: the process table from the task iterator', () => {
  const source = new ProcEbpfSource(checkSelection({}));
  const children: ReturnType<typeof spawn>[] = [];

  beforeAll(async () => {
    await source.init(context);
    children.push(await burnThenSleep(300_000, 60));
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(children.map(exited));
    await source.close();
  });

  it('lists every process that /proc lists before and after, with the same parent and command', async () => {
    const pidsBefore = lastPid();
    const before = listProc();
    const m = await source.read(read);
    const after = listProc();
    const pidsMade = lastPid() - pidsBefore;
    const byPid = new Map(m.processes.map((p) => [p.pid, p]));
    let compared = 0;
    for (const [pid, b] of before) {
      const a = after.get(pid);
      if (!a || a.starttime !== b.starttime || a.comm !== b.comm || a.ppid !== b.ppid) continue;
      const r = byPid.get(pid);
      expect(r, `pid ${pid} (${a.comm}) is missing from the eBPF table`).toBeDefined();
      expect({ pid, ppid: r?.ppid, commMatches: sameComm(r?.comm ?? '', a) }).toEqual({ pid, ppid: a.ppid, commMatches: true });
      compared++;
    }
    expect(compared).toBeGreaterThan(20);
    expect(m.total).toBe(m.processes.length);
    // PID 1 is in the table; where the iterator cannot reach it (this VM), read from procfs and counted.
    const init = byPid.get(1);
    expect(init?.ppid).toBe(0);
    if (unreachableInit().has(1)) {
      expect(init?.source).toBe('procfs');
      expect(m.filledFromProcfs).toBeGreaterThanOrEqual(1);
    } else {
      expect(init?.source).toBe('ebpf');
    }
    expect(m.processes.filter((p) => p.source === 'procfs').length).toBe(m.filledFromProcfs);
    // The processes read from procfs take their places: the list is in ascending PID order.
    const pids = m.processes.map((p) => p.pid);
    expect(pids).toEqual([...pids].sort((a, b) => a - b));
    expect(m).toMatchObject({ malformed: 0, fieldSources: { startTime: 'procfs', cgroupPath: 'sysfs' } });
    // A process that vanished during the read existed before it and is gone after: one of
    // `before` missing from `after`, or one started in the window (the kernel's last pid moved).
    // With no process started and none gone, none vanished.
    const gone = [...before.keys()].filter((pid) => !after.has(pid)).length;
    expect(m.vanished).toBeLessThanOrEqual(gone + Math.max(0, pidsMade));
    expect(m.unavailable.cgroups).toMatch(/only the cgroup v2 membership/);
  });

  it('per process, matches readProcess: ppid, comm, uid, threads, state class, CPU time within ticks', async () => {
    const pids = [...listProc().keys()];
    const first = new Map<number, ProcessRecord>();
    for (const pid of pids) {
      const r = readProcess('/proc', pid, { sysRoot: '/sys' });
      if (r.status === 'ok') first.set(pid, r.record);
    }
    const m = await source.read(read);
    const second = new Map<number, ProcessRecord>();
    for (const pid of first.keys()) {
      const r = readProcess('/proc', pid, { sysRoot: '/sys' });
      if (r.status === 'ok') second.set(pid, r.record);
    }
    let compared = 0;
    const cpu = (r: ProcessRecord): number => r.userSeconds + r.systemSeconds;
    for (const e of m.processes) {
      const b = first.get(e.pid);
      const a = second.get(e.pid);
      if (!b || !a || a.startSecondsSinceBoot !== b.startSecondsSinceBoot || a.comm !== b.comm || a.ppid !== b.ppid) continue;
      expect(e.ppid, `pid ${e.pid} ppid`).toBe(a.ppid);
      expect(sameComm(e.comm, { comm: a.comm, kthread: a.category === 'kernel' }), `pid ${e.pid} comm ${e.comm} / ${a.comm}`).toBe(true);
      expect([e.uid, e.euid, e.category]).toEqual([a.uid, a.euid, a.category]);
      expect(Math.abs(e.startSecondsSinceBoot - a.startSecondsSinceBoot), `pid ${e.pid} start`).toBeLessThan(0.011);
      if (a.threads === b.threads) expect(e.threads, `pid ${e.pid} threads`).toBe(a.threads);
      if (stateClass(a.state) === stateClass(b.state)) expect(stateClass(e.state), `pid ${e.pid} state`).toBe(stateClass(a.state));
      // procfs truncates user and system to 10 ms ticks each; eBPF misses at most the
      // slice a running task is in (under one scheduler tick).
      expect(cpu(e), `pid ${e.pid} (${e.comm}) cpu`).toBeGreaterThanOrEqual(cpu(b) - 0.015);
      expect(cpu(e), `pid ${e.pid} (${e.comm}) cpu`).toBeLessThanOrEqual(cpu(a) + 0.021);
      if (e.source === 'ebpf') expect(e.runtimeSeconds).toBeCloseTo(cpu(e), 6);
      else expect([e.pid, e.runtimeSeconds]).toEqual([1, null]); // filled from procfs: no exact runtime
      compared++;
    }
    expect(compared).toBeGreaterThan(20);
    // The burner sleeps now: its CPU time no longer moves, so the split is compared too.
    const burner = children[0]!.pid!;
    const e = m.processes.find((p) => p.pid === burner)!;
    const a = second.get(burner)!;
    expect(cpu(a)).toBeGreaterThan(0.05);
    expect(Math.abs(e.userSeconds - a.userSeconds)).toBeLessThan(0.021);
    expect(Math.abs(e.systemSeconds - a.systemSeconds)).toBeLessThan(0.021);
    expect(e.io?.rchar).toBe(a.io?.rchar);
    expect([e.minorFaults, e.majorFaults, e.cgroupPath, e.cgroupId]).toEqual([a.minorFaults, a.majorFaults, a.cgroupPath, a.cgroupId]);
  });

  it('cpuPercent: null the first time a process is seen, then its CPU-time change over the interval', async () => {
    const c = spawn('sh', ['-c', 'i=0; while [ $i -lt 2000000 ]; do i=$((i+1)); done'], { stdio: 'ignore' });
    children.push(c);
    await spawned(c);
    const first = (await source.read(read)).processes.find((p) => p.pid === c.pid);
    expect(first?.cpuPercent).toBeNull();
    await new Promise((r) => setTimeout(r, 300));
    const m = await source.read(read);
    const second = m.processes.find((p) => p.pid === c.pid);
    if (!first || !second || m.intervalMs === null) throw new Error('the spinning child is missing');
    const expected = ((second.userSeconds + second.systemSeconds - first.userSeconds - first.systemSeconds) / (m.intervalMs / 1000)) * 100;
    expect(second.cpuPercent).toBeCloseTo(expected, 1);
    expect(second.cpuPercent).toBeGreaterThan(0);
  });

  it('an idle process keeps its frozen record between readings; a running one gets a new record each time', async () => {
    const idle = spawn('sleep', ['60'], { stdio: 'ignore' });
    const busy = spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
    children.push(idle, busy);
    await Promise.all([spawned(idle), spawned(busy)]);
    // Wait until `sleep` has exec'd and gone to sleep: from then on nothing of it changes.
    for (let i = 0; i < 100 && !/^\S+ \(sleep\) S /.test(readFileSync(`/proc/${idle.pid}/stat`, 'latin1')); i++) await new Promise((r) => setTimeout(r, 20));
    const reads: ProcessRecord[][] = [];
    for (let i = 0; i < 3; i++) {
      const m = await source.read(read);
      reads.push([idle.pid, busy.pid].map((pid) => m.processes.find((p) => p.pid === pid)!));
      await new Promise((r) => setTimeout(r, 50));
    }
    const [[, busy1], [idle2, busy2], [idle3, busy3]] = reads as [ProcessRecord[], ProcessRecord[], ProcessRecord[]];
    expect(idle2?.comm).toBe('sleep');
    expect(idle2?.cpuPercent).toBe(0);
    expect(idle3).toBe(idle2);
    expect(busy2).not.toBe(busy1);
    expect(busy3).not.toBe(busy2);
    expect(busy3!.runtimeSeconds!).toBeGreaterThan(busy2!.runtimeSeconds!);
    expect(Object.isFrozen(idle3) && Object.isFrozen(idle3!.io)).toBe(true);
    expect(() => {
      (idle3 as { rssBytes: number }).rssBytes = 0;
    }).toThrow(TypeError);
    busy.kill('SIGKILL');
  });

  it('filters: pids pushed down, categories, comm glob, top-K', async () => {
    const burner = children[0]!.pid!;
    const only = new ProcEbpfSource(checkSelection({ pids: [burner, process.pid] }));
    await only.init(context);
    const kernel = new ProcEbpfSource(checkSelection({ categories: ['kernel'], comm: 'kworker/*' }));
    await kernel.init(context);
    const top = new ProcEbpfSource(checkSelection({ categories: ['user'], topK: { by: 'rss', k: 3 } }));
    await top.init(context);
    try {
      const m = await only.read(read);
      expect(m.processes.map((p) => p.pid).sort((a, b) => a - b)).toEqual([burner, process.pid].sort((a, b) => a - b));
      expect(m.total).toBe(2);
      const k = await kernel.read(read);
      expect(k.processes.length).toBeGreaterThan(0);
      expect(k.processes.every((p) => p.category === 'kernel' && p.comm.startsWith('kworker/') && p.rssBytes === 0)).toBe(true);
      const t = await top.read(read);
      expect(t.processes).toHaveLength(3);
      expect(t.processes[0]!.rssBytes).toBeGreaterThanOrEqual(t.processes[1]!.rssBytes);
      expect(t.matched).toBeGreaterThan(3);
    } finally {
      await Promise.all([only.close(), kernel.close(), top.close()]);
    }
  });

  it('through the engine: the proc family comes from eBPF', async () => {
    const engine = createEngine({ plugins: [proc({ pids: [process.pid] })], config: { logLevel: 'silent' } });
    try {
      const r = (await engine.collect()).get('proc');
      expect(r?.source).toBe('ebpf');
      expect(r?.data.processes.map((p) => p.pid)).toEqual([process.pid]);
      expect(r?.data.processes[0]).toMatchObject({ ppid: process.ppid, threads: expect.any(Number) });
    } finally {
      await engine.close();
    }
  });
});
