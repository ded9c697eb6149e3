// Decoding OOM events written by this test with the shipped object's layout, and resolving
// the victim's cgroups against a sysfs and a procfs tree built in a temp dir (cgroup IDs
// are the inode numbers of the tree's directories, as the kernel's are).
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createProcfsReader, EventProcessingFailed, systemClock, type ProcfsReader } from '@bpfscope/core';
import { ManualClock } from '../../../../test/fixture-services.js';
import { readStructLayouts } from '@bpfscope/native';
import { MEM_OBJECT_PATH } from './mem-ebpf-source.js';
import { memLayouts } from './mem-layouts.js';
import { OomVictimDecoder } from './oom-victims.js';

const layout = memLayouts(readStructLayouts(readFileSync(MEM_OBJECT_PATH), MEM_OBJECT_PATH)).oom;

function event(e: { pid: number; comm: string; cgroupId: number; memcgId: number; tsNs: bigint; anonPages?: number }): Uint8Array {
  const f = layout.fields;
  const out = new Uint8Array(layout.size);
  const v = new DataView(out.buffer);
  v.setUint32(f.pid!.offset, e.pid, true);
  v.setUint32(f.uid!.offset, 1000, true);
  v.setInt32(f.oom_score_adj!.offset, -17, true);
  v.setBigUint64(f.ts_ns!.offset, e.tsNs, true);
  v.setBigUint64(f.cgroup_id!.offset, BigInt(e.cgroupId), true);
  v.setBigUint64(f.memcg_id!.offset, BigInt(e.memcgId), true);
  v.setBigUint64(f.total_vm_pages!.offset, 300n, true);
  v.setBigUint64(f.anon_rss_pages!.offset, BigInt(e.anonPages ?? 200), true);
  v.setBigUint64(f.file_rss_pages!.offset, 10n, true);
  v.setBigUint64(f.shmem_rss_pages!.offset, 1n, true);
  out.set(new TextEncoder().encode(e.comm), f.comm!.offset);
  return out;
}

const ino = (p: string): number => Number(statSync(p).ino);
/** The engine's reader over the tree's roots. */
const at = (procRoot: string, sysRoot: string): ProcfsReader => createProcfsReader(procRoot, sysRoot);

