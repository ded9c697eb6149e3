// A syscall workload of getppid calls (blocked until go), an engine's filter on it, and
// an event stream and a batched stream of the family, both ready: what the stream fault
// tests start from.
import type { Engine } from '@bpfscope/core';
import { syscallNumber } from '../src/syscall-table.js';
import { startWorkload } from './syscall-workload.js';

export const GETPPID = syscallNumber('getppid')!;

/** Starts `calls` getppid calls' workload, filters `engine` to it, and opens both streams. */
export async function getppidStreams(engine: Engine, calls: number) {
  const w = await startWorkload(calls, 0);
  await engine.setFilter('syscall', { pids: [w.pid], syscalls: [GETPPID] });
  const events = engine.events('syscall', { queue: 1 << 16 });
  const batches = engine.eventBatches('syscall', { queue: 1 << 16, batch: { maxSize: 64, maxDelayMs: 2 } });
  await Promise.all([events.ready, batches.ready]);
  return { w, events, batches };
}
