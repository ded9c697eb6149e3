// Mode fallback on the live machine: meminfo as a direct parse of /proc/meminfo reads it
// (fields that do not move compared with a direct parse, the moving ones with the family's
// own parse of the same read; and, from a capture of /proc/meminfo and /proc/vmstat, exactly
// what a direct parse of those bytes gives: the live file moves between any two reads on a
// shared machine), vmstat and cgroups likewise, and OOM victims are reported unavailable
// with the reason, as is the victim stream (engine.events('mem'): the procfs source has no events).
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { Closed, DataUnavailable, createEngine, createProcfsReader, type Engine } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { listMemoryCgroups } from './cgroup/list-memory-cgroups.js';
import { MEM_OBJECT_PATH } from './ebpf/mem-ebpf-source.js';
import { mem } from './plugin.js';
import { parseMeminfo, type Meminfo } from './procfs/parse-meminfo.js';
import { parseVmstat } from './procfs/parse-vmstat.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };
/** What iterating `engine.events('mem')` throws (the engine opens the stream on the family's selected source). */
async function firstEventError(engine: Engine): Promise<unknown> {
  try {
    for await (const v of engine.events('mem')) return new Error(`unexpected event ${JSON.stringify(v)}`);
  } catch (e) {
    return e;
  }
  return new Error('the stream ended without an error');
}
const meminfo = (): Meminfo => parseMeminfo(readFileSync('/proc/meminfo', 'utf8'), '/proc/meminfo');

describeKernel('mem family in mode fallback', () => {
  it('meminfo equals a direct parse; victims are unavailable with the reason, and so is the stream', async () => {
    const engine = createEngine({ plugins: [mem({ processes: true, topProcesses: 5 })], config: { mode: 'fallback', cache: { enabled: false } }, logger: silent });
    await engine.start();
    const vmBefore = parseVmstat(readFileSync('/proc/vmstat', 'utf8'), '/proc/vmstat');
    const before = meminfo();
    const r = (await engine.collect()).get('mem');
    const after = meminfo();
    const streamError = await firstEventError(engine);
    await engine.close();
    expect(streamError).toBeInstanceOf(DataUnavailable);
    expect((streamError as Error).message).toBe(
      'mem events is unavailable: its selected source mem-procfs (procfs) gives no events; the source before it was rejected: DATA_UNAVAILABLE: mem-ebpf is unavailable: the configuration sets mode "fallback" for mem',
    );
    expect((streamError as DataUnavailable).remedy).toMatch(/families\.mem\.mode to 'ebpf'/);

    expect(r?.source).toBe('procfs');
    expect(r?.fallback?.message).toMatch(/mode "fallback"/);
    const m = r!.data;
    expect(m.errors).toEqual({});
    expect(m.system?.totalBytes).toBe(before.memTotal);
    expect(m.system?.meminfo.memTotal).toBe(after.memTotal);
    // Moving fields: one read of the file gives both the summary and the parsed record.
    expect(m.system!.freeBytes).toBe(m.system!.meminfo.memFree);
    expect(m.system!.availableBytes).toBe(m.system!.meminfo.memAvailable);
    expect(m.system!.cachedBytes).toBe(m.system!.meminfo.cached);
    expect(m.system!.meminfo.swapTotal).toBe(before.swapTotal);
    expect(m.system!.usedBytes).toBe(m.system!.totalBytes - m.system!.availableBytes!);
    expect(m.swap?.totalBytes).toBe(before.swapTotal);
    expect(m.vmstat!.pgfault).toBeGreaterThanOrEqual(vmBefore.pgfault);
    expect(m.vmstat!.oomKill).toBeGreaterThanOrEqual(vmBefore.oomKill!);

    expect(m.oom.victims).toBeNull();
    expect(m.oom.events).toBeNull();
    expect(m.oom.sinceBoot).toBe(m.vmstat!.oomKill);
    expect(m.unavailable.oomVictims).toMatch(/eBPF source \(tp_btf\/mark_victim\).*vmstat oom_kill.*memory\.events.*memory\.oom_control/);
    expect(m.kernel).toBeNull();
    expect(m.fieldSources).toEqual({ cgroups: 'sysfs' });
    expect(m.processes.length).toBe(5);
    expect(m.processCount).toBeGreaterThan(5);
    expect(m.cgroups?.hierarchy).toBe(listMemoryCgroups(createProcfsReader('/proc', '/sys')).hierarchy);
    expect(m.predictions.find((p) => p.key === 'system')).toMatchObject({ target: 'system', limit: before.memTotal, confidence: { samples: 1 } });
  });

  it('meminfo and vmstat from one capture of the live files equal a direct parse of the same bytes, field by field', async () => {
    // One read of each file is the only instant both sides can share.
    const root = await mkdtemp(join(tmpdir(), 'bpfscope-meminfo-'));
    await mkdir(join(root, 'proc'));
    const memText = readFileSync('/proc/meminfo', 'utf8');
    const vmText = readFileSync('/proc/vmstat', 'utf8');
    await writeFile(join(root, 'proc/meminfo'), memText);
    await writeFile(join(root, 'proc/vmstat'), vmText);
    const engine = createEngine({ plugins: [mem()], config: { mode: 'fallback', cache: { enabled: false }, procRoot: join(root, 'proc') }, logger: silent });
    let r;
    try {
      await engine.start();
      r = (await engine.collect()).get('mem');
    } finally {
      await engine.close();
      await rm(root, { recursive: true, force: true });
    }
    const direct = parseMeminfo(memText, '/proc/meminfo');
    const m = r!.data;
    expect(m.system?.meminfo).toEqual(direct);
    expect(m.system).toMatchObject({ totalBytes: direct.memTotal, freeBytes: direct.memFree, availableBytes: direct.memAvailable, cachedBytes: direct.cached });
    expect(m.swap?.totalBytes).toBe(direct.swapTotal);
    const vm = parseVmstat(vmText, '/proc/vmstat');
    expect(m.vmstat).toMatchObject({ pgfault: vm.pgfault, pgmajfault: vm.pgmajfault, oomKill: vm.oomKill });
  });

  it('after close, the victim stream is refused with Closed', async () => {
    const engine = createEngine({ plugins: [mem()], config: { mode: 'fallback' }, logger: silent });
    await engine.close();
    expect(() => engine.events('mem')).toThrow(Closed);
  });
});

