// The filter parts the syscall programs apply besides pids, comms and cgroups (those are in
// syscall-set-filter.bpf.test.ts): excluded cgroups, mount and network namespaces, syscall
// categories and descendantsOf. Each switches the counts between two readings: before the
// filter both workloads are counted, after it only the one it keeps, with the same programs.
import { mkdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createEngine, type Engine, type FamilyFilter } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { readSyscall, silent } from '../test/read-syscall.js';
import { startWorkload, workloadBinary, type Workload } from '../test/syscall-workload.js';
import type { SyscallMetrics } from './records.js';
import { syscall } from './plugin.js';
import { syscallNumber } from './syscall-table.js';
import { removeCgroupDir } from '../../../test/cgroup-dir.js';

const GETPPID = syscallNumber('getppid')!;
const CLOSE = syscallNumber('close')!;

function programIds(engine: Engine): number[] {
  return engine.stats().collectors.find((c) => c.family === 'syscall')!.sourceStats!.programs.map((p) => p.id).sort();
}

type Row = { all: number; getppid: number; close: number };
function table(m: SyscallMetrics): Map<number, Row> {
  const of = (p: SyscallMetrics['processes'][number], id: number): number => p.bySyscall?.find((s) => s.id === id)?.count ?? 0;
  return new Map(m.processes.map((p) => [p.pid, { all: p.count ?? 0, getppid: of(p, GETPPID), close: of(p, CLOSE) }]));
}

/**
 * A reading the calls judged before the change no longer move for the waiting workloads
 * `pids` (runs reach the table at a CPU's next switch); other processes may still be counted.
 */
async function settled(engine: Engine, pids: readonly number[]): Promise<Map<number, Row>> {
  let prev = table(await readSyscall(engine));
  for (;;) {
    const cur = table(await readSyscall(engine));
    if (pids.every((pid) => prev.get(pid)?.all === cur.get(pid)?.all)) return cur;
    prev = cur;
  }
}

interface Case {
  /** Workloads run before the filter (both counted) and after it (only `keep`). */
  start(): Promise<{ keep: Workload; drop: Workload; filter: FamilyFilter; cleanup?: () => void }>;
  pushedDown: string[];
}

async function switches(c: Case): Promise<{ before: Map<number, Row>; after: Map<number, Row>; keep: Workload; drop: Workload; childPid: number | null }> {
  const engine = createEngine({ plugins: [syscall({ processes: true, mode: 'counts', topProcesses: 1_000_000 })], config: { mode: 'ebpf', cache: { enabled: false } }, logger: silent });
  const first = await c.start();
  const second = await c.start();
  try {
    await engine.start();
    const ids = programIds(engine);
    await first.keep.go();
    await first.drop.go();
    const all = table(await readSyscall(engine));
    expect([all.get(first.keep.pid)?.getppid, all.get(first.drop.pid)?.getppid]).toEqual([500, 500]);
    expect(await engine.setFilter('syscall', second.filter)).toEqual({ pushedDown: c.pushedDown, inUserSpace: [] });
    const before = await settled(engine, [second.keep.pid, second.drop.pid]);
    const { childPid } = await second.keep.go();
    expect((await second.drop.go()).code).toBe(0);
    const after = table(await readSyscall(engine));
    expect(after.get(second.drop.pid)?.all).toBe(before.get(second.drop.pid)?.all);
    expect(programIds(engine)).toEqual(ids);
    return { before, after, keep: second.keep, drop: second.drop, childPid };
  } finally {
    await engine.close();
    first.cleanup?.();
    second.cleanup?.();
  }
}

