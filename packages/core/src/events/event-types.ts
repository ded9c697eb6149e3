/**
 * Per-family event types. Plugins add their family's event by declaration merging:
 *
 * @example
 * ```ts
 * declare module '@bpfscope/core' {
 *   interface FamilyEvents { proc: ProcessEvent }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface FamilyEvents {}

/**
 * Per-family options of `engine.events(family, ...)` beyond {@link EventOptions}, added by
 * declaration merging like {@link FamilyEvents} (e.g. `interface FamilyEventOptions { proc: ProcEventOptions }`).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface FamilyEventOptions {}

/** The event type of family `F`, or `unknown` for a family no plugin declared. */
export type FamilyEvent<F extends string> = F extends keyof FamilyEvents ? FamilyEvents[F] : unknown;

/** The extra options of family `F`'s events, or any keys for a family no plugin declared. */
export type FamilyEventFilter<F extends string> = F extends keyof FamilyEventOptions ? FamilyEventOptions[F] : Readonly<Record<string, unknown>>;

/** Options every event stream takes. */
export interface EventOptions {
  /** Ends the stream: iteration finishes after the abort and the source's subscription is released. */
  signal?: AbortSignal;
  /**
   * Events the stream holds unread. When the consumer is slower and the queue is full, the
   * oldest unread event is dropped and counted in {@link EventCounts.droppedQueue}.
   * @default 4096
   */
  queue?: number;
}

/** What a source's `events()` gets: the engine's signal (the caller's, or the engine's close) and the checked queue size, plus the family's own options. */
export interface SourceEventOptions extends Readonly<Record<string, unknown>> {
  /** Aborted when the caller's signal aborts or the engine closes. */
  readonly signal: AbortSignal;
  /** Unread events the stream may hold (checked: an integer ≥ 1). */
  readonly queue: number;
}

/** The counts of one event stream. */
export interface EventCounts {
  /** Events handed to the consumer by `next()`. */
  delivered: number;
  /** Events dropped because the queue was full (the consumer was slower than the events). */
  droppedQueue: number;
  /**
   * Records the kernel could not put into the ring buffer because it was full, since this
   * stream subscribed. The ring serves every subscriber and every process, so these drops
   * are not only this stream's events. Null when the source cannot count them.
   */
  droppedKernel: number | null;
  /** Events waiting in the queue now. */
  queued: number;
  /** True once the stream ended (signal, `return()`, engine close or a failure). */
  ended: boolean;
}

/**
 * An async iterable of one family's typed events, as `Source.events()` and `engine.events()`
 * return it: events come in the batches the ring buffer delivers into a bounded queue.
 */
export interface EventStream<E> extends AsyncIterableIterator<E> {
  /**
   * Settles when the source delivers (programs attached, ring buffer subscribed): events from
   * then on are seen. Rejects with the error that keeps the stream from starting (iterating
   * then throws it once).
   */
  readonly ready: Promise<void>;
  /** The stream's counts now. */
  counts(): EventCounts;
}
