import type { BatchClock, FlushTrigger } from '../sampling/adaptive-batcher.js';
import type { LatencySummary } from '../sampling/latency-histogram.js';
import type { EventOptions } from './event-types.js';
import type { EventSamplingOptions, SampledEventCounts } from './event-sampling.js';

/**
 * One batch from `engine.eventBatches()`: the family's events, oldest first, with their
 * weights beside them (`weights[i]` is the weight of `batch[i]`, as `weightOf` gives it).
 */
export interface EventBatch<E> extends ReadonlyArray<E> {
  /** How many events each event stands for (the user-space sampler's weight times the event's own kernel `weight`; 1 when nothing sampled). */
  readonly weights: readonly number[];
  /** What made the batch go out: `size`, `time` (its oldest event waited `maxDelayMs`), `bytes`, or `flush` (the stream ended). */
  readonly trigger: FlushTrigger;
}

/** The triggers of `engine.eventBatches()` (see docs/sampling.md, "Adaptive batching"). */
export interface EventBatchTriggers<E> {
  /** The time trigger: no event waits in the stream's open batch longer than this, ms (a timer runs only while a batch is open). @default 5 */
  maxDelayMs?: number;
  /** Smallest size the size trigger adapts down to (a larger one holds a trickle back until the time trigger). @default 1 */
  minSize?: number;
  /** Largest batch: the size trigger under a flood. @default 256 */
  maxSize?: number;
  /** The bytes trigger: a batch holds at most this many bytes by `sizeOf` (an event larger than that goes alone). Needs `sizeOf`. @default no bytes trigger */
  maxBytes?: number;
  /** An event's size in bytes, for the bytes trigger (e.g. `(e) => e.bytes` of a file-op event). @default none */
  sizeOf?: (event: E) => number;
  /** The batching clock and timers (a test moves its own). @default the process's monotonic clock and unref'ed `setTimeout` */
  clock?: BatchClock;
}

/** Options of `engine.eventBatches()`: those of `engine.events()` plus the batch triggers. */
export interface EventBatchOptions<E> extends EventOptions, EventSamplingOptions<E> {
  /** When a batch goes out. @default `{ maxDelayMs: 5, minSize: 1, maxSize: 256 }` */
  batch?: EventBatchTriggers<E>;
}

/** Batching figures of one stream, or of a family's batched streams summed. */
export interface BatchingCounts {
  /** Batches handed to consumers. */
  batches: number;
  /** Batches by what made them go out (handed out or not). */
  byTrigger: Record<FlushTrigger, number>;
}

/** The counts of a stream from `engine.eventBatches()`: those of `engine.events()` plus its batches. */
export interface BatchedEventCounts extends SampledEventCounts {
  /** Its batches. */
  batching: BatchingCounts;
}

/**
 * A family's batched streams in `engine.stats()` (`collectors[i].events.batching`). Their
 * events are counted with every other stream's in the family's `delivered`, `queued`, … and
 * their delivery latency in its `latencyUs`.
 */
export interface FamilyBatchingStats extends BatchingCounts {
  /** Batched streams opened on the family. */
  streams: number;
  /** Events handed out in batches. */
  events: number;
  /** Events per batch handed out, on average; NaN before the first. */
  meanSize: number;
  /** Each event's wait in its stream's open batch (from the moment the stream took it from the source's queue to the batch going out), µs, on the batching clock. */
  waitUs: LatencySummary;
}

/** A stream from `engine.eventBatches()`: batches of the family's events, with counts. */
export interface BatchedEventStream<E> extends AsyncIterableIterator<EventBatch<E>> {
  /** As {@link EventStream.ready}: settles once the source delivers. */
  readonly ready: Promise<void>;
  /**
   * The weight of an event of the batch handed out last (prefer `batch.weights[i]`: this
   * searches the batch).
   * @param event - an event of the last batch
   * @returns its weight
   * @throws {@link DataUnavailable} for an event not in the last batch
   */
  weightOf(event: E): number;
  /** The stream's counts now, with its sampling's and its batches'. */
  counts(): BatchedEventCounts;
}
