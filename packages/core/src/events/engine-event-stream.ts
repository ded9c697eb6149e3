import type { LatencyHistogram } from '../sampling/latency-histogram.js';
import type { SamplingAccessors } from '../sampling/create-sampler.js';
import type { SamplingConfig } from '../sampling/sampling-config.js';
import type { SampledEventCounts, SampledEventStream, StreamSampling } from './event-sampling.js';
import type { EventStream } from './event-types.js';

const NOT_STARTED: SampledEventCounts = {
  delivered: 0,
  droppedQueue: 0,
  droppedKernel: null,
  queued: 0,
  ended: false,
  seen: 0,
  kept: 0,
  sampledAway: 0,
  held: 0,
  keptWeight: 0,
};

/** What the engine stream needs besides the source's stream. @internal */
export interface EngineStreamSampling<E> {
  /** The stream's sampling (its own `sampling` option, or keep-all). */
  readonly sampling: StreamSampling<E>;
  /** Whether the caller gave a `sampling` option (a family setting then does not replace it at open). */
  readonly own: boolean;
  /** How to read the events' time. */
  readonly accessors: SamplingAccessors<E>;
  /** Now, ms since the epoch, from the engine's clock (sub-ms: its monotonic clock mapped once to wall time). */
  readonly nowMs: () => number;
  /** Now on the engine's monotonic clock, ns: the latency of an event with a bigint `monotonicNs` (syscall) is measured on it, with no mapping. */
  readonly monotonicNs: () => bigint;
}

/**
 * The stream `engine.events()` returns at once, while the engine is still starting and
 * selecting the family's source: it pulls from the source's stream once `open` gives it,
 * through the stream's sampler, and records each delivered event's weight and delivery
 * latency (event time to the moment `next()` hands it out).
 * @internal
 */
export class EngineEventStream<E> implements SampledEventStream<E> {
  readonly ready: Promise<void>;
  #inner: EventStream<E> | null = null;
  #ended = false;
  #innerDone = false;
  #failure: unknown = null;
  #delivered = 0;
  #lastWeight = 1;
  #latency: LatencyHistogram | null = null;
  readonly #weights = new WeakMap<object, number>();
  readonly #out = { weight: 1 };
  readonly #opening: Promise<EventStream<E> | null>;

  constructor(
    open: Promise<EventStream<E>>,
    private readonly s: EngineStreamSampling<E>,
  ) {
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

  /**
   * Joins the family: its latency histogram, and its sampling setting when one was set
   * and the caller gave none. @throws {@link ConfigError} when the family's setting does not fit this stream
   */
  join(latency: LatencyHistogram, familySetting: SamplingConfig<E> | null | undefined): void {
    if (familySetting !== undefined && !this.s.own) this.s.sampling.reconfigure(familySetting);
    this.#latency = latency;
  }

  /** Checks a run-time setting against this stream (throws, changing nothing). */
  checkSampling(config: SamplingConfig<E> | null, path: string): void {
    this.s.sampling.check(config, path);
  }

  /** Switches this stream's sampling at run time. */
  setSampling(config: SamplingConfig<E> | null): void {
    this.s.sampling.reconfigure(config);
  }

  async next(): Promise<IteratorResult<E>> {
    const inner = await this.#opening;
    if (inner === null) {
      const failure = this.#failure;
      this.#failure = null;
      if (failure !== null) throw failure;
      return { value: undefined, done: true };
    }
    const sampling = this.s.sampling;
    for (;;) {
      if (sampling.waiting > 0) return { value: this.#deliver(sampling.take(this.#out)), done: false };
      if (this.#innerDone || this.#ended) return { value: undefined, done: true };
      const r = await inner.next();
      if (r.done === true) {
        this.#innerDone = true;
        sampling.flush(); // a reservoir's open window is released, not lost
      } else {
        sampling.offer(r.value);
      }
    }
  }

  #deliver(event: E): E {
    const weight = this.#out.weight;
    this.#delivered++;
    this.#lastWeight = weight;
    if (typeof event === 'object' && event !== null) this.#weights.set(event, weight);
    if (this.#latency !== null) this.#latency.record(this.#latencyUs(event));
    return event;
  }

  #latencyUs(event: E): number {
    const mono = typeof event === 'object' && event !== null ? (event as { monotonicNs?: unknown }).monotonicNs : undefined;
    if (typeof mono === 'bigint') return Number(this.s.monotonicNs() - mono) / 1000;
    return (this.s.nowMs() - this.s.accessors.timeMs(event)) * 1000;
  }

  weightOf(event: E): number {
    if (typeof event === 'object' && event !== null) return this.#weights.get(event) ?? 1;
    return this.#lastWeight;
  }

  async return(): Promise<IteratorResult<E>> {
    this.#ended = true;
    await this.#inner?.return?.();
    return { value: undefined, done: true };
  }

  counts(): SampledEventCounts {
    const c = this.s.sampling.counts();
    if (this.#inner === null) return { ...NOT_STARTED, ended: this.#ended };
    const i = this.#inner.counts();
    return {
      delivered: this.#delivered,
      droppedQueue: i.droppedQueue,
      droppedKernel: i.droppedKernel,
      queued: i.queued + this.s.sampling.waiting,
      // Ended once nothing more can be handed out (engine stats then fold it in and let it go).
      ended: this.#ended || (i.ended && i.queued === 0 && this.s.sampling.waiting === 0),
      seen: c.seen,
      kept: c.kept,
      sampledAway: c.sampledAway,
      held: c.held,
      keptWeight: c.keptWeight,
    };
  }

  [Symbol.asyncIterator](): SampledEventStream<E> {
    return this;
  }
}
