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

async function getppids(engine: Engine): Promise<[number, number][]> {
  const m = await readSyscall(engine);
  return m.processes.map((p) => [p.pid, p.bySyscall?.find((s) => s.id === GETPPID)?.count ?? 0]);
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

      expect(await getppids(engines[0]!)).toEqual([[a!.pid, 3_000]]);
      expect(await getppids(engines[1]!)).toEqual([[b!.pid, 4_000]]);
      expect(await ask(worker, 'read')).toEqual({ source: 'ebpf', counts: [[c!.pid, 5_000]] });
      expect(await ask(worker, 'close')).toBe('closed');
    } finally {
      await Promise.all(engines.map((e) => e.close()));
      await worker.terminate();
    }
  });
});
