// Helpers of BpfMap's batch operations: packing keys and values for one
// crossing, and turning the native chunk stream into an async iterator.
import { MapOperationFailed } from '@bpfscope/core';
import type { RawBatch, RawBatchStream } from './raw-binding.js';

/**
 * Packed bytes of `items` (already packed, or one Uint8Array each of `size` bytes).
 * @internal
 * @throws {@link @bpfscope/core!MapOperationFailed} for a size that does not fit
 */
export function packEntries(map: string, items: Uint8Array | readonly Uint8Array[], size: number, what: 'key' | 'value', operation: string): { bytes: Uint8Array; count: number } {
  if (items instanceof Uint8Array) {
    if (items.length % size !== 0) {
      throw new MapOperationFailed(map, operation, `${items.length} bytes of ${what}s are not a whole number of ${size}-byte ${what}s`, { details: { size, got: items.length } });
    }
    return { bytes: items, count: items.length / size };
  }
  if (!Array.isArray(items)) throw new MapOperationFailed(map, operation, `the ${what}s must be a Uint8Array or an array of them`);
  const bytes = new Uint8Array(items.length * size);
  items.forEach((item: unknown, i) => {
    if (!(item instanceof Uint8Array) || item.length !== size) {
      throw new MapOperationFailed(map, operation, `${what} ${i} is not a ${size}-byte Uint8Array`, { details: { index: i, expected: size } });
    }
    bytes.set(item, i * size);
  });
  return { bytes, count: items.length };
}

/**
 * The chunks a native stream delivers, as an async iterator: `start(push)`
 * begins the job, `push` queues each chunk. Leaving the loop, early or not,
 * stops the job (the stream's stop()) and waits for it to end, so
 * that nothing writes into the caller's buffer any more once the loop is left.
 * @internal
 */
export async function* chunkStream(start: (push: (chunk: RawBatch) => void) => RawBatchStream, fail: (e: unknown) => Error): AsyncGenerator<RawBatch, void, undefined> {
  const queue: RawBatch[] = [];
  let wake: (() => void) | undefined;
  let finished = false;
  let failed = false;
  let failure: unknown;
  const stream = start((chunk) => {
    queue.push(chunk);
    wake?.();
  });
  const ended = stream.done
    .then(
      () => undefined,
      (e: unknown) => {
        failed = true;
        failure = e;
      },
    )
    .finally(() => {
      finished = true;
      wake?.();
    });
  try {
    for (;;) {
      const next = queue.shift();
      if (next !== undefined) {
        yield next;
      } else if (finished) {
        if (failed) throw fail(failure);
        return;
      } else {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    }
  } finally {
    stream.stop();
    await ended;
  }
}
