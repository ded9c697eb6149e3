import { EventProcessingFailed, type BpfscopeError } from '@bpfscope/core';
import { EventQueue } from './event-queue.js';
import type { ProcessEvent, ProcessEventType } from './events.js';

/** The listeners and iterators of a {@link ProcessTree}, and what they dropped. @internal */
export class TreeFanout {
  readonly #listeners = new Map<string, Set<(e: never) => void>>();
  readonly #queues = new Set<{ q: EventQueue; types: ReadonlySet<ProcessEventType> | null }>();
  /** Drops of iterators that have ended. */
  #endedDrops = 0;

  constructor(private readonly cap: number) {}

  on(type: string, listener: (e: never) => void): () => void {
    let set = this.#listeners.get(type);
    if (set === undefined) this.#listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => void set.delete(listener);
  }

  iterator(types: readonly ProcessEventType[] | undefined, signal: AbortSignal | undefined, closed: boolean): AsyncIterableIterator<ProcessEvent> {
    const entry = {
      q: new EventQueue(this.cap, () => {
        if (this.#queues.delete(entry)) this.#endedDrops += entry.q.dropped;
      }),
      types: types ? new Set(types) : null,
    };
    if (closed || signal?.aborted) entry.q.end();
    else {
      this.#queues.add(entry);
      signal?.addEventListener('abort', () => entry.q.end(), { once: true });
    }
    return entry.q;
  }

  /** Give `e` to the listeners of its type and to the iterators that want it; a listener that throws is reported through `onError`. */
  emit(e: ProcessEvent, onError: (e: BpfscopeError) => void): void {
    for (const l of this.#listeners.get(e.type) ?? []) {
      try {
        (l as (e: ProcessEvent) => void)(e);
      } catch (err) {
        onError(new EventProcessingFailed(`a process tree listener threw: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
      }
    }
    for (const { q, types } of this.#queues) if (types === null || types.has(e.type)) q.push(e);
  }

  /** Tell the `error` listeners. */
  error(e: BpfscopeError): void {
    for (const l of this.#listeners.get('error') ?? []) (l as (e: BpfscopeError) => void)(e);
  }

  /** Events iterators lost by falling behind, ended ones included. */
  readerDrops(): number {
    let n = this.#endedDrops;
    for (const { q } of this.#queues) n += q.dropped;
    return n;
  }

  endAll(): void {
    for (const { q } of [...this.#queues]) q.end();
  }
}
