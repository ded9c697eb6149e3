// Process trees from the kernel's fork/exec/exit hooks, with workloads of known shape.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { LoadFailed } from '@bpfscope/core';
import { describeKernel } from '../../../../test/real-kernel.js';
import { exited, spawned, unreachableInit } from '../../test/kernel-helpers.js';
import type { ExitEvent, ProcessEvent } from './events.js';
import { openProcessTree, processEvents, watchProcessTree } from './tree-api.js';

const DD = 'for i in 1 2 3; do (dd if=/dev/zero of=/dev/null bs=4096 count=100 2>/dev/null); done';
const DD_BYTES = 100 * 4096;

describeKernel('process tree from eBPF events', () => {
  it('a shell forking three dd: exactly those descendants, linked to it, each with an exit event and its bytes', async () => {
    const tree = await watchProcessTree({ rootParent: process.pid, mode: 'ebpf' });
    const exits: ExitEvent[] = [];
    tree.on('exit', (e) => exits.push(e));
    try {
      expect(tree.source).toBe('ebpf');
      const sh = spawn('sh', ['-c', DD], { stdio: 'ignore' });
      await spawned(sh);
      await exited(sh);
      const shNode = await tree.waitForExit(sh.pid!);
      const dds = tree.descendants(sh.pid!);
      expect(dds).toHaveLength(3);
      for (const d of dds) {
        expect(d).toMatchObject({ ppid: sh.pid, comm: 'dd', origin: 'fork', execs: 1, exited: true, children: [] });
        expect(d.exit).toMatchObject({ type: 'exit', exitStatus: 0, signal: null, observed: 'ebpf' });
        expect(d.exit?.totals?.rchar).toBeGreaterThanOrEqual(DD_BYTES);
        expect(d.exit?.totals?.wchar).toBeGreaterThanOrEqual(DD_BYTES);
        expect(d.exit?.totals?.peakRssBytes).toBeGreaterThan(0);
        expect(tree.exitTotals(d.pid)).toBe(d.exit?.totals);
      }
      // One exit event per process of the shell's tree, the shell's last.
      const mine = exits.filter((e) => e.pid === sh.pid || dds.some((d) => d.pid === e.pid));
      expect(mine.map((e) => e.pid)).toEqual([...dds.map((d) => d.pid), sh.pid]);
      // The kernel adds reaped children's I/O to the parent: the shell's includes the three dd.
      expect(shNode).toMatchObject({ ppid: process.pid, comm: 'sh', exited: true });
      expect(shNode.exit?.totals?.rchar).toBeGreaterThanOrEqual(3 * DD_BYTES);
      const s = tree.summary();
      expect(s.spawned).toBeGreaterThanOrEqual(4);
      expect(s.exited.map((n) => n.pid)).toEqual(expect.arrayContaining([sh.pid, ...dds.map((d) => d.pid)]));
      expect(s.totals.processes).toBeGreaterThanOrEqual(4);
      expect(s.totals.io.rchar).toBeGreaterThanOrEqual(3 * DD_BYTES);
      expect(s.lost).toEqual({ kernelDropped: 0, evicted: 0, eventsDroppedByReaders: 0, feedDropped: 0 });
    } finally {
      await tree.close();
    }
  });

  it('processEvents: exit status of a normal exit and the signal of a killed process; ends on abort', async () => {
    const ac = new AbortController();
    const seen: ProcessEvent[] = [];
    const iterate = (async () => {
      for await (const e of processEvents({ rootParent: process.pid, types: ['fork', 'exit'], signal: ac.signal, mode: 'ebpf' })) seen.push(e);
    })();
    // Let the hooks attach before spawning (the iterable opens when iteration starts).
    while (true) {
      const probe = spawn('true', { stdio: 'ignore' });
      await exited(probe);
      await new Promise((r) => setTimeout(r, 20));
      if (seen.some((e) => e.pid === probe.pid && e.type === 'exit')) break;
    }
    const ok = spawn('sh', ['-c', 'exit 3'], { stdio: 'ignore' });
    const killed = spawn('sleep', ['60'], { stdio: 'ignore' });
    await spawned(killed);
    killed.kill('SIGKILL');
    await Promise.all([exited(ok), exited(killed)]);
    while (!seen.some((e) => e.type === 'exit' && e.pid === killed.pid) || !seen.some((e) => e.type === 'exit' && e.pid === ok.pid)) await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    await iterate;
    const exitOf = (pid: number | undefined): ExitEvent => seen.find((e): e is ExitEvent => e.type === 'exit' && e.pid === pid)!;
    expect(exitOf(ok.pid)).toMatchObject({ exitStatus: 3, signal: null, exitCode: 3 << 8 });
    expect(exitOf(killed.pid)).toMatchObject({ exitStatus: null, signal: 9 });
    expect(seen.some((e) => e.type === 'fork' && e.pid === ok.pid && e.ppid === process.pid)).toBe(true);
    expect(seen.every((e) => e.type !== 'exec')).toBe(true);
  });

  it('a whole-system tree starts from the task iterator: this process under its parent', async () => {
    const tree = await openProcessTree({ mode: 'ebpf' });
    try {
      expect(tree.get(process.pid)).toMatchObject({ ppid: process.ppid, origin: 'snapshot', exited: false });
      expect(tree.children(process.ppid).map((n) => n.pid)).toContain(process.pid);
      expect(tree.live().length).toBeGreaterThan(20);
      // PID 1 is in the tree even where the iterator does not reach it (this VM): read from procfs and counted.
      expect(tree.get(1)).toMatchObject({ ppid: 0, origin: 'snapshot', exited: false });
      if (unreachableInit().has(1)) expect(tree.stats().filledFromProcfs).toBeGreaterThanOrEqual(1);
      else expect(tree.stats().filledFromProcfs).toBe(0);
    } finally {
      await tree.close();
    }
  });

  it('mode auto falls back to procfs scans when the object is refused, and says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfscope-proc-'));
    const bogus = join(dir, 'proc.bpf.o');
    writeFileSync(bogus, 'not an ELF file');
    const tree = await watchProcessTree({ rootParent: process.pid, objectPath: bogus, rescanIntervalMs: 50 });
    try {
      expect(tree.source).toBe('procfs');
      expect(tree.fallbackReason).toBeInstanceOf(LoadFailed);
      // Processes that live until the test ends them are seen, with their parent. A scan
      // may catch a child between its fork and its exec (still named sh): procfs gives no
      // exec events, so the name is the one of the scan that first saw it.
      const sh = spawn('sh', ['-c', 'sleep 60 & sleep 60 & wait'], { stdio: 'ignore' });
      await spawned(sh);
      while (tree.descendants(sh.pid!).length < 2) await new Promise((r) => setTimeout(r, 20));
      const children = tree.descendants(sh.pid!);
      expect(children.map((n) => n.ppid)).toEqual([sh.pid, sh.pid]);
      for (const n of children) expect(['sleep', 'sh']).toContain(n.comm);
      for (const n of children) process.kill(n.pid, 'SIGTERM');
      await exited(sh);
      const node = await tree.waitForExit(sh.pid!);
      expect(node.exit).toMatchObject({ totals: null, observed: 'procfs-scan' });
    } finally {
      await tree.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
