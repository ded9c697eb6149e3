import { createSampler, createSamplingController, type SamplingAccessors, type SamplingController } from '../sampling/create-sampler.js';
import type { KernelSamplingCounts } from '../sampling/kernel-sampling.js';
import type { SamplerCounts } from '../sampling/sampler.js';
import type { SamplingConfig } from '../sampling/sampling-config.js';
import type { EventCounts, EventStream } from './event-types.js';

/**
 * Options of `engine.events()` for user-space sampling of the stream (see docs/sampling.md).
 * Every event the consumer receives then has a weight, read with {@link SampledEventStream.weightOf}.
 */
export interface EventSamplingOptions<E> {
  /**
   * Sample the stream in user space, as the consumer pulls events (after the source's
   * queue: events sampled away still took a queue slot). What was sampled away is counted
   * in {@link SampledEventCounts.sampledAway} and in `engine.stats()`. `engine.setSampling()`
   * replaces it at run time.
   * @default every event is kept (weight 1, times the event's own `weight`)
   */
  sampling?: SamplingConfig<E>;
  /**
   * The event's time, ms since the epoch: rates and windows of the samplers run in event
   * time, and the delivery latency is measured from it.
   * @default the event's numeric `time` field, else its numeric `timestamp` field, else the time it was pulled
   */
  timeMs?: (event: E) => number;
  /** The value tail sampling judges (e.g. `(e) => e.durationNs ?? 0` for syscall). A tail setting without it is refused. */
  latencyOf?: (event: E) => number;
  /**
   * Whether the part of this stream's own `sampling` that the family's kernel programs can
   * decide is decided there (before ring-buffer space is taken), when no other setting
   * holds the kernel: the family's from `engine.setSampling()`, an earlier stream's, or —
   * for proc and mem, whose kernel object serves every engine of the process with one
   * setting — another engine's. The kernel decision is the engine's for the family (the
   * process's for proc and mem), so other streams of the family opened meanwhile get only
   * the events it passes (each with its weight). The setting is removed when the stream
   * ends, however it ends. Set false to sample this stream in user space only (e.g. a
   * stream filtered to one process tree, whose 1-in-N should count that tree's events
   * only): the same as `{ kernel: false }` of `engine.setSampling()` for a family setting.
   * @default true
   */
  kernelSampling?: boolean;
}

/** The counts of a stream from `engine.events()`: the source's counts plus its sampling. */
export interface SampledEventCounts extends EventCounts {
  /**
   * Events the sampler took from the source's queue. Exactly:
   * `seen = delivered + sampledAway + held + waiting`, where `waiting` is kept events not
   * handed out yet (part of `queued`), and `seen + droppedQueue + queued` is every event
   * the source pushed.
   */
  seen: number;
  /** Events the sampler kept (delivered, or waiting to be). */
  kept: number;
  /** Events the sampler dropped: counted, never silently lost. */
  sampledAway: number;
  /** Events a reservoir holds for a window still open (released when it closes or the stream ends). */
  held: number;
  /** Sum of the weights of the kept events, each the sampler's weight times the event's own kernel `weight`: an estimate of the events that happened. */
  keptWeight: number;
  /**
   * The family's kernel sampling decision since this stream joined (shared by the engine's
   * streams of the family): exactly `offered = passed + sampledAway + refused`; the events
   * it passed are what reached the ring buffer (where `droppedKernel` counts a full ring).
   * Null when the family's source has no kernel sampling.
   */
  kernel: KernelSamplingCounts | null;
}

/** A stream from `engine.events()`: the family's events, each with its sampling weight. */
export interface SampledEventStream<E> extends EventStream<E> {
  /**
   * How many events a delivered event stands for: the user-space sampler's weight (10 for
   * 1-in-10) times the event's own numeric `weight` field when it has one (the kernel's
   * sampling, e.g. syscall's `sampleEvery`). 1 for an event nothing sampled. Read it when
   * the stream gives you the event: the stream remembers its last 64 events (by identity,
   * newest first), so that weighing costs no allocation per event.
   * @param event - an event this stream delivered, one of its last 64
   * @throws {@link DataUnavailable} for an event not among them
   */
  weightOf(event: E): number;
  /** The stream's counts now, with its sampling's. */
  counts(): SampledEventCounts;
}

const KEEP_ALL: SamplingConfig<never> = Object.freeze({ strategy: 'all' });

/** The event's `time` or `timestamp` (fixed keys: a monomorphic read on the hot path). */
function defaultTimeMs(event: unknown): number | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const e = event as { time?: unknown; timestamp?: unknown };
  if (typeof e.time === 'number') return e.time;
  return typeof e.timestamp === 'number' ? e.timestamp : undefined;
}

