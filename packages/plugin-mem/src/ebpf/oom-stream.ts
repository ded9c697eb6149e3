import { ConfigError } from '@bpfscope/core';
import type { OomEventsOptions, OomVictim } from '../records-oom.js';

/** One reader of the OOM stream: a bounded queue and a pending `next()`. */
class Subscription implements AsyncIterableIterator<OomVictim> {
  readonly #queue: OomVictim[] = [];
  readonly #max: number;
  readonly #owner: OomStream;
  readonly #signal: AbortSignal | undefined;
  #wake: ((r: IteratorResult<OomVictim>) => void) | null = null;
  #done = false;

  constructor(owner: OomStream, max: number, signal: AbortSignal | undefined) {
    this.#owner = owner;
    this.#max = max;
    this.#signal = signal;
    signal?.addEventListener('abort', this.#abort, { once: true });
  }

  readonly #abort = (): void => {
    this.end();
  };

  /** @returns false when the victim was dropped because the reader is behind */
  push(v: OomVictim): boolean {
    if (this.#done) return true;
    if (this.#wake) {
      const wake = this.#wake;
      this.#wake = null;
      wake({ value: v, done: false });
      return true;
    }
    if (this.#queue.length >= this.#max) return false;
    this.#queue.push(v);
    return true;
  }

  end(): void {
    if (this.#done) return;
    this.#done = true;
    this.#signal?.removeEventListener('abort', this.#abort);
    this.#owner.remove(this);
    const wake = this.#wake;
    this.#wake = null;
    wake?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<OomVictim>> {
    const v = this.#queue.shift();
    if (v !== undefined) return Promise.resolve({ value: v, done: false });
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  return(): Promise<IteratorResult<OomVictim>> {
    this.#queue.length = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<OomVictim> {
    return this;
  }
}

/** Fans OOM victims out to every `oomEvents()` reader. @internal */
export class OomStream {
  readonly #subs = new Set<Subscription>();
  #dropped = 0;

  subscribe(options: OomEventsOptions = {}): AsyncIterableIterator<OomVictim> {
    const max = options.maxQueued ?? 1024;
    if (!Number.isInteger(max) || max < 1) throw new ConfigError('oomEvents.maxQueued', max, 'an integer >= 1');
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw new ConfigError('oomEvents.signal', options.signal, 'an AbortSignal');
    const sub = new Subscription(this, max, options.signal);
    if (options.signal?.aborted) sub.end();
    else this.#subs.add(sub);
    return sub;
  }

  push(v: OomVictim): void {
    for (const s of this.#subs) if (!s.push(v)) this.#dropped++;
  }

  /** @internal */
  remove(s: Subscription): void {
    this.#subs.delete(s);
  }

  /** End every reader (the source closed). */
  end(): void {
    for (const s of [...this.#subs]) s.end();
  }

  /** Victims dropped for readers that were behind. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Readers now. */
  get readers(): number {
    return this.#subs.size;
  }
}
