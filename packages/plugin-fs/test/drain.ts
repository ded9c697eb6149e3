// Waiting for events without assuming how soon they arrive: the kernel counts every record it
// puts in the ring (the block part's kernel().events); a test waits until its stream has
// received that many, however long the event loop takes to drain the ring.
import type { EventStream } from '@bpfscope/core';
import type { FsEvent } from '../src/records-events.js';

/** Every event of `stream`, collected as it arrives, until the stream ends. */
export function collect(stream: EventStream<FsEvent>): FsEvent[] {
  const into: FsEvent[] = [];
  void (async () => {
    for await (const e of stream) into.push(e);
  })();
  return into;
}

/** Resolves once `received()` has reached `count()` (both read again each turn). */
export async function until(received: () => number, count: () => number): Promise<void> {
  while (received() < count()) await new Promise((r) => setTimeout(r, 5));
}
