import { DataUnavailable } from '../errors/taxonomy.js';
import { kernelCountsSince, type KernelSamplingCounts } from '../sampling/kernel-sampling.js';
import type { LatencyHistogram } from '../sampling/latency-histogram.js';
import type { SamplingAccessors } from '../sampling/create-sampler.js';
import type { SamplingConfig } from '../sampling/sampling-config.js';
import type { SampledEventCounts, SampledEventStream, StreamSampling } from './event-sampling.js';
import type { EventStream } from './event-types.js';

/** How many of the latest delivered events {@link EngineEventStream.weightOf} remembers. */
const RECENT = 64;

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
  kernel: null,
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
  #latency: LatencyHistogram | null = null;
  /** The last {@link RECENT} events handed out and their weights, newest at `#recentAt - 1` (a ring: no allocation per event). */
  readonly #recent: unknown[] = new Array<unknown>(RECENT);
  readonly #recentWeights = new Float64Array(RECENT);
  #recentAt = 0;
  readonly #out = { weight: 1 };
  readonly #opening: Promise<EventStream<E> | null>;
  #kernelCounts: () => KernelSamplingCounts | null = () => null;
  #kernelBase: KernelSamplingCounts | null = null;
  #endHooks: Array<() => void> = [];

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
  join(latency: LatencyHistogram, familySetting: SamplingConfig<E> | null | undefined, kernelCounts: () => KernelSamplingCounts | null): void {
    if (familySetting !== undefined && !this.s.own) this.s.sampling.reconfigure(familySetting);
    this.#latency = latency;
    this.#kernelCounts = kernelCounts;
    this.#kernelBase = kernelCounts();
  }

  /** Runs `hook` once when the stream ends (its consumer returned, or the source ended). */
  onEnd(hook: () => void): void {
    this.#endHooks.push(hook);
  }

  #runEndHooks(): void {
    for (const h of this.#endHooks.splice(0)) h();
  }

  /** Checks a run-time setting against this stream (throws, changing nothing). */
  checkSampling(config: SamplingConfig<E> | null, path: string): void {
    this.s.sampling.check(config, path);
  }

  /** Switches this stream's sampling at run time. */
  setSampling(config: SamplingConfig<E> | null): void {
    this.s.sampling.reconfigure(config);
  }

  next(): Promise<IteratorResult<E>> {
    return this.#inner === null ? this.#firstNext() : this.#pull(this.#inner);
  }

  async #firstNext(): Promise<IteratorResult<E>> {
    const inner = await this.#opening;
    if (inner === null) {
      const failure = this.#failure;
      this.#failure = null;
      if (failure !== null) throw failure;
      return { value: undefined, done: true };
    }
    return this.#pull(inner);
  }

  /** Hands out a kept event, or takes the next one from the source through the sampler (no extra await when one is waiting). */
  #pull(inner: EventStream<E>): Promise<IteratorResult<E>> {
    const sampling = this.s.sampling;
    if (sampling.waiting > 0) return Promise.resolve({ value: this.#deliver(sampling.take(this.#out)), done: false });
    if (this.#innerDone || this.#ended) return Promise.resolve({ value: undefined, done: true });
    return inner.next().then((r) => this.#took(inner, r));
  }

  /** After the source gave `r`: a kept event is returned as a value (no promise to adopt); a sampled-away one pulls again. */
  #took(inner: EventStream<E>, r: IteratorResult<E>): IteratorResult<E> | Promise<IteratorResult<E>> {
    const sampling = this.s.sampling;
    if (r.done === true) {
      this.#innerDone = true;
      this.#runEndHooks();
      sampling.flush(); // a reservoir's open window is released, not lost
    } else {
      sampling.offer(r.value);
    }
    if (sampling.waiting > 0) return { value: this.#deliver(sampling.take(this.#out)), done: false };
    return this.#pull(inner);
  }

  #deliver(event: E): E {
    const weight = this.#out.weight;
    this.#delivered++;
    const at = this.#recentAt;
    this.#recent[at] = event;
    this.#recentWeights[at] = weight;
    this.#recentAt = at + 1 === RECENT ? 0 : at + 1;
    if (this.#latency !== null) this.#latency.record(this.#latencyUs(event));
    return event;
  }

  #latencyUs(event: E): number {
    const mono = typeof event === 'object' && event !== null ? (event as { monotonicNs?: unknown }).monotonicNs : undefined;
    if (typeof mono === 'bigint') return Number(this.s.monotonicNs() - mono) / 1000;
    return (this.s.nowMs() - this.s.accessors.timeMs(event)) * 1000;
  }

  weightOf(event: E): number {
    // Newest first: the event just received is found at the first compare.
    for (let k = 1; k <= RECENT && k <= this.#delivered; k++) {
      const i = (this.#recentAt - k + RECENT) % RECENT;
      if (this.#recent[i] === event) return this.#recentWeights[i]!;
    }
    throw new DataUnavailable('the weight of this event', `it is not among the last ${RECENT} events this stream delivered`, {
      remedy: 'Read stream.weightOf(e) when the stream gives you e (in the loop body), not later.',
    });
  }

  async return(): Promise<IteratorResult<E>> {
    this.#ended = true;
    this.#runEndHooks();
    await this.#inner?.return?.();
    return { value: undefined, done: true };
  }

  counts(): SampledEventCounts {
    if (this.#inner === null) return { ...NOT_STARTED, ended: this.#ended };
    const c = this.s.sampling.counts();
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
      kernel: this.kernelCounts(),
    };
  }

  /** The family's kernel sampling counts since this stream joined, or null. */
  kernelCounts(): KernelSamplingCounts | null {
    const now = this.#kernelCounts();
    return now === null ? null : kernelCountsSince(now, this.#kernelBase);
  }

  [Symbol.asyncIterator](): SampledEventStream<E> {
    return this;
  }
}
