import { DataUnavailable } from '../errors/taxonomy.js';
import type { KernelSamplingCounts } from '../sampling/kernel-sampling.js';
import type { SamplingAccessors } from '../sampling/create-sampler.js';
import type { SamplingConfig } from '../sampling/sampling-config.js';
import { kernelWeight, type SampledEventCounts, type SampledEventStream, type StreamSampling } from './event-sampling.js';
import type { EventStream } from './event-types.js';
import { openSourceStream } from './open-source-stream.js';
import { isBulkEventStream } from './event-stream.js';
import { HandOutClock } from './hand-out-clock.js';
import type { StreamJoin } from './family-event-stats.js';
import { StreamHooks } from './stream-hooks.js';

/** How many of the latest delivered events {@link EngineEventStream.weightOf} remembers. */
const RECENT = 64;

/**
 * Events taken from the source's queue at once when none is waiting: one synchronous take
 * instead of a promise per event from the source. They wait in the stream (counted as
 * `queued`; the stream may hold this many beyond its `queue` option) and meet the sampler
 * one by one as the consumer pulls, so a run-time sampling change still applies to them.
 */
const TAKE = 256;

/**
 * Events handed out from what was already queued before the stream lets the event loop
 * turn once (`setImmediate`): a consumer working through a backlog runs in microtasks,
 * which would otherwise keep the loop from draining the ring buffer until the backlog is
 * gone, and a 1 MiB ring at 2 M records/s is full in 20 ms. @internal
 */
export const YIELD_EVERY = 1024;

