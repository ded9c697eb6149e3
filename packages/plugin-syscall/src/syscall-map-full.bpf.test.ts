// Fault: the per-process table (sc_proc) filled to its max entries. Every call that needs a
// new row is counted as a drop, never lost silently: N calls of a process with no row are
// N drops, and the per-syscall totals (an array, never full) still count them, so
// total = per-process rows + drops holds exactly. Once rows are freed, calls land in rows again.
import { expect, it } from 'vitest';
import { createEngine, MapOperationFailed } from '@bpfscope/core';
import { clearCache } from '@bpfscope/native';
import { captureLinks } from '../../../test/link-hook.js';
import { describeKernel } from '../../../test/real-kernel.js';
import { readSyscall, silent } from '../test/read-syscall.js';
import { startWorkload } from '../test/syscall-workload.js';
import { syscall } from './plugin.js';
import { syscallNumber } from './syscall-table.js';
import type { SyscallMetrics } from './records.js';

const GETPPID = syscallNumber('getppid')!;
const N = 2_500;
/** A slot no engine of this test uses (SC_SLOTS is 4): its rows are nobody's, and no reading deletes them. */
const FILLER_SLOT = 3;

const calls = (m: SyscallMetrics): number => m.syscalls.find((s) => s.id === GETPPID)?.count ?? 0;
const rowCalls = (m: SyscallMetrics, pid: number): number => m.processes.find((p) => p.pid === pid)?.bySyscall?.find((s) => s.id === GETPPID)?.count ?? 0;

describeKernel('syscall family: the per-process table full', () => {
  it('N calls that need a new row in a full sc_proc are N drops; total = rows + drops; after rows are freed, calls land in rows again', async () => {
    clearCache(); // a fresh object of this engine's alone
    const hook = captureLinks();
    const engine = createEngine({ plugins: [syscall({ processes: true, mode: 'latency', pids: [] })], config: { mode: 'ebpf', cache: { enabled: false } }, logger: silent });
    try {
      await engine.start();
      const map = hook.objects[0]!.map('sc_proc');
      expect(map.keySize).toBe(12); // struct sc_proc_key { u32 tgid, id, slot }
      const held = (await map.lookupBatch()).count;
      const free = map.maxEntries - held;
      const keys = new Uint8Array(free * 12);
      const kv = new DataView(keys.buffer);
      for (let i = 0; i < free; i++) {
        kv.setUint32(i * 12, 0x7fff_0000 + i, true); // no such tgid
        kv.setUint32(i * 12 + 8, FILLER_SLOT, true);
      }
      expect(await map.updateBatch(keys, new Uint8Array(free * map.entrySize))).toBe(free);
      // Full: the kernel refuses one more key.
      const more = new Uint8Array(12);
      new DataView(more.buffer).setUint32(8, FILLER_SLOT, true);
      const full = await map.updateBatch(more, new Uint8Array(map.entrySize)).then(() => null, (e: unknown) => e);
      expect(full).toBeInstanceOf(MapOperationFailed);
      expect((full as MapOperationFailed).errno).toBe(7); // E2BIG

      const w = await startWorkload(N, 0);
      await engine.setFilter('syscall', { pids: [w.pid], syscalls: [GETPPID] });
      const before = await readSyscall(engine);
      expect((await w.go()).code).toBe(0);
      const after = await readSyscall(engine);
      const drops = after.kernel!.drops - before.kernel!.drops;
      expect({ calls: calls(after) - calls(before), rows: rowCalls(after, w.pid), drops }).toEqual({ calls: N, rows: 0, drops: N });

      // Rows freed: the next process's calls land in its row, nothing more is dropped.
      expect(await map.deleteBatch(keys)).toBe(free);
      const v = await startWorkload(N, 0);
      await engine.setFilter('syscall', { pids: [v.pid], syscalls: [GETPPID] });
      expect((await v.go()).code).toBe(0);
      const freed = await readSyscall(engine);
      expect({ rows: rowCalls(freed, v.pid), drops: freed.kernel!.drops - after.kernel!.drops }).toEqual({ rows: N, drops: 0 });
    } finally {
      hook.restore();
      await engine.close();
    }
  });
});
