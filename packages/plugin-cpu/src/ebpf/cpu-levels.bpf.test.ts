// The cpu family's "counts only" level (docs/governor.md): the run-queue latency part of
// cpu_switch goes off and on at run time, with no reload, while the time counters and the
// context switches go on exactly across the change.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { createConsoleLogger, validateConfig, type SourceContext } from '@bpfscope/core';
import { BpfObject, objectCache, possibleCpus } from '@bpfscope/native';
import { describeKernel } from '../../../../test/real-kernel.js';
import { StepsChild, WAKE_LATENCY_S } from '../../../../test/steps.js';
import { keepOn } from '../../test/workloads.js';
import type { CpuMetrics } from '../records.js';
import { CPU_OBJECT_PATH, CpuEbpfSource } from './cpu-ebpf-source.js';
import { sumPerCpuU64 } from './decode.js';

const context: SourceContext = { config: validateConfig({}), options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal };
const read = { signal: new AbortController().signal };
const REASON = 'kernel cost over the budget (test)';

/** Every switch the sched_switch tracepoint reports, counted by native's minimal fixture program. */
async function switchCounter(): Promise<{ read: () => number; close: () => void }> {
  const obj = BpfObject.open(fileURLToPath(new URL('../../../native/test/fixtures/maps.bpf.o', import.meta.url)));
  await obj.load();
  obj.attach('test_switch');
  const total = obj.map('test_total');
  return {
    read: () => Number(new DataView((total.lookup(new Uint8Array(4)) ?? new Uint8Array(8)).buffer).getBigUint64(0, true)),
    close: () => obj.close(),
  };
}

