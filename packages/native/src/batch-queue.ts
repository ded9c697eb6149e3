// The async iterator of a RingBufferConsumer: a queue of batches the reader
// has not taken yet. The consumer pauses polling while a queue is longer than
// its limit (the kernel ring fills and counts drops instead of this process
// buffering without bound) and resumes once the reader has caught up to half.
import type { RingBatch } from './ring-batch.js';

/** What a queue tells its consumer. @internal */
export interface QueueOwner {
  /** The queue crossed its limit (`congested` true) or drained to half of it (false). */
  congestion(queue: BatchQueue, congested: boolean): void;
  /** The reader stopped early (break / return()). */
  detach(queue: BatchQueue): void;
}

/** @internal */
export class BatchQueue implements AsyncIterableIterator<RingBatch> {
  readonly #owner: QueueOwner;
  readonly #limit: number;
  #items: (RingBatch | undefined)[] = [];
  #head = 0;
  #waiter: { resolve: (r: IteratorResult<RingBatch>) => void; reject: (e: unknown) => void } | undefined;
  #ended = false;
  #error: unknown;
  #congested = false;

  constructor(owner: QueueOwner, limit: number) {
    this.#owner = owner;
    this.#limit = limit;
  }

  get #length(): number {
    return this.#items.length - this.#head;
  }

  push(batch: RingBatch): void {
    if (this.#ended) return;
    if (this.#waiter) {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      waiter.resolve({ value: batch, done: false });
      return;
    }
    this.#items.push(batch);
    if (!this.#congested && this.#length > this.#limit) {
      this.#congested = true;
      this.#owner.congestion(this, true);
    }
  }

  /** No more batches: the reader gets the queued ones, then the end (or `error`). */
  end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    if (this.#waiter && this.#length === 0) this.#settle(this.#waiter);
  }

  next(): Promise<IteratorResult<RingBatch>> {
    if (this.#length > 0) {
      const value = this.#items[this.#head] as RingBatch;
      this.#items[this.#head++] = undefined; // let it be collected
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      if (this.#congested && this.#length <= this.#limit / 2) {
        this.#congested = false;
        this.#owner.congestion(this, false);
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#ended) return new Promise((resolve, reject) => this.#settle({ resolve, reject }));
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<RingBatch>> {
    const wasEnded = this.#ended;
    this.#ended = true;
    this.#items = [];
    this.#head = 0;
    this.#error = undefined;
    if (!wasEnded) this.#owner.detach(this);
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #settle(waiter: { resolve: (r: IteratorResult<RingBatch>) => void; reject: (e: unknown) => void }): void {
    this.#waiter = undefined;
    if (this.#error !== undefined) {
      const error = this.#error;
      this.#error = undefined;
      waiter.reject(error);
    } else {
      waiter.resolve({ value: undefined, done: true });
    }
  }
}
