// Sampling decided in the kernel (bpf/include/bpfscope_sampling.h) for syscall events: the
// engine's sampling setting is pushed into its slot's sc_smp maps, and only the passed calls
// reach the ring. Each test's children make known numbers of calls, the engine's filter
// keeps only them and only the syscalls they make, so the kernel's counts are exactly theirs.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createEngine, type Engine, type SampledEventStream } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { binomialInterval } from '../../../test/statistics.js';
import { StepsChild } from '../../../test/steps.js';
import { silent } from '../test/read-syscall.js';
import type { SyscallEvent } from './ebpf/syscall-events.js';
import { syscall } from './plugin.js';
import { syscallNumber } from './syscall-table.js';
import { removeCgroupDir } from '../../../test/cgroup-dir.js';

const GETPPID = syscallNumber('getppid')!;
const NANOSLEEP = syscallNumber('nanosleep')!;

/** Pulls exactly `n` events (the kernel passed that many: fewer would hang the test until its timeout). */
async function take(stream: SampledEventStream<SyscallEvent>, n: number): Promise<Array<{ e: SyscallEvent; w: number }>> {
  const out: Array<{ e: SyscallEvent; w: number }> = [];
  // next() by hand: leaving a for-await loop would end the stream.
  while (out.length < n) {
    const r = await stream.next();
    if (r.done === true) break;
    out.push({ e: r.value, w: stream.weightOf(r.value) });
  }
  return out;
}

function programIds(engine: Engine): number[] {
  return engine.stats().collectors.find((c) => c.family === 'syscall')!.sourceStats!.programs.map((p) => p.id);
}