describeKernel('mem family when its eBPF object is bad', () => {
  const bad = async (objectPath: string) => {
    const engine = createEngine({ plugins: [mem({ objectPath })], config: { cache: { enabled: false } }, logger: silent });
    const r = (await engine.collect()).get('mem');
    const streamError = await firstEventError(engine);
    await engine.close();
    return { r, streamError };
  };

  it('a truncated object: auto mode falls back to procfs with LOAD_FAILED, and the stream says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bpfscope-mem-'));
    const corrupt = join(dir, 'mem.bpf.o');
    const real = await readFile(MEM_OBJECT_PATH);
    await writeFile(corrupt, real.subarray(0, Math.floor(real.length / 3)));
    const { r, streamError } = await bad(corrupt);
    expect(r?.source).toBe('procfs');
    expect(r?.fallback?.code).toBe('LOAD_FAILED');
    expect(streamError).toBeInstanceOf(DataUnavailable);
    expect((streamError as Error).message).toMatch(/selected source mem-procfs \(procfs\) gives no events/);
  });

  it("another family's object: the layouts from its BTF do not match, LOAD_FAILED names struct mem_faults", async () => {
    const { r } = await bad(fileURLToPath(new URL('../../plugin-cpu/bpf/cpu.bpf.o', import.meta.url)));
    expect(r?.source).toBe('procfs');
    expect(r?.fallback?.code).toBe('LOAD_FAILED');
    expect(r?.fallback?.message).toMatch(/no struct mem_faults/);
  });

  it('a missing object: LOAD_FAILED naming the file', async () => {
    const { r } = await bad('/nonexistent/mem.bpf.o');
    expect(r?.fallback).toMatchObject({ code: 'LOAD_FAILED', message: expect.stringMatching(/\/nonexistent\/mem\.bpf\.o.*ENOENT/) });
  });
});
