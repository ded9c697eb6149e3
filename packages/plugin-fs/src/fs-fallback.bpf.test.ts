// The procfs/sysfs fallback against the machine itself: mounts agree with df, a loop
// device's counters move by exactly what a child wrote to it, and a child's /proc/<pid>/io
// by exactly what it wrote; run as nobody, other users' processes are left out with the reason.
// Root is needed for the loop device and to switch to nobody, hence the bpf project.
import { createEngine, type Engine } from '@bpfscope/core';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';
import { asNobody, requireReadableByNobody, runAsNobody } from '../../../test/unprivileged.js';
import { createLoop } from '../test/loop-device.js';
import { attachLoop, childWriter, dfRows, type LoopDevice } from '../test/machine.js';
import { statDevText } from './ebpf/files/kernel-dev.js';
import { fs } from './plugin.js';
import type { FsMetrics, FsMount } from './records.js';

const CLI = fileURLToPath(new URL('../../cli/bin/bpfscope.js', import.meta.url));
const nobodyUid = (): number => Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());

describeKernel('fs fallback on this machine', () => {
  let engine: Engine;

  beforeAll(async () => {
    engine = createEngine({ plugins: [fs({ topK: 1_000_000 })], config: { mode: 'fallback', cache: { enabled: false } } });
    await engine.start();
  });
  afterAll(async () => {
    await engine?.close();
  });

  const read = async (): Promise<FsMetrics> => {
    const r = (await engine.collect()).get('fs');
    expect(r?.source).toBe('procfs');
    return r!.data;
  };

  describe('mounts', () => {
    // A filesystem written while df and the reading run (the machine is shared, and the
    // other test files write to /tmp) cannot be compared exactly. So each mount is compared
    // over a window in which df saw it hold still (df before and after the reading agree),
    // retried until every mount had one. The test's own ext4 filesystem on a loop device is
    // written by nobody: it always holds still, so the exact comparison is always made.
    const usage = (m: FsMount): object => ({ mountPoint: m.mountPoint, size: m.size, used: m.used, available: m.available, inodes: m.inodesUsed === null ? null : m.inodesUsed + m.inodesFree!, inodesUsed: m.inodesUsed, inodesFree: m.inodesFree });

    it('size, used, available and inodes of every mount agree exactly with df -B1 over a window in which it held still', async () => {
      const own = createLoop(64, true);
      try {
        const first = await read();
        const pending = new Set(first.mounts.map((x) => x.mountPoint));
        expect(pending.has(own.mountPoint!)).toBe(true);
        const sizes = new Map(first.mounts.map((x) => [x.mountPoint, x.size]));
        for (let attempt = 0; attempt < 40 && pending.size > 0; attempt++) {
          const points = [...pending];
          const before = dfRows(points);
          const m = await read();
          const after = dfRows(points);
          points.forEach((p, i) => {
            if (JSON.stringify(before[i]) !== JSON.stringify(after[i])) return;
            expect(usage(m.mounts.find((x) => x.mountPoint === p)!)).toEqual(before[i]);
            pending.delete(p);
          });
        }
        expect(pending.has(own.mountPoint!)).toBe(false);
        // A mount written in every window still has a size that does not move.
        const still = [...pending];
        if (still.length > 0) expect(still.map((p) => sizes.get(p))).toEqual(dfRows(still).map((r) => r.size));
      } finally {
        own.remove();
      }
    });

    it('every filesystem df lists by default (real ones: pseudo and size-0 left out) is among the mounts', async () => {
      const m = await read();
      const listed = new Set(m.mounts.map((x) => x.mountPoint));
      const missing = dfRows().map((r) => r.mountPoint).filter((p) => !listed.has(p));
      expect(missing).toEqual([]);
      expect(m.mounts.some((x) => ['proc', 'sysfs', 'cgroup', 'cgroup2', 'devpts', 'bpf'].includes(x.fsType))).toBe(false);
      expect(m.skippedMounts).toEqual({});
    });
  });

  describe('a loop device written with O_DIRECT', () => {
    let loop: LoopDevice;
    beforeAll(() => {
      loop = attachLoop(32);
    });
    afterAll(() => loop?.detach());

    it('its write counters rise by exactly N MiB (N·2048 sectors), as its own /sys/block stat does', async () => {
      const N = 8;
      const dev = (m: FsMetrics) => m.devices.find((d) => d.name === loop.name)!;
      const before = dev(await read());
      const sysBefore = loop.stat();
      await loop.writeDirect(N);
      const after = dev(await read());
      const sysAfter = loop.stat();
      expect(before.source).toBe('procfs');
      expect(after.bytesWritten - before.bytesWritten).toBe(N * 1024 * 1024);
      expect(after.sectorsWritten - before.sectorsWritten).toBe(N * 2048);
      expect(after.writes - before.writes).toBe(sysAfter.writes - sysBefore.writes);
      expect(after.writes - before.writes).toBeGreaterThan(0);
      expect([after.readLatency, after.writeLatency]).toEqual([null, null]);
    });
  });

  it('a child that writes W bytes in K writes: its wchar rises by exactly W, syscw by K, over its life', async () => {
    const W = 64 * 1024;
    const K = 16;
    const child = await childWriter(W, K);
    try {
      const mine = (m: FsMetrics) => m.processes.find((p) => p.pid === child.pid);
      const before = mine(await read());
      expect(before).toBeDefined();
      await child.go();
      const after = mine(await read())!;
      expect({
        bytesWritten: after.bytesWritten - before!.bytesWritten, writes: after.writes - before!.writes,
        bytesRead: after.bytesRead - before!.bytesRead, reads: after.reads - before!.reads,
      }).toEqual({ bytesWritten: W, writes: K, bytesRead: 1, reads: 1 }); // the one-byte read of the go signal
      expect(after.comm).toBe('node');
      expect([after.opens, after.fsyncs]).toEqual([null, null]);
    } finally {
      await child.end();
    }
  });

  it('a pid filter is judged before the topK cut: the process asked for is listed though others did more I/O', async () => {
    const child = await childWriter(4096, 1);
    const one = createEngine({ plugins: [fs({ topK: 1 })], config: { mode: 'fallback', cache: { enabled: false } } });
    try {
      await one.start();
      const top = (await one.collect()).get('fs')!.data.processes;
      expect(top).toHaveLength(1);
      expect(top[0]!.pid).not.toBe(child.pid); // a node that only started is not the machine's top I/O process
      await one.setFilter('fs', { pids: [child.pid] });
      expect((await one.collect()).get('fs')!.data.processes.map((p) => p.pid)).toEqual([child.pid]);
      await one.setFilter('fs', null);
      const cleared = (await one.collect()).get('fs')!.data.processes;
      expect(cleared.map((p) => p.pid === child.pid)).toEqual([false]); // cleared: the cut applies to all again
    } finally {
      await one.close();
      await child.end();
    }
  });

  it('per-file counts and latency histograms are unavailable, with the reasons', async () => {
    const m = await read();
    expect(m.files).toEqual([]);
    expect(m.unavailable.files).toMatch(/^off: with the files option/);
    expect(m.unavailable['devices.latency']).toMatch(/the eBPF source builds the log2 histograms/);
  });

  it('with the files option: the files a process holds open, by device and inode, with the path (deleted when unlinked) and no counts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfscope-fs-open-'));
    const path = join(dir, 'held.dat');
    writeFileSync(path, 'x');
    const st = statSync(path, { bigint: true });
    // The child opens the file, says so, and holds it until its stdin closes.
    const child = spawn(process.execPath, ['-e', "require('fs').openSync(process.argv[1], 'r'); process.stdout.write('open\\n'); process.stdin.resume();", path], { stdio: ['pipe', 'pipe', 'inherit'] });
    const files = createEngine({ plugins: [fs({ files: true, maxFiles: 1_000_000 })], config: { mode: 'fallback', cache: { enabled: false } } });
    try {
      await once(child.stdout!, 'data');
      await files.start();
      const held = async () => (await files.collect()).get('fs')!.data;
      const find = (m: FsMetrics) => m.files.find((f) => f.dev === statDevText(st.dev) && f.inode === Number(st.ino));
      const m = await held();
      expect(find(m)).toEqual({
        dev: statDevText(st.dev), inode: Number(st.ino), path, pathStatus: 'resolved',
        opens: null, closes: null, reads: null, writes: null, bytesRead: null, bytesWritten: null, fsyncs: null,
        topProcesses: [{ pid: child.pid, comm: 'node', bytes: null, operations: null }],
      });
      expect(m.unavailable.files).toMatch(/^procfs counts no operations or bytes per file/);
      rmSync(path);
      expect(find(await held())).toMatchObject({ path, pathStatus: 'deleted' });
    } finally {
      child.stdin!.end();
      await once(child, 'exit');
      await files.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeKernel('fs fallback as an unprivileged user', () => {
  it('processes of other users are left out and counted with the reason; the user\'s own are listed', async () => {
    requireReadableByNobody([CLI]);
    // A process of nobody's that lives through the reading: the CLI, also nobody's, may list it.
    const holder = spawn('setpriv', asNobody([process.execPath, '-e', "process.stdout.write('up\\n'); process.stdin.resume();"]), { stdio: ['pipe', 'pipe', 'inherit'] });
    let run: Awaited<ReturnType<typeof runAsNobody>>;
    try {
      await once(holder.stdout!, 'data');
      run = await runAsNobody([process.execPath, CLI, 'snapshot', '--json', '--mode', 'fallback', '--families', 'fs']);
    } finally {
      holder.stdin!.end();
      await once(holder, 'exit');
    }
    expect(run.code).toBe(0);
    const data = (JSON.parse(run.stdout) as { families: { fs: { data: FsMetrics } } }).families.fs.data;
    // This test's own process is root's and alive: at least it was refused.
    expect(data.unavailable.processes).toMatch(/^the \/proc\/<pid>\/io of [1-9]\d* process\(es\) could not be read \(permission denied by the kernel's ptrace access check/);
    expect(data.processes.some((p) => p.pid === holder.pid)).toBe(true);
    expect(data.processes.some((p) => p.pid === process.pid)).toBe(false);
    for (const p of data.processes) {
      let uid: string | undefined;
      try {
        uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'))?.[1];
      } catch {
        continue; // exited since
      }
      expect({ pid: p.pid, uid }).toEqual({ pid: p.pid, uid: String(nobodyUid()) });
    }
  });
});
