import { DataUnavailable } from '../errors/taxonomy.js';
import { createAdaptiveBatcher, type AdaptiveBatcher, type FlushTrigger } from '../sampling/adaptive-batcher.js';
import type { SamplingConfig } from '../sampling/sampling-config.js';
import { handOut, YIELD_EVERY, type EngineStreamSampling } from './engine-event-stream.js';
import type { BatchedEventCounts, BatchedEventStream, EventBatch, EventBatchTriggers } from './event-batch-types.js';
import { isBulkEventStream } from './event-stream.js';
import type { EventStream } from './event-types.js';
import { openSourceStream } from './open-source-stream.js';
import type { StreamJoin } from './family-event-stats.js';
import { recordLatencies } from './record-latencies.js';
import { StreamHooks } from './stream-hooks.js';
import { WeightQueue } from './weight-queue.js';

type Waiter<E> = { resolve: (r: IteratorResult<EventBatch<E>>) => void; reject: (e: unknown) => void };

const DONE = Object.freeze({ value: undefined, done: true }) as IteratorResult<never>;

/**
 * The stream `engine.eventBatches()` returns: events move from the source's queue through
 * the stream's sampler into an adaptive batcher, and a consumer's `next()` gets one batch.
 * Events are taken from the source's queue only while no batch is ready, at most as many as
 * the open batch has room for, so the source's bounded queue stays the one place where a
 * slow consumer's events wait (and are dropped, counted). One promise per batch, not per
 * event; the batcher's timer runs only while a batch is open.
 * @internal
 */
export class EngineBatchStream<E> implements BatchedEventStream<E> {
  readonly ready: Promise<void>;
  #inner: EventStream<E> | null = null;
  #ended = false;
  readonly #hooks: StreamHooks;
  #innerDone = false;
  #failure: unknown = null;
  #pulling = false;
  #waiter: Waiter<E> | null = null;
  /** The promise of the pending `next()`, while one waits. */
  #waiting: Promise<unknown> | null = null;
  #batcher: AdaptiveBatcher<E> | null = null;
  #join: StreamJoin | null = null;
  readonly #ready: EventBatch<E>[] = [];
  #readyEvents = 0;
  /** Weights of the events in the batcher, in the order it holds them (it keeps order). */
  readonly #weights = new WeightQueue();
  readonly #taken: E[] = [];
  readonly #kept: E[] = [];
  readonly #out = { weight: 1 };
  #last: EventBatch<E> | null = null;
  #delivered = 0;
  #handed = 0;
  /** Events handed out since the stream last waited or let the event loop turn (see {@link YIELD_EVERY}). */
  #sinceTurn = 0;
  /** Events the source gave after `return()` (its pending `next()`): queued, never delivered. */
  #afterEnd = 0;
  readonly #byTrigger: Record<FlushTrigger, number> = { size: 0, time: 0, bytes: 0, flush: 0 };
  readonly #opening: Promise<EventStream<E> | null>;