describeKernel('cpu family: the governor’s counts-only level', () => {
  const ebpf = new CpuEbpfSource();
  let shared: BpfObject;
  /** Samples in the loaded object's run-queue histogram (all CPUs), read through the test's own handle. */
  const rawSamples = (): bigint => sumPerCpuU64(shared.map('cpu_runq_hist').readArray(), 64, possibleCpus()).reduce((s, v) => s + v, 0n);

  beforeAll(async () => {
    await ebpf.init(context);
    shared = await objectCache.load(CPU_OBJECT_PATH, { name: CPU_OBJECT_PATH });
  });
  afterAll(async () => {
    shared.close();
    await ebpf.close();
  });

  it('offers one level, counts only', () => {
    expect(ebpf.degradationLevels()).toEqual([expect.stringMatching(/^counts only: the run-queue latency part of cpu_switch off at run time/)]);
  });

  it('sheds run-queue latency with no reload: busy time and switches stay exact across the change, the histogram stops, then starts again from its return', async () => {
    const cpu = 1;
    const restore = keepOn(0, [process.pid, process.ppid]);
    const counter = await switchCounter();
    // Three burners sharing one CPU wait on its run queue for each other at each time slice.
    const burners = await Promise.all([0, 1, 2].map(() => StepsChild.start({ cpu })));
    const spin = (): Promise<unknown> => Promise.all(burners.map((b) => b.run('spin 150000')));
    const runNs = (): bigint => burners.reduce((s, b) => s + b.counters().runNs, 0n);
    const sleeps = (): number => burners.reduce((s, b) => s + b.counters().voluntary, 0);
    const slices = (): bigint => burners.reduce((s, b) => s + b.counters().timeslices, 0n);
    let e0: CpuMetrics, e1: CpuMetrics, e2: CpuMetrics, e3: CpuMetrics;
    let i0, i0b, i1, i1b, t0, t1, r0, r1, w0, w1, raw0, raw1, raw2, raw3, s2, s3, o2, o3;
    try {
      await spin();
      const slicesBefore = slices();
      e0 = await ebpf.read(read); // level 0, the histogram counting
      // Every switch-in of the burners before the reading followed a wait on the run queue.
      expect(e0.runQueueLatency?.count ?? 0).toBeGreaterThanOrEqual(Number(slicesBefore));
      expect(e0.runQueueLatencySince).toBe(e0.countersSince);

      // The change happens inside a window of the time counters: level 0, then level 1.
      i0 = counter.read();
      t0 = process.hrtime.bigint();
      e0 = await ebpf.read(read);
      i0b = counter.read();
      r0 = runNs();
      w0 = sleeps();
      await spin();
      await ebpf.setDegradation(1, REASON);
      raw0 = rawSamples();
      await spin();
      raw1 = rawSamples();
      r1 = runNs();
      w1 = sleeps();
      i1 = counter.read();
      e1 = await ebpf.read(read);
      t1 = process.hrtime.bigint();
      i1b = counter.read();

      // Back to level 0: the histogram counts again, from the return.
      o2 = counter.read();
      await ebpf.setDegradation(0, '');
      raw2 = rawSamples();
      s2 = slices();
      await spin();
      s3 = slices();
      e2 = await ebpf.read(read);
      raw3 = rawSamples();
      o3 = counter.read();
      e3 = e2;
    } finally {
      counter.close();
      await Promise.all(burners.map((b) => b.stop()));
      restore();
    }
    const cpuOf = (m: CpuMetrics): { busy: number; sw: number } => {
      const r = m.perCpu.find((c) => c.cpu === cpu);
      return { busy: r?.busy ?? NaN, sw: r?.contextSwitches ?? NaN };
    };
    // Busy time: all the burners ran on their CPU inside the window, and no more than the window.
    const busy = cpuOf(e1).busy - cpuOf(e0).busy;
    const burned = Number(r1 - r0) / 1e9;
    const window = Number(t1 - t0) / 1e9;
    const switches = (e1.total.contextSwitches ?? NaN) - (e0.total.contextSwitches ?? NaN);
    // Each wake-up of a burner may charge it up to its CPU's wake-up latency more (WAKE_LATENCY_S).
    // The family reports busy time per CPU, not per task, and this kernel has no per-CPU ns
    // count to compare with exactly (no /proc/schedstat): the burners' own kernel count is
    // the reference. Other work on the CPU can fill at most what the burners left of the
    // window (busy <= window below; both are in `seen`): a loss larger than that fails.
    const wakes = w1! - w0!;
    const slack = wakes * WAKE_LATENCY_S + 1e-6;
    const seen = `busy ${busy} s, burners ${burned} s (${wakes} wake-ups), window ${window} s; switches ${switches}, counter inner ${i1 - i0b}, outer ${i1b - i0}`;
    expect(busy, seen).toBeGreaterThanOrEqual(burned - slack);
    expect(busy, seen).toBeLessThanOrEqual(window + 1e-6);
    // Every switch between the readings, at either level: between the independent counter's
    // count inside and outside them.
    expect(switches, seen).toBeGreaterThanOrEqual(i1 - i0b);
    expect(switches, seen).toBeLessThanOrEqual(i1b - i0);

    // While shed: no run-queue sample taken at all (this process holds the only load of the
    // object), and the reading says so with the governor's reason.
    expect(raw1 - raw0, `raw samples while shed`).toBe(0n);
    expect(e1.runQueueLatency).toBeNull();
    expect(e1.runQueueLatencySince).toBeNull();
    expect(e1.unavailable.runQueueLatency).toBe(REASON);

    // Returned: counting from the return, each burner's switch-in after it sampled, and no more
    // samples than switches since the return (the independent counter, read after it).
    const grew = raw3 - raw2;
    expect(grew, `raw +${grew}, burners' switch-ins ${s3 - s2}`).toBeGreaterThanOrEqual(s3 - s2);
    expect(e3.unavailable.runQueueLatency).toBeUndefined();
    expect(e3.runQueueLatencySince! > e1.countersSince).toBe(true);
    const count = e3.runQueueLatency?.count ?? NaN;
    const back = `histogram ${count}, burners' switch-ins ${s3 - s2}, switches around the return and reading ${o3 - o2}`;
    expect(count, back).toBeGreaterThanOrEqual(Number(s3 - s2));
    expect(count, back).toBeLessThanOrEqual(o3 - o2);
  });

  it('another source holding the same object keeps the part on while it does not shed', async () => {
    const other = new CpuEbpfSource();
    await other.init(context);
    try {
      await ebpf.setDegradation(1, REASON);
      const before = rawSamples();
      const burners = await Promise.all([0, 1].map(() => StepsChild.start({ cpu: 1 })));
      let slicesGrew = 0n;
      try {
        const k0 = burners.reduce((s, b) => s + b.counters().timeslices, 0n);
        await Promise.all(burners.map((b) => b.run('spin 100000')));
        slicesGrew = burners.reduce((s, b) => s + b.counters().timeslices, 0n) - k0;
      } finally {
        await Promise.all(burners.map((b) => b.stop()));
      }
      expect(rawSamples() - before).toBeGreaterThanOrEqual(slicesGrew);
      expect((await ebpf.read(read)).runQueueLatency).not.toBeNull(); // measured: it was never off
      await other.setDegradation(1, REASON);
      expect((await other.read(read)).unavailable.runQueueLatency).toBe(REASON);
    } finally {
      await other.close();
      await ebpf.setDegradation(0, '');
    }
  });
});