describe('OomVictimDecoder on a hybrid tree (memory on v1, an empty v2 hierarchy)', () => {
  let sys: string;
  let proc: string;
  let memcg: number;
  let v2Root: number;
  beforeAll(() => {
    const root = mkdtempSync(join(tmpdir(), 'bpfscope-oom-'));
    sys = join(root, 'sys');
    proc = join(root, 'proc');
    mkdirSync(join(sys, 'fs/cgroup/unified'), { recursive: true });
    writeFileSync(join(sys, 'fs/cgroup/unified/cgroup.controllers'), 'hugetlb\n');
    mkdirSync(join(sys, 'fs/cgroup/memory/app/job'), { recursive: true });
    writeFileSync(join(sys, 'fs/cgroup/memory/memory.limit_in_bytes'), '9223372036854771712\n');
    memcg = ino(join(sys, 'fs/cgroup/memory/app/job'));
    v2Root = ino(join(sys, 'fs/cgroup/unified'));
    mkdirSync(join(proc, 'self'), { recursive: true });
    // The auxiliary vector: AT_PAGESZ 16384 (not the x86_64 4096, so the test shows it is read), AT_NULL.
    const auxv = Buffer.alloc(32);
    auxv.writeBigUInt64LE(6n, 0);
    auxv.writeBigUInt64LE(16384n, 8);
    writeFileSync(join(proc, 'self/auxv'), auxv);
    mkdirSync(join(proc, '42'));
    writeFileSync(join(proc, '42/comm'), 'hog\n');
    writeFileSync(join(proc, '42/cgroup'), '9:name=systemd:/\n4:memory:/gone/job\n0::/\n');
  });

  it('resolves the memory cgroup from its ID and the v2 path from the v2 ID; sizes in bytes; times on the container’s clock', () => {
    const ts = 86_400_000_000_000n; // the kill, one day after boot on the kernel's monotonic clock
    const clock = new ManualClock(ts + 5_000_000n, 1_795_460_000_000); // decoded 5 ms later
    const v = new OomVictimDecoder(layout, at(proc, sys), clock).decode(event({ pid: 42, comm: 'hog', cgroupId: v2Root, memcgId: memcg, tsNs: ts }));
    expect(v).toMatchObject({
      pid: 42, comm: 'hog', uid: 1000, oomScoreAdj: -17, cgroupId: v2Root, cgroupV2Path: '/', memoryCgroupId: memcg,
      memoryCgroup: { hierarchy: 'v1', path: '/app/job', from: 'cgroup-id' },
      totalVmBytes: 300 * 16384, anonRssBytes: 200 * 16384, fileRssBytes: 10 * 16384, shmemRssBytes: 16384, unavailable: {},
    });
    expect(v.monotonicMs).toBe(86_400_000);
    expect(v.timestamp).toBe(1_795_460_000_000 - 5);
  });

  it('a memory cgroup already removed: the path from /proc/<pid>/cgroup while the victim exists', () => {
    const v = new OomVictimDecoder(layout, at(proc, sys), systemClock).decode(event({ pid: 42, comm: 'hog', cgroupId: 999_999_999, memcgId: 999_999_998, tsNs: 1n }));
    expect(v.memoryCgroup).toEqual({ hierarchy: 'v1', path: '/gone/job', from: 'proc' });
    expect(v.cgroupV2Path).toBeNull();
    expect(v.unavailable.cgroupV2Path).toMatch(/has ID \(inode\) 999999999: the cgroup was removed/);
  });

  it('removed cgroup and reaped victim: unavailable, saying both', () => {
    const v = new OomVictimDecoder(layout, at(proc, sys), systemClock).decode(event({ pid: 43, comm: 'hog', cgroupId: 1, memcgId: 999_999_998, tsNs: 1n }));
    expect(v.memoryCgroup).toBeNull();
    expect(v.unavailable.memoryCgroup).toMatch(/v1 memory hierarchy .* has ID \(inode\) 999999998: the cgroup was removed; the victim \(PID 43\) had been reaped/);
  });

  it('a PID that now runs another command is not taken for the victim', () => {
    const v = new OomVictimDecoder(layout, at(proc, sys), systemClock).decode(event({ pid: 42, comm: 'other', cgroupId: 1, memcgId: 999_999_998, tsNs: 1n }));
    expect(v.memoryCgroup).toBeNull();
    expect(v.unavailable.memoryCgroup).toMatch(/PID 42 now runs "hog", not the victim "other"/);
  });

  it('without a readable page size the sizes are null with the reason', () => {
    const v = new OomVictimDecoder(layout, at(join(proc, '42'), sys), systemClock).decode(event({ pid: 42, comm: 'hog', cgroupId: 1, memcgId: memcg, tsNs: 1n }));
    expect(v.anonRssBytes).toBeNull();
    expect(v.unavailable.sizes).toMatch(/the page size is unknown: .*self\/auxv cannot be read \(ENOENT\)/);
  });

  it('a record shorter than struct mem_oom_ev → EventProcessingFailed', () => {
    expect(() => new OomVictimDecoder(layout, at(proc, sys), systemClock).decode(new Uint8Array(layout.size - 1))).toThrow(EventProcessingFailed);
  });
});

describe('OomVictimDecoder on a unified tree (memory on v2)', () => {
  it('the memory cgroup is the v2 cgroup with the memory ID', () => {
    const root = mkdtempSync(join(tmpdir(), 'bpfscope-oom-v2-'));
    const sys = join(root, 'sys');
    mkdirSync(join(sys, 'fs/cgroup/system.slice/app.service'), { recursive: true });
    writeFileSync(join(sys, 'fs/cgroup/cgroup.controllers'), 'cpuset cpu io memory hugetlb pids rdma misc\n');
    const app = ino(join(sys, 'fs/cgroup/system.slice/app.service'));
    const slice = ino(join(sys, 'fs/cgroup/system.slice'));
    // The task's v2 cgroup, and the memory cgroup of its nearest ancestor with memory enabled.
    const v = new OomVictimDecoder(layout, at(join(root, 'proc'), sys), systemClock).decode(event({ pid: 7, comm: 'app', cgroupId: app, memcgId: slice, tsNs: 1n }));
    expect(v).toMatchObject({ cgroupV2Path: '/system.slice/app.service', memoryCgroup: { hierarchy: 'v2', path: '/system.slice', from: 'cgroup-id' } });
    expect(v.unavailable.sizes).toMatch(/page size is unknown/);
  });
});