function nsInode(pid: number, kind: 'mnt' | 'net'): number {
  return Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/${kind}`))![1]);
}

describeKernel('syscall pushdown: more filter parts applied in the kernel at run time', () => {
  it('excludeCgroupIds: a process moved into an excluded cgroup v2 group is not counted', async () => {
    let n = 0;
    const r = await switches({
      pushedDown: ['excludeCgroupIds'],
      start: async () => {
        const group = `/sys/fs/cgroup/unified/bpfscope-deny-${process.pid}-${n++}`;
        mkdirSync(group);
        const keep = await startWorkload(500, 0);
        const drop = await startWorkload(500, 0);
        writeFileSync(join(group, 'cgroup.procs'), String(drop.pid));
        return { keep, drop, filter: { excludeCgroupIds: [statSync(group, { bigint: true }).ino] }, cleanup: () => removeCgroupDir(group) };
      },
    });
    expect(r.after.get(r.keep.pid)!.getppid - (r.before.get(r.keep.pid)?.getppid ?? 0)).toBe(500);
  });

  for (const kind of ['mnt', 'net'] as const) {
    it(`${kind === 'mnt' ? 'mountNamespaces' : 'netNamespaces'}: only the process in the namespace named is counted`, async () => {
      const r = await switches({
        pushedDown: [kind === 'mnt' ? 'mountNamespaces' : 'netNamespaces'],
        start: async () => {
          const keep = await startWorkload(500, 0, 0, workloadBinary(), ['unshare', kind === 'mnt' ? '-m' : '-n']);
          const drop = await startWorkload(500, 0);
          expect(nsInode(keep.pid, kind)).not.toBe(nsInode(drop.pid, kind));
          const ns = [nsInode(keep.pid, kind)];
          return { keep, drop, filter: kind === 'mnt' ? { mountNamespaces: ns } : { netNamespaces: ns } };
        },
      });
      expect(r.after.get(r.keep.pid)!.getppid - (r.before.get(r.keep.pid)?.getppid ?? 0)).toBe(500);
    });
  }

  it('syscallCategories: only calls of the kinds named are counted (getppid is `process`, close is `file_io`)', async () => {
    const r = await switches({
      pushedDown: ['pids', 'syscallCategories'],
      start: async () => {
        const keep = await startWorkload(500, 200);
        const drop = await startWorkload(500, 0);
        return { keep, drop, filter: { pids: [keep.pid], syscallCategories: ['process'] } };
      },
    });
    const [b, a] = [r.before.get(r.keep.pid), r.after.get(r.keep.pid)!];
    expect([a.getppid - (b?.getppid ?? 0), a.close - (b?.close ?? 0)]).toEqual([500, 0]);
  });

  it('descendantsOf: a process below the root when the filter is set, and its child forked after, are counted; others are not', async () => {
    const r = await switches({
      pushedDown: ['descendantsOf'],
      start: async () => {
        // sh forks the workload (it has a command after it): the root is sh, the workload its child,
        // and the workload forks a grandchild making 300 getppid calls once it runs.
        const keep = await startWorkload(500, 0, 300, workloadBinary(), ['sh', '-c', '"$0" "$@"; exit 0']);
        const drop = await startWorkload(500, 0);
        expect(keep.spawnedPid).not.toBe(keep.pid);
        return { keep, drop, filter: { descendantsOf: [keep.spawnedPid] } };
      },
    });
    expect(r.after.get(r.keep.pid)!.getppid - (r.before.get(r.keep.pid)?.getppid ?? 0)).toBe(500);
    expect(r.childPid).not.toBeNull();
    expect(r.after.get(r.childPid!)?.getppid).toBe(300);
  });

  it('an unknown syscall category is a ConfigError naming it', async () => {
    const engine = createEngine({ plugins: [syscall({ mode: 'counts' })], config: { mode: 'ebpf' }, logger: silent });
    try {
      await engine.start();
      await expect(engine.setFilter('syscall', { syscallCategories: ['files'] })).rejects.toMatchObject({ code: 'CONFIG_ERROR', path: 'filter.syscall.syscallCategories[0]' });
      await expect(engine.setFilter('syscall', { descendantsOf: [0] })).rejects.toMatchObject({ code: 'CONFIG_ERROR', path: 'filter.syscall.descendantsOf[0]' });
    } finally {
      await engine.close();
    }
  });
});
