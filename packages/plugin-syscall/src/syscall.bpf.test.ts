import { expect, it } from 'vitest';
import { createEngine } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { readSyscall, silent } from '../test/read-syscall.js';
import { startWorkload } from '../test/syscall-workload.js';
import { syscall } from './plugin.js';
import { syscallNumber } from './syscall-table.js';

const GETPPID = syscallNumber('getppid')!;
const CLOSE = syscallNumber('close')!;

describeKernel('syscall eBPF source against a workload with known calls', () => {
  it('reports exactly N getppid calls and M failed close calls for that PID, and nothing else through the PID filter', async () => {
    const sc = syscall({ processes: true, pids: [], mode: 'latency' });
    const engine = createEngine({ plugins: [sc], config: { mode: 'ebpf', cache: { enabled: false } }, logger: silent });
    await engine.start();
    const w = await startWorkload(1234, 56);
    await sc.setFilter({ pids: [w.pid] });
    expect((await w.go()).code).toBe(0);
    const m = await readSyscall(engine);
    await engine.close();
    const p = m.processes.find((x) => x.pid === w.pid);
    const call = (id: number) => p?.bySyscall?.find((s) => s.id === id);
    expect(call(GETPPID)?.count).toBe(1234);
    expect(call(GETPPID)?.errors).toBe(0);
    expect(call(CLOSE)?.errors).toBe(56);
    expect(call(CLOSE)?.count).toBeGreaterThanOrEqual(56);
    // The filter let through this process only.
    expect(m.processes.map((x) => x.pid)).toEqual([w.pid]);
    expect(m.total.count).toBe(p?.count);
    expect(m.syscalls.find((s) => s.id === GETPPID)?.count).toBe(1234);
    expect(m.filter.pids).toEqual([w.pid]);
    // Latency: one histogram sample per returned call. sys_exit updates the count and then the
    // histogram, and the two maps are read one after the other: they agree only when no call
    // returns in between. Here the workload has exited (its last sys_exit ran) before the reading.
    const g = m.syscalls.find((s) => s.id === GETPPID);
    expect(g?.latency?.count).toBe(1234);
    expect(g?.latency?.buckets.reduce((sum, b) => sum + b.count, 0)).toBe(1234);
    expect(g?.avgNs).toBeGreaterThan(0);
    expect(m.categories?.process.count).toBeGreaterThanOrEqual(1234);
  });

  it('follows a forked child in the kernel and counts its calls under its own PID', async () => {
    const sc = syscall({ processes: true, pids: [] });
    const engine = createEngine({ plugins: [sc], config: { mode: 'ebpf', cache: { enabled: false } }, logger: silent });
    await engine.start();
    const w = await startWorkload(10, 0, 777);
    await sc.setFilter({ pids: [w.pid] });
    const { code, childPid } = await w.go();
    expect(code).toBe(0);
    const m = await readSyscall(engine);
    await engine.close();
    const child = m.processes.find((x) => x.pid === childPid);
    expect(child?.bySyscall?.find((s) => s.id === GETPPID)?.count).toBe(777);
    expect(m.processes.find((x) => x.pid === w.pid)?.bySyscall?.find((s) => s.id === GETPPID)?.count).toBe(10);
  });

  it('by default (counts-only: latency and errors are opt-in detail) it counts exactly and reports errors and latency unavailable, with the reason', async () => {
    const sc = syscall({ processes: true, pids: [] });
    const engine = createEngine({ plugins: [sc], config: { mode: 'ebpf', cache: { enabled: false } }, logger: silent });
    await engine.start();
    const w = await startWorkload(500, 7);
    await sc.setFilter({ pids: [w.pid] });
    await w.go();
    const m = await readSyscall(engine);
    await engine.close();
    expect(m.mode).toBe('counts');
    const g = m.syscalls.find((s) => s.id === GETPPID);
    expect(g?.count).toBe(500);
    expect(g?.errors).toBeNull();
    expect(g?.latency).toBeNull();
    expect(m.unavailable.errors).toMatch(/counts-only/);
    expect(m.unavailable.latency).toMatch(/counts-only/);
  });

  it('a syscall filter changed at run time counts only those calls, without a reload', async () => {
    const sc = syscall({ processes: true, pids: [], mode: 'latency' });
    const engine = createEngine({ plugins: [sc], config: { mode: 'ebpf', cache: { enabled: false } }, logger: silent });
    await engine.start();
    const w = await startWorkload(300, 9);
    await sc.setFilter({ pids: [w.pid], syscalls: ['close'] });
    await w.go();
    const m = await readSyscall(engine);
    await engine.close();
    expect(m.syscalls.map((s) => s.id)).toEqual([CLOSE]);
    expect(m.syscalls[0]?.errors).toBe(9);
    expect(m.kernel?.filterMisses).toBeGreaterThanOrEqual(300);
  });
});