  constructor(
    open: Promise<EventStream<E>>,
    private readonly s: EngineStreamSampling<E>,
    private readonly triggers: EventBatchTriggers<E>,
  ) {
    this.#hooks = new StreamHooks(s.signal);
    ({ opening: this.#opening, ready: this.ready } = openSourceStream(open, {
      opened: (inner) => void (this.#inner = inner),
      failed: (e) => void ((this.#failure = e), (this.#ended = true)),
      ended: () => this.#ended,
    }));
  }

  /** Joins the family (its histograms and sampling setting) and starts the batcher. @throws {@link ConfigError} when the family's setting does not fit this stream */
  join(join: StreamJoin, familySetting: SamplingConfig<E> | null | undefined): void {
    if (familySetting !== undefined && !this.s.own) this.s.sampling.reconfigure(familySetting);
    this.#join = join;
    this.#hooks.joinKernel(join.kernelCounts);
    this.#batcher = createAdaptiveBatcher<E>({ ...this.triggers, latency: join.batchWait, deliver: (events, trigger) => this.#batched(events, trigger) });
  }

  /** Runs `hook` once when the stream ends (its consumer returned, the source ended, or its signal aborted); at once when it has ended. */
  onEnd(hook: () => void): void {
    this.#hooks.onEnd(hook);
  }

  checkSampling(config: SamplingConfig<E> | null, path: string): void {
    this.s.sampling.check(config, path);
  }

  setSampling(config: SamplingConfig<E> | null): void {
    this.s.sampling.reconfigure(config);
  }

  /** Ends the stream with `error`: what it holds goes out in batches first, then `next()` throws it once. */
  fail(error: unknown): void {
    if (this.#ended || this.#innerDone || this.#failure !== null) return;
    this.#failure = error;
    const inner = this.#inner;
    const batcher = this.#batcher;
    // What the source's queue holds goes into batches first: ending it would count it as never delivered.
    if (inner !== null && batcher !== null && isBulkEventStream(inner)) {
      const taken = this.#taken;
      while (inner.takeQueued(taken, Math.max(1, batcher.room())) > 0) {
        this.#move(taken, batcher);
        taken.length = 0;
      }
    }
    void inner?.return?.();
  }

  async next(): Promise<IteratorResult<EventBatch<E>>> {
    const inner = this.#inner ?? (await this.#opening);
    if (inner === null || this.#batcher === null) {
      const failure = this.#failure;
      this.#failure = null;
      if (failure !== null) throw failure;
      return DONE;
    }
    return this.#next(inner, this.#batcher);
  }

  #next(inner: EventStream<E>, batcher: AdaptiveBatcher<E>): Promise<IteratorResult<EventBatch<E>>> {
    // A second next() before the first settled takes the batch after it.
    if (this.#waiting !== null) return this.#waiting.then(() => this.#next(inner, batcher));
    if (this.#ended) return Promise.resolve(DONE);
    if (this.#ready.length === 0 && !this.#innerDone) this.#fill(inner, batcher);
    if (this.#ready.length > 0) {
      const result = this.#handOut();
      this.#sinceTurn += result.value!.length;
      const turn = this.#sinceTurn >= YIELD_EVERY;
      if (turn) this.#sinceTurn = 0;
      return handOut(result, turn);
    }
    if (this.#innerDone) return this.#afterSource();
    const waiting = new Promise<IteratorResult<EventBatch<E>>>((resolve, reject) => {
      this.#waiter = { resolve, reject };
      this.#pull(inner, batcher);
    });
    this.#waiting = waiting;
    const clear = (): void => {
      if (this.#waiting === waiting) this.#waiting = null;
    };
    waiting.then(clear, clear);
    return waiting;
  }

  /**
   * Takes from the source's queue while no batch is ready, at most the open batch's room at
   * a time. Under a keep-all setting the events go straight to the batcher (weights from the
   * events' kernel weights), not through the sampler one by one.
   */
  #fill(inner: EventStream<E>, batcher: AdaptiveBatcher<E>): void {
    if (!isBulkEventStream(inner)) return;
    const taken = this.#taken;
    const sampling = this.s.sampling;
    while (this.#ready.length === 0 && inner.takeQueued(taken, batcher.room()) > 0) {
      if (sampling.keepsAll) {
        sampling.passed(taken.length, this.#weights.pushKernelWeights(taken));
        batcher.pushAll(taken); // may deliver batches now (size, bytes)
      } else this.#move(taken, batcher);
      taken.length = 0;
    }
  }

  /** Offers events to the sampler and hands what it keeps, with weights, to the batcher. */
  #move(events: readonly E[], batcher: AdaptiveBatcher<E>): void {
    const sampling = this.s.sampling;
    for (let i = 0; i < events.length; i++) sampling.offer(events[i]!);
    this.#keep(batcher);
  }

  #keep(batcher: AdaptiveBatcher<E>): void {
    const sampling = this.s.sampling;
    if (sampling.waiting === 0) return;
    const kept = this.#kept;
    while (sampling.waiting > 0) {
      kept.push(sampling.take(this.#out));
      this.#weights.push(this.#out.weight);
    }
    batcher.pushAll(kept); // may deliver batches now (size, bytes)
    kept.length = 0;
  }

  /** Waits for the source's next event (one promise while the queue is empty), then takes what else it queued. */
  #pull(inner: EventStream<E>, batcher: AdaptiveBatcher<E>): void {
    if (this.#pulling || this.#innerDone) return;
    this.#pulling = true;
    inner.next().then(
      (r) => {
        this.#pulling = false;
        this.#sinceTurn = 0; // the source had nothing queued: the loop turned
        if (r.done === true) this.#sourceEnded(batcher);
        else if (this.#ended) this.#afterEnd++; // taken as the stream ended: counted as queued, never delivered
        else {
          this.#taken.push(r.value);
          this.#move(this.#taken, batcher);
          this.#taken.length = 0;
          this.#fill(inner, batcher);
        }
        this.#settle(inner, batcher);
      },
      (e: unknown) => {
        this.#pulling = false;
        this.#failure = e;
        this.#sourceEnded(batcher);
        this.#settle(inner, batcher);
      },
    );
  }

  /** After a pull: a waiting consumer gets a ready batch, the end, the failure, or waits on. */
  #settle(inner: EventStream<E>, batcher: AdaptiveBatcher<E>): void {
    const w = this.#waiter;
    if (w === null) return;
    if (this.#ready.length > 0 || this.#innerDone || this.#ended) {
      this.#waiter = null;
      void this.#afterSource().then(w.resolve, w.reject);
    } else this.#pull(inner, batcher);
  }

  /** What a consumer gets once nothing more comes from the source: the rest, then the failure or the end. */
  #afterSource(): Promise<IteratorResult<EventBatch<E>>> {
    if (this.#ready.length > 0) return Promise.resolve(this.#handOut());
    const failure = this.#failure;
    this.#failure = null;
    return failure !== null ? Promise.reject(failure) : Promise.resolve(DONE);
  }

  /** The source ended: what the sampler holds (a reservoir's window) and the open batch go out. */
  #sourceEnded(batcher: AdaptiveBatcher<E>): void {
    if (this.#innerDone) return;
    this.#innerDone = true;
    this.#hooks.end();
    if (this.#ended) return; // return() closed the batcher: what the sampler holds stays counted as held
    this.s.sampling.flush();
    this.#keep(batcher);
    batcher.close();
  }

  /** The batcher's delivery: the batch waits, with its weights, for a consumer. */
  #batched(events: E[], trigger: FlushTrigger): void {
    const n = events.length;
    const weights = this.#weights.take(n);
    const batch = Object.assign(events, { weights, trigger }) as EventBatch<E>;
    this.#ready.push(batch);
    this.#readyEvents += n;
    this.#byTrigger[trigger]++;
    const w = this.#waiter;
    if (w !== null) {
      this.#waiter = null;
      w.resolve(this.#handOut());
    }
  }

  #handOut(): IteratorResult<EventBatch<E>> {
    const batch = this.#ready.shift()!;
    this.#readyEvents -= batch.length;
    this.#delivered += batch.length;
    this.#handed++;
    this.#last = batch;
    if (this.#join !== null) recordLatencies(this.#join.latency, batch, this.s);
    return { value: batch, done: false };
  }

  weightOf(event: E): number {
    const i = this.#last === null ? -1 : this.#last.indexOf(event);
    if (i >= 0) return this.#last!.weights[i]!;
    throw new DataUnavailable('the weight of this event', 'it is not in the batch this stream handed out last', {
      remedy: 'Read batch.weights[i] beside batch[i], or stream.weightOf(e) before taking the next batch.',
    });
  }

  async return(): Promise<IteratorResult<EventBatch<E>>> {
    this.#ended = true;
    this.#hooks.end();
    const w = this.#waiter;
    this.#waiter = null;
    this.#batcher?.close(); // its timer stops; what it held is counted as queued, never delivered
    w?.resolve(DONE);
    await this.#inner?.return?.();
    return DONE;
  }

  counts(): BatchedEventCounts {
    const batching = { batches: this.#handed, byTrigger: { ...this.#byTrigger } };
    const sampling = this.s.sampling;
    const c = sampling.counts();
    const i = this.#inner?.counts();
    const held = sampling.waiting + (this.#batcher?.pending ?? 0) + this.#readyEvents + this.#afterEnd;
    return {
      delivered: this.#delivered,
      droppedQueue: i?.droppedQueue ?? 0,
      droppedKernel: i === undefined ? null : i.droppedKernel,
      queued: (i?.queued ?? 0) + held,
      ended: this.#ended || (i !== undefined && i.ended && i.queued === 0 && held === 0 && !this.#pulling),
      seen: c.seen,
      kept: c.kept,
      sampledAway: c.sampledAway,
      held: c.held,
      keptWeight: c.keptWeight,
      kernel: this.#hooks.kernelCounts(),
      batching,
    };
  }

  [Symbol.asyncIterator](): BatchedEventStream<E> {
    return this;
  }
}
