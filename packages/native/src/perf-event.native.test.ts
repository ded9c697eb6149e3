import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { AttachFailed } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { fixture, readU64, u32 } from '../test/helpers.js';
import { BpfObject, possibleCpus, type BpfMap } from './index.js';

const ALL = 0; // enum perfc_slot in bpf/test/perf_count.h
const TARGET = 1;
const FREQUENCY_HZ = 199;
const BUSY_CPU_US = 1_000_000; // CPU time the pinned child burns

function onlineCpus(): number[] {
  const cpus: number[] = [];
  for (const part of readFileSync('/sys/devices/system/cpu/online', 'utf8').trim().split(',')) {
    const [a = 0, b = a] = part.split('-').map(Number);
    for (let c = a; c <= b; c++) cpus.push(c);
  }
  return cpus;
}

const perCpu = (map: BpfMap, slot: number): bigint[] => (map.lookupPerCpu(u32(slot)) ?? []).map((v) => readU64(v));
const total = (map: BpfMap, slot: number): bigint => readU64(map.lookup(u32(slot)) ?? new Uint8Array(8));

/**
 * Starts node pinned to `cpu` with taskset. Once it printed "ready", `go()`
 * makes it burn BUSY_CPU_US of CPU time and resolves with the CPU time it
 * measured for the burn.
 */
async function busyChild(cpu: number): Promise<{ pid: number; go: () => Promise<number> }> {
  const script = `process.stdout.write('ready\\n'); process.stdin.once('data', () => {
    const t = process.cpuUsage(); let u; do { u = process.cpuUsage(t); } while (u.user + u.system < ${BUSY_CPU_US});
    process.stdout.write('used ' + (u.user + u.system) + '\\n'); process.exit(0); });`;
  const child = spawn('taskset', ['-c', String(cpu), process.execPath, '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) resolve();
    });
  });
  return {
    pid: child.pid ?? -1,
    go: async () => {
      child.stdin.end('go\n');
      const code = await exited;
      const used = /used (\d+)/.exec(out)?.[1];
      if (code !== 0 || used === undefined) throw new Error(`busy child exited ${code}: ${out}`);
      return Number(used);
    },
  };
}

describeKernel('perf_event cpu-clock sampling', () => {
  let obj: BpfObject | undefined;
  afterEach(() => obj?.close());

  it('samples every online CPU; a pinned busy child is sampled on its CPU at no less than a quarter of the frequency', async () => {
    obj = BpfObject.open(fixture('perf_count.bpf.o'));
    await obj.load();
    const cpus = onlineCpus();
    const pinned = cpus[cpus.length - 1] ?? 0;
    const child = await busyChild(pinned);
    obj.map('perfc_config').update(u32(0), u32(child.pid));
    const links = obj.attachPerfEventAllCpus('perfc_sample', { frequencyHz: FREQUENCY_HZ });
    expect(links.map((l) => l.attachPoint)).toEqual(cpus.map((c) => `perf_event:cpu-clock:cpu${c}`));
    const cpuUs = await child.go();
    for (const link of links) link.destroy();
    expect(links.every((l) => !l.attached)).toBe(true);

    const counts = obj.map('perfc_counts');
    const totals = obj.map('perfc_total');
    // A sample still running on another CPU may finish after the detach: read until two reads agree.
    let previous = '';
    for (let i = 0; i < 100; i++) {
      const now = Buffer.from(counts.readArray()).toString('hex') + Buffer.from(totals.readArray()).toString('hex');
      if (now === previous) break;
      previous = now;
      await sleep(10);
    }

    const all = perCpu(counts, ALL);
    const target = perCpu(counts, TARGET);
    expect(all).toHaveLength(possibleCpus());
    // The per-CPU values add up to the atomic total, for both slots.
    expect(all.reduce((s, v) => s + v, 0n)).toBe(total(totals, ALL));
    expect(target.reduce((s, v) => s + v, 0n)).toBe(total(totals, TARGET));
    // The child ran only on its CPU, so every sample that hit it was taken there.
    expect(target[pinned]).toBe(total(totals, TARGET));
    // A lower bound only: cpu-clock fires FREQUENCY_HZ times per second of CPU time the child used.
    const expected = (FREQUENCY_HZ * cpuUs) / 1e6;
    expect(cpuUs).toBeGreaterThanOrEqual(BUSY_CPU_US);
    expect(Number(total(totals, TARGET))).toBeGreaterThanOrEqual(Math.floor(expected / 4));
    expect(all[pinned]).toBeGreaterThanOrEqual(target[pinned] ?? 0n);
  });

  it('refuses a CPU that does not exist, and bad arguments, with AttachFailed', async () => {
    obj = BpfObject.open(fixture('perf_count.bpf.o'));
    await obj.load();
    const cpu = possibleCpus() + 100;
    let error: unknown;
    try {
      obj.attachPerfEvent('perfc_sample', { cpu, frequencyHz: 10 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AttachFailed);
    expect((error as AttachFailed).attachPoint).toBe(`perf_event:cpu-clock:cpu${cpu}`);
    expect((error as AttachFailed).errno).toBeGreaterThan(0);
    expect(() => obj?.attachPerfEvent('perfc_sample', { cpu: -1 })).toThrow(AttachFailed);
    expect(() => obj?.attachPerfEventAllCpus('perfc_sample', { frequencyHz: 0 })).toThrow(/frequencyHz a positive integer/);
  });
});
