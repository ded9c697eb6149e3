import { afterAll, beforeAll, expect, it } from 'vitest';
import { createConsoleLogger, validateConfig, type SourceContext } from '@bpfscope/core';
import { possibleCpus } from '@bpfscope/native';
import { describeKernel } from '../../../../test/real-kernel.js';
import { burnCpu, keepOn, oversubscribe, sleepLoop } from '../../test/workloads.js';
import { CpuProcfsSource } from '../procfs/cpu-procfs-source.js';
import type { CpuMetrics } from '../records.js';
import { CpuEbpfSource } from './cpu-ebpf-source.js';

const context: SourceContext = { config: validateConfig({}), options: {}, logger: createConsoleLogger('silent') };
const read = { signal: new AbortController().signal };

describeKernel('cpu eBPF source against real workloads', () => {
  const ebpf = new CpuEbpfSource();
  const procfs = new CpuProcfsSource();

  beforeAll(async () => {
    await ebpf.init(context);
    await procfs.init(context);
  });
  afterAll(async () => {
    await ebpf.close();
    await procfs.close();
  });

  const busyOf = (m: CpuMetrics, cpu: number): number => {
    const r = m.perCpu.find((c) => c.cpu === cpu);
    if (!r || r.busy === null) throw new Error(`cpu ${cpu} has no busy time`);
    return r.busy;
  };

  it('per-CPU busy time of a pinned CPU burner agrees with /proc/stat and with the child within 5%', async () => {
    const cpu = 1;
    // The test runner (this worker and its parent) stays on CPU 0 meanwhile.
    const restore = keepOn(0, [process.pid, process.ppid]);
    let child, e0, p0, e1, p1;
    try {
      [e0, p0] = [await ebpf.read(read), await procfs.read(read)];
      child = await burnCpu(1500, cpu);
      [e1, p1] = [await ebpf.read(read), await procfs.read(read)];
    } finally {
      restore();
    }
    const ebpfBusy = busyOf(e1, cpu) - busyOf(e0, cpu);
    const procBusy = busyOf(p1, cpu) - busyOf(p0, cpu);
    const seen = `eBPF ${ebpfBusy.toFixed(4)} s, /proc/stat ${procBusy.toFixed(4)} s, child ${child.cpuSeconds.toFixed(4)} s`;
    expect(child.cpuSeconds, seen).toBeGreaterThan(1.2);
    expect(Math.abs(ebpfBusy - procBusy) / procBusy, seen).toBeLessThan(0.05);
    // The CPU ran the child and a little else: never less than the child, at most 5% more.
    expect(ebpfBusy, seen).toBeGreaterThanOrEqual(child.cpuSeconds * 0.99);
    expect((ebpfBusy - child.cpuSeconds) / child.cpuSeconds, seen).toBeLessThan(0.05);
    // The busy share over the window is high on that CPU.
    expect(e1.perCpu.find((c) => c.cpu === cpu)?.busyPercent).toBeGreaterThan(80);
  });

  it('counts context switches: a child sleeping 1 ms 500 times causes at least 1000', async () => {
    const before = await ebpf.read(read);
    await sleepLoop(500);
    const after = await ebpf.read(read);
    const delta = (after.total.contextSwitches ?? 0) - (before.total.contextSwitches ?? 0);
    expect(delta).toBeGreaterThanOrEqual(1000);
    const perCpuSum = after.perCpu.reduce((s, c) => s + (c.contextSwitches ?? 0), 0);
    expect(perCpuSum).toBe(after.total.contextSwitches);
  });

  it('run-queue latency rises under oversubscription and its buckets sum to its count', async () => {
    const before = (await ebpf.read(read)).runQueueLatency;
    await oversubscribe(6, 600);
    const after = (await ebpf.read(read)).runQueueLatency;
    if (!before || !after) throw new Error('no run-queue histogram');
    expect(after.count).toBeGreaterThan(before.count + 100);
    expect(after.buckets.reduce((s, b) => s + b.count, 0)).toBe(after.count);
    // Six spinners on two CPUs wait for whole time slices: waits of a millisecond or more appear.
    const slow = (h: typeof after): number => h.buckets.filter((b) => b.lowerBound >= 1_000_000).reduce((s, b) => s + b.count, 0);
    expect(slow(after)).toBeGreaterThan(slow(before));
  });

  it('marks the fields it takes from procfs and measures the rest itself', async () => {
    const m = await ebpf.read(read);
    expect(m.fieldSources).toMatchObject({ user: 'procfs', system: 'procfs', iowait: 'procfs', loadAverage: 'procfs' });
    expect(m.fieldSources.busy).toBeUndefined();
    expect(m.fieldSources.idle).toBeUndefined();
    expect(m.runQueueLatency?.unit).toBe('ns');
    expect(m.perCpu.length).toBeGreaterThanOrEqual(1);
    // Every possible CPU is either measured or listed as unmeasured, never dropped silently.
    expect([...m.perCpu.map((c) => c.cpu), ...m.unmeasuredCpus].sort((a, b) => a - b)).toEqual([...Array(possibleCpus()).keys()]);
    const stats = ebpf.stats();
    expect(stats.invocations).toBeGreaterThan(0);
    expect(stats.programs).toBe(7);
  });
});

describeKernel('program run statistics', () => {
  it('with programStats on, engine stats show each program’s runs and ns per run', async () => {
    const { createEngine } = await import('@bpfscope/core');
    const { cpu } = await import('../plugin.js');
    const engine = createEngine({ plugins: [cpu()], config: { mode: 'ebpf', programStats: true, logLevel: 'silent' } });
    await engine.start();
    await sleepLoop(200);
    const stats = engine.stats().collectors.find((c) => c.family === 'cpu')?.sourceStats ?? {};
    await engine.close();
    // Every switch of the sleeping child ran cpu_switch at least once.
    expect(stats['cpu_switch.runs']).toBeGreaterThanOrEqual(200);
    expect(stats['cpu_switch.nsPerRun']).toBeGreaterThan(0);
  });
});

describeKernel('libbpf log routing', () => {
  it('libbpf’s messages reach the engine’s logger at its level while the engine runs', async () => {
    const { createEngine } = await import('@bpfscope/core');
    const { cpu } = await import('../plugin.js');
    const lines: string[] = [];
    const logger = { error() {}, warn() {}, info() {}, debug: (m: string) => void lines.push(m) };
    const engine = createEngine({ plugins: [cpu()], config: { mode: 'ebpf', logLevel: 'debug' }, logger });
    await engine.start();
    await new Promise((r) => setTimeout(r, 50)); // messages arrive on the event loop
    await engine.close();
    // libbpf reports, at debug level, the programs it loads from the object.
    expect(lines.filter((l) => l.startsWith('libbpf: ')).length).toBeGreaterThan(0);
    expect(lines.some((l) => l.includes('cpu_switch'))).toBe(true);
  });
});
