import { Closed, ConfigError, DEFAULT_CONFIG, EventProcessingFailed, NativeUnavailable, type BpfscopeError } from '@bpfscope/core';
import { BatchQueue, type QueueOwner } from './batch-queue.js';
import type { BpfMap } from './bpf-map.js';
import type { BpfObject } from './bpf-object.js';
import { loadNative } from './loader.js';
import { isNativeFailure, toBpfscopeError } from './native-error.js';
import type { RawRingBuffer } from './raw-ring-buffer.js';
import { integerOption, ringMaps, type RingBufferHost, type RingBufferOptions, type RingBufferStats } from './ring-buffer-options.js';
import { RingBatch } from './ring-batch.js';
import { checkStatsMap, readStatsCounters } from './stats-map.js';

type BatchListener = (batch: RingBatch) => void;

/** Default of {@link RingBufferOptions.busyPollMs}. */
const DEFAULT_BUSY_POLL_MS = 1;
type ErrorListener = (error: BpfscopeError) => void;

/**
 * Consumes one or more `BPF_MAP_TYPE_RINGBUF` maps of a loaded object on the
 * event loop (a uv_poll on libbpf's epoll fd, no thread) and delivers their
 * records in batches: one ArrayBuffer and one JavaScript call per batch. While
 * records come faster than one per {@link RingBufferOptions.busyPollMs}, the
 * rings are drained on a timer of that period instead of at every kernel wake-up.
 * Created by {@link BpfObject.ringBuffer}; read with {@link RingBufferConsumer.onBatch}
 * or `for await`. Polling starts with the first listener or iterator and stops
 * while there is none. Closing the object closes its consumers.
 *
 * Several maps are drained in the order given: under a flood that outruns the
 * consumer, a later map can wait while an earlier one is drained (its kernel
 * ring then counts drops). Like a socket, an open consumer keeps itself and
 * its object alive (it is not garbage-collected) until it is closed; an
 * unref()ed one does not keep the process alive, and is freed at exit.
 *
 * @example
 * ```ts
 * const consumer = obj.ringBuffer(['rb_events'], { statsMap: 'rb_stats', signal });
 * for await (const batch of consumer) {
 *   for (const { map, data } of batch) handle(map, data);
 * }
 * console.log(consumer.stats()); // { delivered, batches, kernelDropped, ... }
 * ```
 */
