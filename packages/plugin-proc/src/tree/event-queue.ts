import type { ProcessEvent } from './events.js';

/**
 * An async iterator over events pushed to it, holding at most `cap` unread events: past
 * that the oldest are dropped and counted (a reader that never reads cannot grow memory
 * without bound). It ends when {@link EventQueue.end} is called or its signal aborts.
 * @internal
 */
export class EventQueue implements AsyncIterableIterator<ProcessEvent> {
  #items: ProcessEvent[] = [];
  #head = 0;
  #waiting: ((r: IteratorResult<ProcessEvent>) => void) | null = null;
  #done = false;
  dropped = 0;

  constructor(
    private readonly cap: number,
    private readonly onEnd: () => void,
  ) {}

  push(e: ProcessEvent): void {
    if (this.#done) return;
    if (this.#waiting !== null) {
      const w = this.#waiting;
      this.#waiting = null;
      w({ value: e, done: false });
      return;
    }
    if (this.#items.length - this.#head >= this.cap) {
      this.#head++;
      this.dropped++;
    }
    this.#items.push(e);
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  end(): void {
    if (this.#done) return;
    this.#done = true;
    const w = this.#waiting;
    this.#waiting = null;
    w?.({ value: undefined, done: true });
    this.onEnd();
  }

  next(): Promise<IteratorResult<ProcessEvent>> {
    if (this.#head < this.#items.length) {
      const value = this.#items[this.#head++]!;
      return Promise.resolve({ value, done: false });
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.#waiting = resolve));
  }

  return(): Promise<IteratorResult<ProcessEvent>> {
    this.#items = [];
    this.#head = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ProcessEvent> {
    return this;
  }
}
