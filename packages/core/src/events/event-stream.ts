import { asBpfscopeError } from '../engine/as-error.js';
import type { EventCounts, EventStream } from './event-types.js';

/** A running delivery of events into a stream, as {@link EventStreamSetup.start} gives it. */
export interface EventFeed {
  /** Stop delivering and release the subscription. Called once, when the stream ends. */
  stop(): void;
  /** Records the kernel dropped (full ring) since the object was loaded, or null when not counted. */
  kernelDropped(): number | null;
}

/** How {@link createEventStream} starts and ends a source's delivery. */
export interface EventStreamSetup<E> {
  /** Unread events held before the oldest is dropped (an integer ≥ 1). */
  readonly queue: number;
  /** Ends the stream. */
  readonly signal: AbortSignal;
  /** Family name for error messages. */
  readonly family: string;
  /**
   * Subscribe: call `push` for each event (in the order the ring buffer gives them) and
   * `fail` for a failure that ends the stream.
   * @returns the feed, once events from now on will be pushed
   */
  start(push: (event: E) => void, fail: (error: unknown) => void): Promise<EventFeed>;
}

/**
 * A stream whose queued events can be taken in bulk, without a promise per event: the
 * streams of {@link createEventStream} are. The engine's event paths take from it. @internal
 */
export interface BulkEventStream<E> extends EventStream<E> {
  /**
   * Moves up to `max` queued events, oldest first, onto the end of `into` (counted as
   * delivered by this stream).
   * @returns how many it moved
   */
  takeQueued(into: E[], max: number): number;
}

/** Whether `stream` can be taken from in bulk. @internal */
export function isBulkEventStream<E>(stream: EventStream<E>): stream is BulkEventStream<E> {
  return typeof (stream as Partial<BulkEventStream<E>>).takeQueued === 'function';
}

/**
 * The event stream every source's `events()` can return: a bounded queue between a
 * subscription that pushes events and a consumer that pulls them, with counted drops.
 * @param setup - queue size, signal and how to subscribe
 * @returns the stream; it ends when the signal aborts, `return()` is called or the feed fails
 */
export function createEventStream<E>(setup: EventStreamSetup<E>): EventStream<E> {
  return new QueuedEventStream(setup);
}

class QueuedEventStream<E> implements BulkEventStream<E> {
  readonly ready: Promise<void>;
  #items: E[] = [];
  #head = 0;
  #waiting: { resolve: (r: IteratorResult<E>) => void; reject: (e: unknown) => void } | null = null;
  #done = false;
  #error: unknown = null;
  #feed: EventFeed | null = null;
  #kernelBase: number | null = null;
  #kernelLast: number | null = null;
  #delivered = 0;
  #dropped = 0;
  readonly #onAbort = (): void => this.#end();

  constructor(private readonly setup: EventStreamSetup<E>) {
    if (setup.signal.aborted) this.#done = true;
    else setup.signal.addEventListener('abort', this.#onAbort, { once: true });
    this.ready = this.#done
      ? Promise.resolve()
      : setup.start((e) => this.#push(e), (e) => this.#fail(e)).then(
          (feed) => {
            if (this.#done) return void feed.stop();
            this.#feed = feed;
            this.#kernelBase = feed.kernelDropped();
          },
          (e: unknown) => {
            this.#fail(e);
            throw asBpfscopeError(e, setup.family);
          },
        );
    // A caller that only iterates gets the failure from next(); ready is not left unhandled.
    this.ready.catch(() => undefined);
  }

  #push(e: E): void {
    if (this.#done) return;
    if (this.#waiting !== null) {
      const w = this.#waiting;
      this.#waiting = null;
      this.#delivered++;
      w.resolve({ value: e, done: false });
      return;
    }
    if (this.#items.length - this.#head >= this.setup.queue) {
      this.#head++;
      this.#dropped++;
    }
    this.#items.push(e);
    // Compact now and then rather than shift() per event.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  #fail(e: unknown): void {
    if (this.#done) return;
    this.#error = asBpfscopeError(e, this.setup.family);
    const w = this.#waiting;
    this.#waiting = null;
    this.#end();
    if (w !== null) {
      w.reject(this.#error);
      this.#error = null;
    }
  }

  #end(): void {
    if (this.#done) return;
    this.#done = true;
    this.setup.signal.removeEventListener('abort', this.#onAbort);
    this.#kernelLast = this.#kernelNow();
    this.#feed?.stop();
    this.#feed = null;
    const w = this.#waiting;
    this.#waiting = null;
    w?.resolve({ value: undefined, done: true });
  }

  #kernelNow(): number | null {
    const now = this.#feed?.kernelDropped() ?? null;
    return now === null || this.#kernelBase === null ? this.#kernelLast : now - this.#kernelBase;
  }

  takeQueued(into: E[], max: number): number {
    const items = this.#items;
    const head = this.#head;
    const n = Math.min(max, items.length - head);
    for (let i = 0; i < n; i++) into.push(items[head + i]!);
    this.#delivered += n;
    this.#head = head + n;
    this.#emptied();
    return n;
  }

  /** An empty queue lets go of the events it handed out (and of its spent slots) at once. */
  #emptied(): void {
    if (this.#head === this.#items.length && this.#head > 0) {
      this.#items.length = 0;
      this.#head = 0;
    }
  }

  next(): Promise<IteratorResult<E>> {
    if (this.#head < this.#items.length) {
      this.#delivered++;
      const value = this.#items[this.#head++]!;
      this.#emptied();
      return Promise.resolve({ value, done: false });
    }
    if (this.#error !== null) {
      const error = this.#error;
      this.#error = null;
      return Promise.reject(error);
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.#waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<E>> {
    this.#end();
    return Promise.resolve({ value: undefined, done: true });
  }

  counts(): EventCounts {
    return {
      delivered: this.#delivered,
      droppedQueue: this.#dropped,
      droppedKernel: this.#done ? this.#kernelLast : this.#kernelNow(),
      queued: this.#items.length - this.#head,
      ended: this.#done,
    };
  }

  [Symbol.asyncIterator](): EventStream<E> {
    return this;
  }
}
