// The cpu eBPF source takes user/nice/system/iowait/steal, load and pressure from procfs,
// and the time of each sample from the clock: both through the container. The reader here
// serves two captures of one machine (switched between init and the reading; the configured
// procRoot does not exist), the clock is the system's (the kernel's timestamps are on it)
// with every reading recorded. The procfs fields are then exactly the captures' deltas, and
// the interval exactly the recorded clock's.
import { expect, it } from 'vitest';
import { createEngine, systemClock, type Clock } from '@bpfscope/core';
import { FixtureReader, withServices } from '../../../test/fixture-services.js';
import { describeKernel } from '../../../test/real-kernel.js';
import { fixture } from '../test/fixture-helpers.js';
import { possibleCpus } from '@bpfscope/native';
import { cpu } from './plugin.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

describeKernel('cpu eBPF source through the container’s procfs reader and clock', () => {
  it('procfs fields are the two captures’ exact deltas, load and pressure the second capture’s; the interval is the recorded clock’s', async () => {
    const reader = new FixtureReader(fixture('vm-6.18-2cpu/proc'), '/sys');
    const mono: bigint[] = [];
    const wall: number[] = [];
    const clock: Clock = {
      monotonicNs: () => {
        const t = systemClock.monotonicNs();
        mono.push(t);
        return t;
      },
      wallMs: () => {
        const t = systemClock.wallMs();
        wall.push(t);
        return t;
      },
    };
    const engine = createEngine({ plugins: [withServices(cpu(), { procfs: reader, clock })], config: { mode: 'ebpf', procRoot: '/nonexistent-bpfscope-proc', cache: { enabled: false } }, logger: silent });
    let r;
    try {
      await engine.start();
      reader.use(fixture('vm-6.18-2cpu-loaded/proc'));
      r = (await engine.collect()).get('cpu');
    } finally {
      await engine.close();
    }
    expect(r?.source).toBe('ebpf');
    const data = r!.data;
    // init: the baseline, then two samples; the reading: one sample, load, pressure.
    expect(reader.calls).toEqual(['proc stat', 'constants', 'proc stat', 'constants', 'proc stat', 'constants', 'proc stat', 'constants', 'proc loadavg', 'proc pressure/cpu']);
    expect(mono).toHaveLength(3);
    expect(data.intervalMs).toBe(Math.round((Number(mono[2]) / 1e6 - Number(mono[1]) / 1e6) * 1000) / 1000);
    expect(wall).toHaveLength(1);
    expect(data.countersSince).toBe(new Date(wall[0]!).toISOString());
    // cpu0: 1083 0 526 23989 5 0 8 2 → 4623 0 894 58370 11 0 13 6; cpu1: 1780 0 844 22693 243 0 23 5 → 6284 0 1398 55857 347 0 36 6 (USER_HZ 100).
    const expected: Record<number, { user: number; nice: number; system: number; iowait: number; steal: number }> = {
      0: { user: 35.4, nice: 0, system: 3.68, iowait: 0.06, steal: 0.04 },
      1: { user: 45.04, nice: 0, system: 5.54, iowait: 1.04, steal: 0.01 },
    };
    const none = { user: null, nice: null, system: null, iowait: null, steal: null };
    // Every possible CPU of this machine, each once: with a record, or listed as unmeasured.
    expect([...data.perCpu.map((c) => c.cpu), ...data.unmeasuredCpus].sort((a, b) => a - b)).toEqual(Array.from({ length: possibleCpus() }, (_, i) => i));
    for (const c of data.perCpu) {
      expect({ user: c.user, nice: c.nice, system: c.system, iowait: c.iowait, steal: c.steal }).toEqual(expected[c.cpu] ?? none);
    }
    const sum = (k: 'user' | 'system'): number | null => data.perCpu.reduce<number | null>((s, c) => (s === null || c[k] === null ? null : s + c[k]!), 0);
    expect(data.total.user).toBe(sum('user'));
    expect(data.total.system).toBe(sum('system'));
    expect(data.loadAverage).toEqual({ load1: 1.13, load5: 0.39, load15: 0.18, runnable: 4, total: 89 });
    expect(data.pressure?.some).toEqual({ avg10: 42.67, avg60: 16.06, avg300: 4.75, totalUs: 21056359 });
    expect(data.runQueueLatency).not.toBeNull();
  });
});
