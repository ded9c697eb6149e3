// The addon's ring buffer consumer (src/native/ring_buffer.cc), as the
// TypeScript side sees it.
import type { RawBpfObject } from './raw-binding.js';

/** Counters kept by the native consumer. @internal */
export interface RawRingBufferStats {
  /** Records handed to JavaScript. */
  delivered: number;
  /** Calls of onBatch. */
  batches: number;
  /** Records taken from a ring but not delivered (out of memory only). */
  lost: number;
  /** Readiness callbacks of the rings' epoll fd. */
  wakeups: number;
  /** Polls by the busy timer. */
  timedPolls: number;
  /** True while the busy timer is armed (the fd is not watched). */
  busyPolling: boolean;
}

/** One native consumer of one or more ring buffer maps; {@link RingBufferConsumer} wraps it. @internal */
export interface RawRingBuffer {
  /** Starts watching the rings' epoll fd on the event loop (uv_poll_start). */
  start(): void;
  /** Stops watching; records wait in the kernel ring, which counts drops once full. */
  pause(): void;
  /** Lets the watch keep the event loop alive (the default). */
  ref(): void;
  /** Lets the process exit while the consumer is open. */
  unref(): void;
  /** Stops for good and frees the rings; records still in them stay in the maps. Safe to call twice. */
  close(): void;
  /** The native counters; also after close. */
  stats(): RawRingBufferStats;
}

/**
 * `onBatch(buffer, count, indexOffset)`: `count` records packed in `buffer`
 * (each padded to 8 bytes), then at `indexOffset` `count` triples of u32
 * `{ offset, size, map position }`. @internal
 */
export type RawBatchCallback = (buffer: ArrayBuffer, count: number, indexOffset: number) => void;

/** Constructor of {@link RawRingBuffer}; throws a native failure for a bad map. @internal */
export type RawRingBufferConstructor = new (
  object: RawBpfObject,
  maps: string[],
  batchSize: number,
  onBatch: RawBatchCallback,
  onError: (failure: unknown) => void,
  busyPollMs?: number,
) => RawRingBuffer;
