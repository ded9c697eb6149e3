// Fault: the same family used at once by two engines of the main thread and an engine in a
// worker thread (its own copy of the addon, so its own loaded object). Three workloads run
// together while all three engines read; each engine then counts exactly its own.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { createEngine, type Engine } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { readSyscall, silent } from '../test/read-syscall.js';
import { startWorkload } from '../test/syscall-workload.js';
import { syscall } from './plugin.js';
import { syscallNumber } from './syscall-table.js';

const GETPPID = syscallNumber('getppid')!;
const WORKER = fileURLToPath(new URL('../../../test/children/syscall-engine-worker.mjs', import.meta.url));

/** The engine's getppid calls in all (rows of exited processes included) and per listed process. */
async function getppids(engine: Engine): Promise<{ total: number; counts: [number, number][] }> {
  const m = await readSyscall(engine);
  const total = m.syscalls.find((s) => s.id === GETPPID)?.count ?? 0;
  return { total, counts: m.processes.map((p) => [p.pid, p.bySyscall?.find((s) => s.id === GETPPID)?.count ?? 0]) };
}

/**
 * A process's rows are deleted from the table a reading or two after it exits (their sums
 * kept in the totals), so after reading through its exit an engine lists it with all its
 * calls, or no longer lists it: never with fewer, never another process.
 */
function ownOnly(counts: [number, number][], pid: number, calls: number): boolean {
  return counts.length === 0 || (counts.length === 1 && counts[0]![0] === pid && counts[0]![1] === calls);
}

/** Sends `message` to the worker and waits for its answer. */
async function ask(worker: Worker, message: unknown): Promise<unknown> {
  const answer = once(worker, 'message');
  worker.postMessage(message);
  return (await answer)[0];
}

describeKernel('syscall family: two engines and a worker thread at once', () => {
  it('each engine counts exactly its own workload while all three read during the workloads', async () => {
    const engines = [0, 1].map(() => createEngine({ plugins: [syscall({ processes: true, mode: 'latency', pids: [] })], config: { mode: 'ebpf', cache: { enabled: false } }, logger: silent }));
    const worker = new Worker(WORKER);
    const failed = new Promise<never>((_, reject) => worker.once('error', reject));
    try {
      const started = once(worker, 'message');
      await Promise.all(engines.map((e) => e.start()));
      expect((await Promise.race([started, failed]))[0]).toBe('ready');
      const [a, b, c] = await Promise.all([startWorkload(3_000, 0), startWorkload(4_000, 0), startWorkload(5_000, 0)]);
      await engines[0]!.setFilter('syscall', { pids: [a!.pid] });
      await engines[1]!.setFilter('syscall', { pids: [b!.pid] });
      expect(await ask(worker, { pid: c!.pid })).toBe('filtered');
      // The filters admit only the workloads, which have made no call yet.
      const base = await Promise.all([getppids(engines[0]!), getppids(engines[1]!), ask(worker, 'read') as Promise<{ total: number }>]);

      // Readings in all three engines while the three workloads run.
      const running = Promise.all([a!.go(), b!.go(), c!.go()]);
      let done = false;
      void running.finally(() => (done = true));
      const during = async (read: () => Promise<unknown>): Promise<number> => {
        let n = 0;
        do {
          await read();
          n++;
        } while (!done);
        return n;
      };
      const reads = await Promise.all([during(() => getppids(engines[0]!)), during(() => getppids(engines[1]!)), during(() => ask(worker, 'read'))]);
      expect((await running).map((r) => r.code)).toEqual([0, 0, 0]);
      expect(reads.every((n) => n >= 1)).toBe(true);

      const end = [await getppids(engines[0]!), await getppids(engines[1]!), (await ask(worker, 'read')) as { source: string; total: number; counts: [number, number][] }];
      const seen = JSON.stringify({ base, end });
      expect(end.map((e, i) => e.total - base[i]!.total), seen).toEqual([3_000, 4_000, 5_000]);
      expect(end[2]!.source).toBe('ebpf');
      expect(ownOnly(end[0]!.counts, a!.pid, 3_000), seen).toBe(true);
      expect(ownOnly(end[1]!.counts, b!.pid, 4_000), seen).toBe(true);
      expect(ownOnly(end[2]!.counts, c!.pid, 5_000), seen).toBe(true);
      expect(await ask(worker, 'close')).toBe('closed');
    } finally {
      await Promise.all(engines.map((e) => e.close()));
      await worker.terminate();
    }
  });
});