export class RingBufferConsumer implements AsyncIterable<RingBatch> {
  /** The ring buffer maps, in the order they are drained. */
  readonly maps: readonly string[];
  /** Records per batch. */
  readonly batchSize: number;
  /** The busy polling period, ms (0: off); see {@link RingBufferOptions.busyPollMs}. */
  readonly busyPollMs: number;
  readonly #host: RingBufferHost;
  readonly #raw: RawRingBuffer;
  readonly #stats: BpfMap | undefined;
  readonly #maxQueued: number;
  readonly #signal: AbortSignal | undefined;
  readonly #listeners = new Set<BatchListener>();
  readonly #errorListeners = new Set<ErrorListener>();
  readonly #queues = new Set<BatchQueue>();
  readonly #congested = new Set<BatchQueue>();
  readonly #queueOwner: QueueOwner = {
    congestion: (queue, congested) => {
      if (congested) this.#congested.add(queue);
      else this.#congested.delete(queue);
      this.#sync();
    },
    detach: (queue) => {
      this.#queues.delete(queue);
      this.#congested.delete(queue);
      this.#sync();
    },
  };
  #userPaused = false;
  #polling = false;
  #final: RingBufferStats | undefined;

  /** @internal Consumers come from {@link BpfObject.ringBuffer}. */
  constructor(host: RingBufferHost, maps: string | readonly string[], options: RingBufferOptions = {}) {
    this.#host = host;
    this.maps = ringMaps(host, maps);
    this.batchSize = integerOption(options.batchSize, 'batchSize', DEFAULT_CONFIG.batchSize, 1_000_000);
    this.#maxQueued = integerOption(options.maxQueuedBatches, 'maxQueuedBatches', 16, 1_000_000);
    this.busyPollMs = integerOption(options.busyPollMs, 'busyPollMs', DEFAULT_BUSY_POLL_MS, 1000, 0);
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
      throw new ConfigError('signal', options.signal, 'an AbortSignal');
    }
    if (options.statsMap !== undefined) {
      this.#stats = host.map(options.statsMap);
      checkStatsMap(this.#stats);
    }
    const native = loadNative();
    if (typeof native.RingBuffer !== 'function') {
      throw new NativeUnavailable([], 'the loaded addon has no ring buffer support (an old source build in packages/native/build was loaded?)');
    }
    try {
      this.#raw = new native.RingBuffer(host.raw, [...this.maps], this.batchSize, this.#deliver, this.#nativeError, this.busyPollMs);
    } catch (e) {
      throw toBpfscopeError(e, { kind: 'map', map: this.maps.join(', '), operation: 'ring_buffer' });
    }
    this.#signal = options.signal;
    if (this.#signal?.aborted) this.close();
    else this.#signal?.addEventListener('abort', this.#abort);
  }

  /**
   * Calls `listener` with every batch, synchronously, on the event loop. An
   * exception it throws becomes an {@link @bpfscope/core!EventProcessingFailed}
   * for {@link RingBufferConsumer.onError}.
   * @param listener - gets each {@link RingBatch}; its views stay valid after it returns
   * @returns a function that removes the listener
   * @throws {@link @bpfscope/core!Closed} after close
   */
  onBatch(listener: (batch: RingBatch) => void): () => void {
    this.#require('onBatch');
    const own = (batch: RingBatch): void => listener(batch);
    this.#listeners.add(own);
    this.#sync();
    return () => {
      if (this.#listeners.delete(own)) this.#sync();
    };
  }

  /**
   * Calls `listener` with each failure: a batch listener that threw
   * ({@link @bpfscope/core!EventProcessingFailed}), a failed poll or an
   * allocation failure ({@link @bpfscope/core!MapOperationFailed}). With no
   * error listener and no iterator a failure is thrown as an uncaught
   * exception, like an unhandled `'error'` event.
   * @param listener - gets the error
   * @returns a function that removes the listener
   * @throws {@link @bpfscope/core!Closed} after close
   */
  onError(listener: (error: BpfscopeError) => void): () => void {
    this.#require('onError');
    const own = (error: BpfscopeError): void => listener(error);
    this.#errorListeners.add(own);
    return () => void this.#errorListeners.delete(own);
  }

  /**
   * Iterates over the batches. Each iterator gets every batch from when it
   * starts; when it falls more than `maxQueuedBatches` behind, polling pauses
   * until it has caught up to half. It ends after {@link RingBufferConsumer.close}
   * (or an abort) once it has yielded the batches it holds.
   * @throws {@link @bpfscope/core!Closed} after close
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<RingBatch> {
    this.#require('iterate');
    const queue = new BatchQueue(this.#queueOwner, this.#maxQueued);
    this.#queues.add(queue);
    this.#sync();
    return queue;
  }

  /**
   * Stops polling until {@link RingBufferConsumer.resume}: records wait in the
   * kernel rings, and once a ring is full the BPF side counts what it cannot send as dropped.
   * @throws {@link @bpfscope/core!Closed} after close
   */
  pause(): void {
    this.#require('pause');
    this.#userPaused = true;
    this.#sync();
  }

  /**
   * Undoes {@link RingBufferConsumer.pause}; the records that waited are delivered first.
   * @throws {@link @bpfscope/core!Closed} after close
   */
  resume(): void {
    this.#require('resume');
    this.#userPaused = false;
    this.#sync();
  }

  /**
   * Lets the process exit while the consumer is open, like `socket.unref()`.
   * @throws {@link @bpfscope/core!Closed} after close
   */
  unref(): void {
    this.#require('unref');
    this.#raw.unref();
  }

  /**
   * Undoes {@link RingBufferConsumer.unref}: an active consumer keeps the process alive (the default).
   * @throws {@link @bpfscope/core!Closed} after close
   */
  ref(): void {
    this.#require('ref');
    this.#raw.ref();
  }

  /** True after {@link RingBufferConsumer.close}. */
  get closed(): boolean {
    return this.#final !== undefined;
  }

  /**
   * The counters; after close, the final ones (read at close).
   * @returns delivered records and batches, the kernel's drops, records lost in this process
   */
  stats(): RingBufferStats {
    return this.#final ? { ...this.#final } : this.#snapshot(false);
  }

  /**
   * Stops polling and frees the rings. Called from a batch listener, it takes
   * effect when the listener returns (the batch in hand stays valid); no batch
   * follows. Records still in the kernel rings stay in the maps (a new
   * consumer of the object reads them). Iterators end after the batches they
   * hold. Closing twice does nothing; the other methods then throw
   * {@link @bpfscope/core!Closed}, and {@link RingBufferConsumer.stats} returns the final counters.
   */
  close(): void {
    if (this.#final) return;
    this.#final = this.#snapshot(true);
    this.#polling = false;
    this.#raw.close();
    this.#signal?.removeEventListener('abort', this.#abort);
    this.#host.release(this);
    for (const queue of this.#queues) queue.end();
    this.#queues.clear();
    this.#congested.clear();
    this.#listeners.clear();
  }

  readonly #abort = (): void => this.close();

  readonly #deliver = (buffer: ArrayBuffer, count: number, indexOffset: number): void => {
    const batch = new RingBatch(buffer, count, indexOffset, this.maps);
    // Queues first: a listener that closes the consumer ends them, and they
    // must still yield this batch.
    for (const queue of this.#queues) queue.push(batch);
    for (const listener of this.#listeners) {
      try {
        listener(batch);
      } catch (e) {
        const what = e instanceof Error ? e.message : String(e);
        this.#fail(new EventProcessingFailed(`a batch listener of ring buffer ${this.maps.join(', ')} threw: ${what}`, { cause: e, details: { maps: this.maps, records: count } }));
      }
    }
  };

  readonly #nativeError = (failure: unknown): void => {
    const error = isNativeFailure(failure)
      ? toBpfscopeError(failure, { kind: 'map', map: this.maps.join(', '), operation: failure.op })
      : new EventProcessingFailed(String(failure), { cause: failure });
    // A failed poll leaves the native side stopped: nothing more will come.
    const fatal = isNativeFailure(failure) && failure.op === 'uv_poll';
    this.#fail(error, fatal);
    if (fatal) this.close();
  };

  // Error listeners get every failure. Iterators end with it when it is fatal
  // or nobody else listens; with no reader at all it becomes uncaught.
  #fail(error: BpfscopeError, fatal = false): void {
    const queues = [...this.#queues];
    if (fatal || this.#errorListeners.size === 0) {
      for (const queue of queues) queue.end(error);
      this.#queues.clear();
      this.#congested.clear();
    }
    if (this.#errorListeners.size > 0) {
      for (const listener of this.#errorListeners) listener(error);
    } else if (queues.length === 0) {
      process.nextTick(() => {
        throw error;
      });
    }
    if (!fatal) this.#sync();
  }

  #sync(): void {
    if (this.#final) return;
    const want = !this.#userPaused && this.#congested.size === 0 && this.#listeners.size + this.#queues.size > 0;
    if (want === this.#polling) return;
    try {
      if (want) this.#raw.start();
      else this.#raw.pause();
    } catch (e) {
      throw toBpfscopeError(e, { kind: 'map', map: this.maps.join(', '), operation: want ? 'start' : 'pause' });
    }
    this.#polling = want;
  }

  #snapshot(closed: boolean): RingBufferStats {
    const { delivered, batches, lost, wakeups, timedPolls, busyPolling } = this.#raw.stats();
    const stats: RingBufferStats = { delivered, batches, kernelDropped: undefined, lost, wakeups, timedPolls, busyPolling, paused: closed || !this.#polling, closed };
    if (this.#stats === undefined) {
      stats.kernelDroppedUnavailable = 'no statsMap option was given, so the kernel-side drop counter is not known';
    } else {
      try {
        stats.kernelDropped = readStatsCounters(this.#stats).drops;
      } catch (e) {
        stats.kernelDroppedUnavailable = `reading ${this.#stats.name} failed: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    return stats;
  }

  #require(call: string): void {
    if (this.#final) throw new Closed(`ring buffer consumer of ${this.maps.join(', ')} (object ${this.#host.name})`, { details: { call } });
  }
}