describeKernel('syscall events: sampling decided in the kernel', () => {
  let engine: Engine;
  const children: StepsChild[] = [];
  let stop: AbortController;
  beforeEach(async () => {
    stop = new AbortController();
    engine = createEngine({ plugins: [syscall({ mode: 'latency' })], config: { mode: 'ebpf', governor: { enabled: false }, cache: { enabled: false } }, logger: silent });
    await engine.start();
  });
  afterEach(async () => {
    stop.abort();
    await engine.close();
    for (const c of children.splice(0)) await c.stop();
  });
  const child = async (cpu?: number): Promise<StepsChild> => {
    const c = await StepsChild.start(cpu === undefined ? {} : { cpu });
    children.push(c);
    return c;
  };
  const open = async (pids: number[], syscalls: number[]): Promise<SampledEventStream<SyscallEvent>> => {
    await engine.setFilter('syscall', { pids, syscalls });
    const stream = engine.events('syscall', { signal: stop.signal });
    await stream.ready;
    return stream;
  };
  const familyStats = () => engine.stats().collectors.find((c) => c.family === 'syscall')!.events;

  it('uniform, random mode: kept within the binomial 99.9% interval, weight N, kept + sampled away = calls exactly', async () => {
    const n = 20_000;
    const every = 10;
    const c = await child();
    const stream = await open([c.pid], [GETPPID]);
    await engine.setSampling('syscall', { strategy: 'uniform', every, mode: 'random' });
    expect(familyStats().kernelSetting).toEqual({ uniform: { every, mode: 'random' } });
    await c.run(`getppid ${n}`);
    const k = stream.counts().kernel!;
    expect(k.offered).toBe(n);
    expect(k.passed + k.uniformAway).toBe(n);
    const [lo, hi] = binomialInterval(n, 1 / every, 0.999);
    expect(k.passed).toBeGreaterThanOrEqual(lo);
    expect(k.passed).toBeLessThanOrEqual(hi);
    const got = await take(stream, k.passed);
    expect(got.every(({ e, w }) => e.pid === c.pid && e.weight === every && w === every)).toBe(true);
    expect(stream.counts()).toMatchObject({ droppedKernel: 0, sampledAway: 0 }); // nothing left to user space
  });

  it('uniform, counter mode on one CPU: exactly ⌈n/N⌉ kept; a run-time change keeps the program ids', async () => {
    const n = 1234;
    const every = 7;
    const c = await child(0);
    const stream = await open([c.pid], [GETPPID]);
    const ids = programIds(engine);
    await engine.setSampling('syscall', { strategy: 'uniform', every });
    await c.run(`getppid ${n}`);
    const k = stream.counts().kernel!;
    expect(k).toMatchObject({ offered: n, passed: Math.ceil(n / every), uniformAway: n - Math.ceil(n / every), tailAway: 0, refused: 0 });
    const got = await take(stream, k.passed);
    expect(got.reduce((s, x) => s + x.w, 0)).toBe(Math.ceil(n / every) * every);
    expect(programIds(engine)).toEqual(ids);
  });

  it('tail threshold 1 ms in the kernel: every 2-ms nanosleep delivered, every delivered call ≥ 1 ms, the getppid calls sampled away', async () => {
    const sleeps = 25;
    const calls = 3000;
    const c = await child();
    const stream = await open([c.pid], [GETPPID, NANOSLEEP]);
    await engine.setSampling('syscall', { strategy: 'tail', threshold: 1_000_000 });
    expect(familyStats().kernelSetting).toEqual({ tailThreshold: 1_000_000 });
    await c.run(`getppid ${calls}`);
    await c.run(`msleep ${sleeps}`);
    await c.run(`getppid ${calls}`);
    const k = stream.counts().kernel!;
    expect(k.offered).toBe(sleeps + 2 * calls);
    expect(k.passed + k.tailAway).toBe(k.offered);
    const got = await take(stream, k.passed);
    expect(got.every(({ e, w }) => e.durationNs! >= 1_000_000 && w === 1)).toBe(true);
    expect(got.filter(({ e }) => e.name === 'nanosleep')).toHaveLength(sleeps);
    // A getppid is in the tail only if the kernel measured it at ≥ 1 ms (preempted in the
    // kernel on a busy machine): then it is delivered, with that duration, and counted as passed.
    expect(k.tailAway).toBe(2 * calls - got.filter(({ e }) => e.name === 'getppid').length);
  });

  it('priority by pid with uniform 1-in-10 otherwise: every call of the high child delivered, the other thinned, totals exact', async () => {
    const n = 2000;
    const [high, low] = [await child(), await child()];
    const stream = await open([high.pid, low.pid], [GETPPID]);
    await engine.setSampling('syscall', { strategy: 'priority', match: { pids: [high.pid] }, otherwise: { strategy: 'uniform', every: 10 } });
    await Promise.all([high.run(`getppid ${n}`), low.run(`getppid ${n}`)]);
    const k = stream.counts().kernel!;
    expect(k.offered).toBe(2 * n);
    expect(k.highPassed).toBe(n);
    expect(k.passed - k.highPassed + k.uniformAway).toBe(n);
    const got = await take(stream, k.passed);
    const ofHigh = got.filter((x) => x.e.pid === high.pid);
    const ofLow = got.filter((x) => x.e.pid === low.pid);
    expect(ofHigh.length).toBe(n);
    expect(ofHigh.every((x) => x.w === 1)).toBe(true);
    expect(ofLow.length).toBe(k.passed - n);
    expect(ofLow.every((x) => x.w === 10)).toBe(true);
    expect(ofLow.length).toBeLessThan(n / 5); // thinned: 1-in-10 per CPU gives at most ⌈n/10⌉ per CPU the child ran on
  });

  it('priority by cgroup (a cgroup v2 directory the test makes) and by syscall: the high child and every nanosleep delivered, the rest 1-in-10', async () => {
    // The cgroup v2 hierarchy (the ids bpf_get_current_cgroup_id gives), wherever it is mounted (hybrid: .../unified).
    const root = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')).find((f) => f[2] === 'cgroup2')?.[1];
    expect(root).toBeDefined();
    const dir = join(root!, `bpfscope-ks-sc-${process.pid}`);
    mkdirSync(dir);
    try {
      const n = 1000;
      const [high, low] = [await child(), await child()];
      writeFileSync(join(dir, 'cgroup.procs'), String(high.pid));
      const stream = await open([high.pid, low.pid], [GETPPID, NANOSLEEP]);
      await engine.setSampling('syscall', { strategy: 'priority', match: { cgroups: [statSync(dir).ino], kinds: ['nanosleep'] }, otherwise: { strategy: 'uniform', every: 10 } });
      await high.run(`getppid ${n}`);
      await low.run(`getppid ${n}`);
      await low.run('msleep 3');
      const k = stream.counts().kernel!;
      expect(k.offered).toBe(2 * n + 3);
      expect(k.highPassed).toBe(n + 3);
      const got = await take(stream, k.passed);
      expect(got.filter((x) => x.e.pid === high.pid && x.w === 1)).toHaveLength(n);
      expect(got.filter((x) => x.e.name === 'nanosleep' && x.w === 1)).toHaveLength(3);
      const lowCalls = got.filter((x) => x.e.pid === low.pid && x.e.name === 'getppid');
      expect(lowCalls.every((x) => x.w === 10)).toBe(true);
      expect(lowCalls.length + k.uniformAway).toBe(n);
    } finally {
      for (const c of children.splice(0)) await c.stop();
      removeCgroupDir(dir);
    }
  });

  it("a stream's own sampling goes to the kernel (user space samples nothing) and leaves with the stream", async () => {
    const n = 1000;
    const c = await child(1);
    await engine.setFilter('syscall', { pids: [c.pid], syscalls: [GETPPID] });
    const own = engine.events('syscall', { signal: stop.signal, sampling: { strategy: 'uniform', every: 5 } });
    await own.ready;
    expect(familyStats().kernelSetting).toEqual({ uniform: { every: 5, mode: 'counter' } });
    await c.run(`getppid ${n}`);
    expect(own.counts().kernel).toMatchObject({ offered: n, passed: n / 5, uniformAway: n - n / 5 });
    const got = await take(own, n / 5);
    expect(got.every((x) => x.w === 5)).toBe(true);
    expect(own.counts()).toMatchObject({ seen: n / 5, sampledAway: 0, delivered: n / 5 });
    await own.return();
    await new Promise((r) => setImmediate(r)); // the release's map writes run after return()
    expect(familyStats().kernelSetting).toBeNull();
    const all = engine.events('syscall', { signal: stop.signal });
    await all.ready;
    await c.run(`getppid ${n}`);
    const every = await take(all, n);
    expect(every.every((x) => x.w === 1)).toBe(true);
    expect(all.counts().kernel).toMatchObject({ offered: 0 }); // no setting in force: nothing decided
  });

  it('token bucket: delivered ≤ B + R·T over the workload span, refused = produced − delivered exactly; changed at run time, same programs', async () => {
    const n = 20_000;
    const c = await child();
    const stream = await open([c.pid], [GETPPID]);
    const ids = programIds(engine);
    const phase = async (rate: number, burst: number): Promise<{ passed: number; refused: number; spanNs: bigint }> => {
      const before = stream.counts().kernel!;
      await engine.setSampling('syscall', { strategy: 'token-bucket', ratePerSecond: rate, burst });
      const t0 = process.hrtime.bigint(); // CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns
      await c.run(`getppid ${n}`);
      const spanNs = process.hrtime.bigint() - t0;
      const k = stream.counts().kernel!;
      const passed = k.passed - before.passed;
      const refused = k.refused - before.refused;
      expect(k.offered - before.offered).toBe(n);
      expect(refused).toBe(n - passed);
      // GCRA with interval ⌈1e9/R⌉ ns: passed ≤ B + ⌊T/I⌋ ≤ B + R·T.
      expect(passed).toBeLessThanOrEqual(burst + Number((spanNs * BigInt(rate)) / 1_000_000_000n));
      expect(passed).toBeGreaterThanOrEqual(burst); // the child's own calls: a full bucket's burst passes at once
      const got = await take(stream, passed);
      expect(got.every((x) => x.w === 1 && x.e.pid === c.pid)).toBe(true);
      return { passed, refused, spanNs };
    };
    await phase(2000, 40);
    await phase(500, 5);
    expect(programIds(engine)).toEqual(ids);
    expect(stream.counts().droppedKernel).toBe(0);
  });
});
