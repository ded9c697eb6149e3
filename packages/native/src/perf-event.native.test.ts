// perf_event programs against workloads with known counts: exactly once per page fault of
// one process (a software event sampling every event), and the addon's own cpu-clock attach
// on every CPU, bounded by the sampled process's run time and time slices.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { AttachFailed } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { StepsChild } from '../../../test/steps.js';
import { fixture, readU64, u32 } from '../test/helpers.js';
import { bpffsTestDir, settle } from '../test/workload.js';
import { onlineCpus } from './attach-targets.js';
import { BpfObject, possibleCpus, type BpfMap } from './index.js';

const ALL = 0; // enum perfc_slot in bpf/test/perf_count.h
const TARGET = 1;
const FREQUENCY_HZ = 199;
// cpu-clock runs on an hrtimer: the kernel turns the frequency into a fixed period.
const PERIOD_NS = Math.floor(1e9 / FREQUENCY_HZ);

const perCpu = (map: BpfMap, slot: number): bigint[] => (map.lookupPerCpu(u32(slot)) ?? []).map((v) => readU64(v));
const total = (map: BpfMap, slot: number): bigint => readU64(map.lookup(u32(slot)) ?? new Uint8Array(8));

/** Reads the two count maps until two reads agree (a sample in flight on another CPU may finish after a detach). */
const settleCounts = (obj: BpfObject): Promise<void> =>
  settle(() => Buffer.from(obj.map('perfc_counts').readArray()).toString('hex') + Buffer.from(obj.map('perfc_total').readArray()).toString('hex'));

let helperBinary: string | undefined;
function perfAttachBinary(): string {
  if (!helperBinary) {
    helperBinary = join(mkdtempSync(join(tmpdir(), 'bpfscope-perf-')), 'perf-attach');
    execFileSync('gcc', ['-O2', '-o', helperBinary, fileURLToPath(new URL('../test/children/perf-attach.c', import.meta.url))]);
  }
  return helperBinary;
}

/** Runs test/children/perf-attach.c: `pinned` attached to a software event of `pid`, every event sampled. */
async function attachToProcess(pinned: string, pid: number, event: 'page-faults' | 'context-switches'): Promise<{ detach: () => Promise<void> }> {
  const helper = spawn(perfAttachBinary(), [pinned, String(pid), event], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  helper.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.splice(0)) w();
  });
  helper.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => helper.once('close', resolve));
  const until = async (word: string): Promise<void> => {
    while (!out.includes(`${word}\n`)) {
      const ended = await Promise.race([new Promise<false>((r) => waiters.push(() => r(false))), exited.then(() => true)]);
      if (ended && !out.includes(`${word}\n`)) throw new Error(`perf-attach exited before "${word}": ${err}`);
    }
  };
  await until('attached');
  return {
    detach: async () => {
      helper.stdin.end('detach\n');
      await until('detached');
      expect(await exited).toBe(0);
    },
  };
}

describeKernel('perf_event programs', () => {
  let obj: BpfObject | undefined;
  let child: StepsChild | undefined;
  afterEach(async () => {
    obj?.close();
    await child?.stop();
    obj = child = undefined;
  });

  it('on a software event of one process, sampling every event, counts exactly its page faults', async () => {
    obj = BpfObject.open(fixture('perf_count.bpf.o'));
    await obj.load();
    const pinned = onlineCpus().at(-1) ?? 0;
    child = await StepsChild.start({ cpu: pinned });
    obj.map('perfc_config').update(u32(0), u32(child.pid));
    const dir = bpffsTestDir();
    let k0, k1;
    try {
      obj.pinProgram('perfc_sample', `${dir.path}/perfc_sample`);
      // The child is blocked in read(0) while the event is enabled and disabled: its own
      // fault counts read then cover exactly the window the program was attached.
      const attached = await attachToProcess(`${dir.path}/perfc_sample`, child.pid, 'page-faults');
      k0 = child.counters();
      await child.run('touch 3000');
      k1 = child.counters();
      await attached.detach();
      obj.unpinProgram('perfc_sample');
    } finally {
      dir.remove();
    }
    await settleCounts(obj);
    const faults = BigInt(k1.minorFaults + k1.majorFaults - (k0.minorFaults + k0.majorFaults));
    const counts = obj.map('perfc_counts');
    const totals = obj.map('perfc_total');
    const seen = `faults ${faults}, samples ${total(totals, ALL)}, of the child ${total(totals, TARGET)}`;
    expect(faults, seen).toBeGreaterThanOrEqual(3000n); // one per fresh page at least
    // Every fault of the child ran the program once, and nothing else did.
    expect(total(totals, TARGET), seen).toBe(faults);
    expect(total(totals, ALL), seen).toBe(faults);
    // Per CPU: the child ran only on its CPU.
    const expected = Array.from({ length: possibleCpus() }, (_, cpu) => (cpu === pinned ? faults : 0n));
    expect(perCpu(counts, TARGET)).toEqual(expected);
    expect(perCpu(counts, ALL)).toEqual(expected);
  });

  it('cpu-clock on every online CPU: a pinned child is sampled on its CPU only, no more often than its run time and time slices allow', async () => {
    obj = BpfObject.open(fixture('perf_count.bpf.o'));
    await obj.load();
    const cpus = onlineCpus();
    const pinned = cpus.at(-1) ?? 0;
    child = await StepsChild.start({ cpu: pinned });
    obj.map('perfc_config').update(u32(0), u32(child.pid));
    const k0 = child.counters();
    const links = obj.attachPerfEventAllCpus('perfc_sample', { frequencyHz: FREQUENCY_HZ });
    expect(links.map((l) => l.attachPoint)).toEqual(cpus.map((c) => `perf_event:cpu-clock:cpu${c}`));
    await child.run('spin 1000000');
    for (const link of links) link.destroy();
    const k1 = child.counters();
    expect(links.every((l) => !l.attached)).toBe(true);
    await settleCounts(obj);

    const counts = obj.map('perfc_counts');
    const totals = obj.map('perfc_total');
    const all = perCpu(counts, ALL);
    const target = perCpu(counts, TARGET);
    expect(all).toHaveLength(possibleCpus());
    // The per-CPU values add up to the atomic total, for both slots.
    expect(all.reduce((s, v) => s + v, 0n)).toBe(total(totals, ALL));
    expect(target.reduce((s, v) => s + v, 0n)).toBe(total(totals, TARGET));
    // The child ran only on its CPU, so every sample that hit it was taken there.
    expect(target).toEqual(target.map((v, cpu) => (cpu === pinned ? v : 0n)));
    expect(all[pinned]).toBeGreaterThanOrEqual(target[pinned] ?? 0n);
    // A sample hits the child when the CPU's timer fires (every PERIOD_NS) while it runs. In
    // each of its time slices that is at most ceil(slice / period) times; summed, at most
    // ran / period + slices (/proc/<pid>/schedstat: run time and slices, the kernel's own).
    // Samples are taken while it runs, and it ran 1 s: at least one sample. (How many below the
    // bound depends on the share of the CPU it gets and on timer ticks lost under load.)
    const ran = Number(k1.runNs - k0.runNs);
    const slices = Number(k1.timeslices - k0.timeslices);
    const seen = `samples of the child ${target[pinned]}, ran ${ran} ns in ${slices} slices, period ${PERIOD_NS} ns`;
    expect(ran, seen).toBeGreaterThanOrEqual(1e9);
    expect(Number(target[pinned]), seen).toBeLessThanOrEqual(Math.ceil(ran / PERIOD_NS) + slices);
    expect(Number(target[pinned]), seen).toBeGreaterThanOrEqual(1);
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
