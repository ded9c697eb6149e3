// The proc family's namespace and kind fields and their filters, from both sources: a
// workload in a network namespace of its own and one in a mount namespace of its own
// (unshare from util-linux), and the kernel threads checked against /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEngine, type Engine, type FamilyMode } from '@bpfscope/core';
import { NativeObjectLoader } from '@bpfscope/native';
import { describeKernel } from '../../../test/real-kernel.js';
import { PROC_OBJECT_PATH } from './ebpf/proc-ebpf-source.js';
import { procLayouts } from './ebpf/layouts.js';
import { proc } from './plugin.js';
import type { ProcessRecord, ProcMetrics } from './records.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };
const PF_KTHREAD = 0x00200000;

const nsOf = (pid: number, kind: 'mnt' | 'net'): number => Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/${kind}`))![1]);

/** `unshare <flag> sleep 600`, once it has exec'd sleep (unshare does not fork: same pid). */
async function unshared(flag: string): Promise<ChildProcess> {
  const child = spawn('unshare', [flag, 'sleep', '600'], { stdio: 'ignore' });
  await new Promise((resolve, reject) => child.once('spawn', resolve).once('error', reject));
  for (;;) {
    const comm = readFileSync(`/proc/${child.pid}/comm`, 'latin1').trim();
    if (comm === 'sleep') return child;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** PIDs /proc lists with PF_KTHREAD set (field 9 of stat, after the comm's closing parenthesis). */
function kernelThreads(): Set<number> {
  const out = new Set<number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'latin1');
    } catch {
      continue; // exited since the listing
    }
    const flags = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[6]);
    if ((flags & PF_KTHREAD) !== 0) out.add(Number(name));
  }
  return out;
}

/**
 * The PIDs of a filtered table whose namespaces are known. A record whose namespace
 * could not be read (procfs: PID 1 of a sandbox denies its ns links even to root) is
 * unjudged by a namespace part in user space, so it passes: each such one must say why.
 * The eBPF source reads every task's namespaces in the kernel: it has none.
 */
function known(records: ProcessRecord[], kind: string): number[] {
  const unknown = records.filter((p) => p.netNamespace === null || p.mountNamespace === null);
  if (kind === 'ebpf') expect(unknown).toEqual([]);
  for (const p of unknown) expect(p.unavailable.netNamespace ?? p.unavailable.mountNamespace).toMatch(/cannot be read/);
  return records.filter((p) => !unknown.includes(p)).map((p) => p.pid);
}

async function table(engine: Engine, kind: string): Promise<ProcessRecord[]> {
  const snap = await engine.collect();
  expect(snap.errors).toEqual([]);
  const r = snap.get('proc');
  expect(r?.source).toBe(kind);
  return (r!.data as ProcMetrics).processes;
}

let netChild: ChildProcess;
let mntChild: ChildProcess;
beforeAll(async () => {
  [netChild, mntChild] = await Promise.all([unshared('-n'), unshared('-m')]);
});
afterAll(async () => {
  for (const c of [netChild, mntChild]) {
    c?.kill();
    if (c && c.exitCode === null && c.signalCode === null) await new Promise((r) => c.once('exit', r));
  }
});

for (const [mode, kind] of [['ebpf', 'ebpf'], ['fallback', 'procfs']] as const satisfies ReadonlyArray<readonly [FamilyMode, string]>) {
  describeKernel(`proc family namespaces and kinds (${kind} source)`, () => {
    const ebpf = kind === 'ebpf';
    const where = (...parts: string[]) => (ebpf ? { pushedDown: parts, inUserSpace: [] } : { pushedDown: [], inUserSpace: parts });

    it('records carry the namespaces /proc/<pid>/ns shows; a namespace filter keeps exactly the process in it', async () => {
      const netNs = nsOf(netChild.pid!, 'net');
      const mntNs = nsOf(mntChild.pid!, 'mnt');
      const own = { mnt: nsOf(process.pid, 'mnt'), net: nsOf(process.pid, 'net') };
      expect(netNs).not.toBe(own.net);
      expect(mntNs).not.toBe(own.mnt);
      const engine = createEngine({ plugins: [proc()], config: { mode, cache: { enabled: false } }, logger: silent });
      try {
        const all = await table(engine, kind);
        const byPid = new Map(all.map((p) => [p.pid, p]));
        expect(byPid.get(netChild.pid!)).toMatchObject({ netNamespace: netNs, mountNamespace: own.mnt });
        expect(byPid.get(mntChild.pid!)).toMatchObject({ netNamespace: own.net, mountNamespace: mntNs });
        expect(byPid.get(process.pid)).toMatchObject({ netNamespace: own.net, mountNamespace: own.mnt, category: 'user' });

        expect(await engine.setFilter('proc', { netNamespaces: [netNs] })).toEqual(where('netNamespaces'));
        expect(known(await table(engine, kind), kind)).toEqual([netChild.pid]);
        expect(await engine.setFilter('proc', { mountNamespaces: [mntNs] })).toEqual(where('mountNamespaces'));
        expect(known(await table(engine, kind), kind)).toEqual([mntChild.pid]);
        // Both parts at once: no process is in both namespaces.
        expect(await engine.setFilter('proc', { mountNamespaces: [mntNs], netNamespaces: [netNs] })).toEqual(where('mountNamespaces', 'netNamespaces'));
        expect(known(await table(engine, kind), kind)).toEqual([]);
        // A threshold beside a kernel part: the nice value stays in user space (sleep runs at nice 0).
        const both = await engine.setFilter('proc', { netNamespaces: [netNs], maxNice: -1 });
        expect(both).toEqual(ebpf ? { pushedDown: ['netNamespaces'], inUserSpace: ['maxNice'] } : { pushedDown: [], inUserSpace: ['netNamespaces', 'maxNice'] });
        expect(known(await table(engine, kind), kind)).toEqual([]);
        await engine.setFilter('proc', { netNamespaces: [netNs], maxNice: 0 });
        expect(known(await table(engine, kind), kind)).toEqual([netChild.pid]);
        await engine.setFilter('proc', null);
        expect((await table(engine, kind)).map((p) => p.pid)).toEqual(expect.arrayContaining([process.pid, netChild.pid!, mntChild.pid!, 2]));
      } finally {
        await engine.close();
      }
    });

    it('processKinds: kernel keeps exactly the PF_KTHREAD processes /proc lists, user the others', async () => {
      const engine = createEngine({ plugins: [proc()], config: { mode, cache: { enabled: false } }, logger: silent });
      try {
        expect(await engine.setFilter('proc', { processKinds: ['kernel'] })).toEqual(where('processKinds'));
        const before = kernelThreads();
        const got = await table(engine, kind);
        const after = kernelThreads();
        const pids = new Set(got.map((p) => p.pid));
        // Kernel threads come and go (kworkers): every one alive before and after the reading is
        // in it, and nothing that was never a kernel thread around it.
        for (const pid of before) if (after.has(pid)) expect(pids.has(pid)).toBe(true);
        for (const pid of pids) expect(before.has(pid) || after.has(pid)).toBe(true);
        expect(pids.has(2)).toBe(true); // kthreadd
        expect(got.every((p) => p.category === 'kernel' && p.rssBytes === 0)).toBe(true);

        expect(await engine.setFilter('proc', { processKinds: ['user'], pids: [process.pid, 2, netChild.pid!] })).toEqual(where('pids', 'processKinds'));
        expect((await table(engine, kind)).map((p) => p.pid)).toEqual([process.pid, netChild.pid!].sort((a, b) => a - b));
      } finally {
        await engine.close();
      }
    });
  });
}

describeKernel('proc kernel filters of two engines sharing one object', () => {
  it('each engine reads through its own slot: a filtered engine beside an unfiltered one', async () => {
    const netNs = nsOf(netChild.pid!, 'net');
    const config = { mode: 'ebpf' as const, cache: { enabled: false } };
    const a = createEngine({ plugins: [proc()], config, logger: silent });
    const b = createEngine({ plugins: [proc()], config, logger: silent });
    const c = createEngine({ plugins: [proc()], config, logger: silent });
    try {
      await Promise.all([a.start(), b.start(), c.start()]);
      // One load, shared: whichever engine came first loaded it, the other two hit the cache.
      const loads = [a, b, c].map((e) => e.stats().programCache);
      expect([loads.reduce((n, l) => n + l.misses, 0), loads.reduce((n, l) => n + l.hits, 0)]).toEqual([1, 2]);
      await a.setFilter('proc', { netNamespaces: [netNs] });
      await c.setFilter('proc', { pids: [process.pid] });
      const [ta, tb, tc] = await Promise.all([table(a, 'ebpf'), table(b, 'ebpf'), table(c, 'ebpf')]);
      expect(ta.map((p) => p.pid)).toEqual([netChild.pid]);
      expect(tc.map((p) => p.pid)).toEqual([process.pid]);
      expect(tb.map((p) => p.pid)).toEqual(expect.arrayContaining([process.pid, netChild.pid!, mntChild.pid!, 2]));
      // A load of the object without proc_filtering (as a reader that knows nothing of the
      // slots makes it) is another object whose iterator never filters.
      const plain = await new NativeObjectLoader().load({ path: PROC_OBJECT_PATH, autoloadOff: ['proc_fork', 'proc_exec', 'proc_exit'] });
      try {
        const o = procLayouts(plain.structLayouts()).task;
        const bytes = await plain.object.readIterator('proc_iter');
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const tgids = new Set<number>();
        for (let at = 0; at < bytes.length; at += o.size) {
          tgids.add(view.getUint32(at + o.tgid, true));
          expect(view.getUint32(at + o.filter_pass, true)).toBe(0);
        }
        for (const pid of [process.pid, netChild.pid!, mntChild.pid!, 2]) expect(tgids.has(pid)).toBe(true);
      } finally {
        plain.close();
      }
      // Closing the filtered engine frees its slot; the others read on.
      await a.close();
      expect((await table(c, 'ebpf')).map((p) => p.pid)).toEqual([process.pid]);
      expect((await table(b, 'ebpf')).map((p) => p.pid)).toEqual(expect.arrayContaining([process.pid, netChild.pid!]));
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});
