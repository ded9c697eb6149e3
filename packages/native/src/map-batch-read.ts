// Helpers of BpfMap's batch reads: the caller's `into` buffer (checked, and
// marked busy while a pool-thread job writes into it) and the MapBatch views
// of a raw result.
import { MapOperationFailed } from '@bpfscope/core';
import type { MapBatch } from './map-flags.js';
import type { RawBatch } from './raw-binding.js';

// ArrayBuffers a native job is writing into right now.
const busy = new WeakSet<ArrayBuffer>();

/**
 * The view a read fills for `into` (an ArrayBuffer or a Uint8Array over one),
 * or undefined without one.
 * @internal
 * @throws {@link @bpfscope/core!MapOperationFailed} for anything else, a detached buffer, or one a read is filling now
 */
export function intoView(map: string, operation: string, into: unknown): Uint8Array | undefined {
  if (into === undefined) return undefined;
  let view: Uint8Array | undefined;
  if (into instanceof Uint8Array && into.buffer instanceof ArrayBuffer) {
    view = into;
  } else if (into instanceof ArrayBuffer) {
    try {
      view = new Uint8Array(into);
    } catch {
      throw new MapOperationFailed(map, operation, 'into is a detached ArrayBuffer (it was transferred)');
    }
  }
  if (view === undefined) {
    const got =
      into instanceof Uint8Array ? 'a Uint8Array over a SharedArrayBuffer' : into === null ? 'null' : typeof into === 'object' ? (into.constructor?.name ?? 'object') : typeof into;
    throw new MapOperationFailed(map, operation, `into must be an ArrayBuffer or a Uint8Array (or Buffer) over one, not ${got}`, { details: { got } });
  }
  if (busy.has(view.buffer as ArrayBuffer)) {
    throw new MapOperationFailed(map, operation, 'a batch read into the same ArrayBuffer is still running; wait for it to end before reading into it again');
  }
  return view;
}

/**
 * Marks the buffer of `view` busy until the job behind `done` has ended.
 * @internal
 */
export function holdWhile(view: Uint8Array | undefined, done: Promise<unknown>): void {
  if (view === undefined) return;
  const buffer = view.buffer as ArrayBuffer;
  busy.add(buffer);
  const release = (): void => {
    busy.delete(buffer);
  };
  done.then(release, release);
}

/**
 * The keys and values of a raw result as views of its buffer.
 * @internal
 */
export function toMapBatch(raw: RawBatch, keySize: number, entrySize: number): MapBatch {
  return {
    count: raw.count,
    keys: new Uint8Array(raw.buffer, raw.keysOffset, raw.count * keySize),
    values: new Uint8Array(raw.buffer, raw.valuesOffset, raw.count * entrySize),
    method: raw.iterated ? 'iterate' : 'batch',
    spilled: raw.spilled,
  };
}
