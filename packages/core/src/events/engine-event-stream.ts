import type { EventCounts, EventStream } from './event-types.js';

const NOT_STARTED: EventCounts = { delivered: 0, droppedQueue: 0, droppedKernel: null, queued: 0, ended: false };

/**
 * The stream `engine.events()` returns at once, while the engine is still starting and
 * selecting the family's source: it forwards to the source's stream once `open` gives it.
 * @internal
 */
export class EngineEventStream<E> implements EventStream<E> {
  readonly ready: Promise<void>;
  #inner: EventStream<E> | null = null;
  #ended = false;
  #failure: unknown = null;
  readonly #opening: Promise<EventStream<E> | null>;

  constructor(open: Promise<EventStream<E>>) {
    this.#opening = open.then(
      (inner) => {
        this.#inner = inner;
        if (this.#ended) void inner.return?.();
        return inner;
      },
      (e: unknown) => {
        this.#failure = e;
        this.#ended = true;
        return null;
      },
    );
    this.ready = this.#opening.then((inner) => {
      if (inner === null) throw this.#failure;
      return inner.ready;
    });
    this.ready.catch(() => undefined);
  }

  async next(): Promise<IteratorResult<E>> {
    const inner = await this.#opening;
    if (inner === null) {
      const failure = this.#failure;
      this.#failure = null;
      if (failure !== null) throw failure;
      return { value: undefined, done: true };
    }
    return inner.next();
  }

  async return(): Promise<IteratorResult<E>> {
    this.#ended = true;
    await this.#inner?.return?.();
    return { value: undefined, done: true };
  }

  counts(): EventCounts {
    if (this.#inner !== null) return this.#inner.counts();
    return { ...NOT_STARTED, ended: this.#ended };
  }

  [Symbol.asyncIterator](): EventStream<E> {
    return this;
  }
}