/** A settled result for `for await`, after a turn of the event loop when `turn` is true. @internal */
export function handOut<T>(result: IteratorResult<T>, turn: boolean): Promise<IteratorResult<T>> {
  return turn ? new Promise((resolve) => setImmediate(resolve, result)) : Promise.resolve(result);
}

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
  /** The stream's signal (the caller's, or the engine's close): its abort runs the end hooks. */
  readonly signal?: AbortSignal;
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
  #latency: StreamJoin['latency'] | null = null;
  /** The last {@link RECENT} events handed out and their weights, newest at `#recentAt - 1` (a ring: no allocation per event). */
  readonly #recent: unknown[] = new Array<unknown>(RECENT);
  readonly #recentWeights = new Float64Array(RECENT);
  #recentAt = 0;
  readonly #out = { weight: 1 };
  readonly #clock: HandOutClock<E>;
  /** Events taken from the source and not yet offered to the sampler, from `#takenAt`. */
  readonly #taken: E[] = [];
  #takenAt = 0;
  /** Events handed out since the stream last waited for the source or let the loop turn. */
  #sinceTurn = 0;
  readonly #opening: Promise<EventStream<E> | null>;
  readonly #hooks: StreamHooks;

  constructor(
    open: Promise<EventStream<E>>,
    private readonly s: EngineStreamSampling<E>,
  ) {
    this.#hooks = new StreamHooks(s.signal);
    this.#clock = new HandOutClock(s);
    ({ opening: this.#opening, ready: this.ready } = openSourceStream(open, {
      opened: (inner) => void (this.#inner = inner),
      failed: (e) => void ((this.#failure = e), (this.#ended = true)),
      ended: () => this.#ended,
    }));
  }

  /**
   * Joins the family: its latency histogram, and its sampling setting when one was set
   * and the caller gave none. @throws {@link ConfigError} when the family's setting does not fit this stream
   */
  join(join: StreamJoin, familySetting: SamplingConfig<E> | null | undefined): void {
    if (familySetting !== undefined && !this.s.own) this.s.sampling.reconfigure(familySetting);
    this.#latency = join.latency;
    this.#hooks.joinKernel(join.kernelCounts);
  }

  /** Runs `hook` once when the stream ends (its consumer returned, the source ended, or its signal aborted); at once when it has ended. */
  onEnd(hook: () => void): void {
    this.#hooks.onEnd(hook);
  }

  /** Checks a run-time setting against this stream (throws, changing nothing). */
  checkSampling(config: SamplingConfig<E> | null, path: string): void {
    this.s.sampling.check(config, path);
  }

  /** Switches this stream's sampling at run time. */
  setSampling(config: SamplingConfig<E> | null): void {
    this.s.sampling.reconfigure(config);
  }

  /** Ends the stream with `error`: the events it took are handed out first, then `next()` throws it once. */
  fail(error: unknown): void {
    if (this.#ended || this.#innerDone || this.#failure !== null) return;
    this.#failure = error;
    const inner = this.#inner;
    // What the source's queue holds is taken first: ending it would count it as never delivered.
    if (inner !== null && isBulkEventStream(inner)) while (inner.takeQueued(this.#taken, TAKE) > 0);
    void inner?.return?.();
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
    if (sampling.keepsAll && !this.#innerDone && !this.#ended && this.#hasTaken(inner)) {
      // Keep-all: the event goes out as it is, weighed by its kernel weight, without the sampler.
      const e = this.#taken[this.#takenAt]!;
      this.#taken[this.#takenAt++] = undefined as E; // let it go
      const w = kernelWeight(e);
      sampling.passed(1, w);
      this.#out.weight = w;
      return this.#handOut(e);
    }
    if (sampling.waiting > 0 || (!this.#innerDone && !this.#ended && this.#offerTaken(inner))) return this.#handOut(sampling.take(this.#out));
    if (this.#innerDone || this.#ended) return this.#end();
    return inner.next().then((r) => this.#took(inner, r));
  }

  /** Nothing more to hand out: the failure the stream ended with (once), else the end. */
  #end(): Promise<IteratorResult<E>> {
    const failure = this.#failure;
    if (failure === null || this.#ended) return Promise.resolve({ value: undefined, done: true });
    this.#failure = null;
    this.#ended = true;
    return Promise.reject(failure);
  }

  /** Hands out an event taken without a wait, letting the loop turn after every {@link YIELD_EVERY}. */
  #handOut(event: E): Promise<IteratorResult<E>> {
    const result = { value: this.#deliver(event), done: false };
    if (++this.#sinceTurn < YIELD_EVERY) return Promise.resolve(result);
    this.#sinceTurn = 0;
    this.#clock.invalidate();
    return handOut(result, true);
  }

  /** Whether a taken event waits, taking the source's queued events at once when none does. */
  #hasTaken(inner: EventStream<E>): boolean {
    const taken = this.#taken;
    if (this.#takenAt < taken.length) return true;
    taken.length = 0;
    this.#takenAt = 0;
    return isBulkEventStream(inner) && inner.takeQueued(taken, TAKE) > 0;
  }

  /**
   * Offers taken events to the sampler until it keeps one, taking more from the source's
   * queue at once (no promise per event) when it can.
   * @returns whether a kept event waits
   */
  #offerTaken(inner: EventStream<E>): boolean {
    const sampling = this.s.sampling;
    const taken = this.#taken;
    for (;;) {
      while (sampling.waiting === 0 && this.#takenAt < taken.length) {
        const e = taken[this.#takenAt]!;
        taken[this.#takenAt++] = undefined as E; // let it go
        sampling.offer(e);
      }
      if (this.#takenAt === taken.length) {
        taken.length = 0;
        this.#takenAt = 0;
      }
      if (sampling.waiting > 0) return true;
      if (!isBulkEventStream(inner) || inner.takeQueued(taken, TAKE) === 0) return false;
    }
  }

  /** After the source gave `r`: a kept event is returned as a value (no promise to adopt); a sampled-away one pulls again. */
  #took(inner: EventStream<E>, r: IteratorResult<E>): IteratorResult<E> | Promise<IteratorResult<E>> {
    const sampling = this.s.sampling;
    this.#sinceTurn = 0; // the source had nothing queued: the loop turned
    this.#clock.invalidate();
    if (r.done === true) {
      this.#innerDone = true;
      this.#hooks.end();
      sampling.flush(); // a reservoir's open window is released, not lost
    } else {
      sampling.offer(r.value);
    }
    if (sampling.waiting > 0) return { value: this.#deliver(sampling.take(this.#out)), done: false };
    return this.#pull(inner);
  }

  /** Hands `event` out: remembers its weight and records its latency. */
  #deliver(event: E): E {
    const weight = this.#out.weight;
    this.#delivered++;
    const at = this.#recentAt;
    this.#recent[at] = event;
    this.#recentWeights[at] = weight;
    this.#recentAt = at + 1 === RECENT ? 0 : at + 1;
    if (this.#latency !== null) this.#latency.record(this.#clock.latencyUs(event));
    return event;
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
    this.#hooks.end();
    await this.#inner?.return?.();
    return { value: undefined, done: true };
  }

  counts(): SampledEventCounts {
    if (this.#inner === null) return { ...NOT_STARTED, ended: this.#ended };
    const c = this.s.sampling.counts();
    const i = this.#inner.counts();
    const taken = this.#taken.length - this.#takenAt;
    return {
      delivered: this.#delivered,
      droppedQueue: i.droppedQueue,
      droppedKernel: i.droppedKernel,
      queued: i.queued + this.s.sampling.waiting + taken,
      // Ended once nothing more can be handed out (engine stats then fold it in and let it go).
      ended: this.#ended || (i.ended && i.queued === 0 && this.s.sampling.waiting === 0 && taken === 0),
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
    return this.#hooks.kernelCounts();
  }

  [Symbol.asyncIterator](): SampledEventStream<E> {
    return this;
  }
}