/** The event's own (kernel) weight: its numeric `weight` field, or 1. @internal */
export function kernelWeight(event: unknown): number {
  if (typeof event !== 'object' || event === null) return 1;
  const w = (event as { weight?: unknown }).weight;
  return typeof w === 'number' && w >= 1 ? w : 1;
}

/** The accessors a stream's samplers read, from its options; `now` is the fallback time (ms since the epoch). @internal */
export function samplingAccessors<E>(options: EventSamplingOptions<E>, now: () => number): SamplingAccessors<E> {
  const timeMs = options.timeMs ?? ((e: E) => defaultTimeMs(e) ?? now());
  return options.latencyOf === undefined ? { timeMs } : { timeMs, latencyOf: options.latencyOf };
}

/** Checks that a setting can be built for these accessors, without changing anything. @internal */
export function checkSampling<E>(config: SamplingConfig<E> | null, accessors: SamplingAccessors<E>, path: string): void {
  if (config !== null) createSampler(config, accessors, path);
}

/**
 * One stream's sampling: a controller whose kept events wait in a small queue (a
 * reservoir releases several at once) with their weights. @internal
 */
export class StreamSampling<E> {
  readonly #controller: SamplingController<E>;
  readonly #accessors: SamplingAccessors<E>;
  readonly #path: string;
  /** Kept events waiting, from `#head` to `#tail`; the arrays are reused, never shrunk. */
  readonly #events: Array<E | undefined> = [];
  readonly #weights: number[] = [];
  #head = 0;
  #tail = 0;
  #keptWeight = 0;
  /** Whether the setting keeps every event (`strategy: 'all'`): events may then pass by {@link passed}. */
  #all: boolean;
  /** Events that passed a keep-all setting without being offered (seen and kept). */
  #passed = 0;
  readonly #sink = (event: E, weight: number): void => {
    const w = weight * kernelWeight(event);
    this.#events[this.#tail] = event;
    this.#weights[this.#tail] = w;
    this.#tail++;
    this.#keptWeight += w;
  };

  constructor(config: SamplingConfig<E> | null, accessors: SamplingAccessors<E>, path: string) {
    this.#accessors = accessors;
    this.#path = path;
    this.#controller = createSamplingController(config ?? (KEEP_ALL as SamplingConfig<E>), accessors, path);
    this.#all = this.#controller.strategy === 'all';
  }

  /**
   * True when the setting keeps every event and no kept event waits: the next events may
   * then go straight to the consumer, counted with {@link passed}, instead of one
   * {@link offer} and one {@link take} each.
   */
  get keepsAll(): boolean {
    return this.#all && this.#head === this.#tail;
  }

  /**
   * Counts events handed on without the sampler while {@link keepsAll}: seen and kept, with
   * their kernel weights.
   * @param n - how many
   * @param kernelWeights - the sum of their {@link kernelWeight}s
   */
  passed(n: number, kernelWeights: number): void {
    this.#passed += n;
    this.#keptWeight += kernelWeights;
  }

  /** Offers one event from the source. */
  offer(event: E): void {
    this.#controller.offer(event, this.#sink);
  }

  /** Releases what the sampler holds (the source ended). */
  flush(): void {
    this.#controller.flush(this.#sink);
  }

  /** Kept events waiting to be handed out. */
  get waiting(): number {
    return this.#tail - this.#head;
  }

  /** Takes the oldest waiting kept event; `weight` is set to its weight. Call only when {@link waiting} > 0. */
  take(out: { weight: number }): E {
    const e = this.#events[this.#head] as E;
    out.weight = this.#weights[this.#head]!;
    this.#events[this.#head] = undefined; // let the event go
    this.#head++;
    if (this.#head === this.#tail) this.#head = this.#tail = 0;
    return e;
  }

  /** Checks a new setting against this stream's accessors (throws, changing nothing). */
  check(config: SamplingConfig<E> | null, path = this.#path): void {
    checkSampling(config, this.#accessors, path);
  }

  /** Switches to a new setting; totals stay exact (see {@link SamplingController.reconfigure}). */
  reconfigure(config: SamplingConfig<E> | null): void {
    this.#controller.reconfigure(config ?? (KEEP_ALL as SamplingConfig<E>), this.#sink);
    this.#all = this.#controller.strategy === 'all';
  }

  /** The sampler's totals over every setting, with the kernel-weighted kept weight. */
  counts(): SamplerCounts {
    const c = this.#controller.counts();
    return { ...c, seen: c.seen + this.#passed, kept: c.kept + this.#passed, keptWeight: this.#keptWeight };
  }
}
