import type { EventCounts, EventStream } from './event-types.js';

/** A family's event streams through `engine.events()`, as `engine.stats()` reports them. */
export interface FamilyEventStats {
  /** Streams opened on this family. */
  streams: number;
  /** Streams not ended yet. */
  open: number;
  /** Events handed to consumers, all streams summed. */
  delivered: number;
  /** Events dropped in user space because a stream's queue was full, all streams summed. */
  droppedQueue: number;
  /**
   * Records the kernel dropped (ring buffer full) while each stream was subscribed, summed
   * over streams (two streams open at once both count the same drop). Null when the
   * source does not count them.
   */
  droppedKernel: number | null;
}

/** Sums the counts of a family's streams; ended streams are folded in and let go. @internal */
export class FamilyEventTotals {
  #streams = 0;
  #live = new Set<EventStream<unknown>>();
  #done = { delivered: 0, droppedQueue: 0, droppedKernel: null as number | null };

  add(stream: EventStream<unknown>): void {
    this.#streams++;
    this.#live.add(stream);
  }

  stats(): FamilyEventStats {
    const sum = { ...this.#done };
    let open = 0;
    for (const s of this.#live) {
      const c = s.counts();
      fold(sum, c);
      if (c.ended) {
        fold(this.#done, c);
        this.#live.delete(s);
      } else open++;
    }
    return { streams: this.#streams, open, ...sum };
  }
}

function fold(into: { delivered: number; droppedQueue: number; droppedKernel: number | null }, c: EventCounts): void {
  into.delivered += c.delivered;
  into.droppedQueue += c.droppedQueue;
  if (c.droppedKernel !== null) into.droppedKernel = (into.droppedKernel ?? 0) + c.droppedKernel;
}
