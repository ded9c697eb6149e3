import { LatencyHistogram, type LatencySummary } from '../sampling/latency-histogram.js';
import type { KernelSamplingCounts, KernelSamplingSetting } from '../sampling/kernel-sampling.js';
import type { SamplingConfig } from '../sampling/sampling-config.js';
import type { FlushTrigger } from '../sampling/adaptive-batcher.js';
import type { BatchingCounts, FamilyBatchingStats } from './event-batch-types.js';
import type { Source } from '../types.js';
import { KernelSamplingOwner } from './kernel-sampling-owner.js';
import type { SampledEventCounts } from './event-sampling.js';

/**
 * A family's event streams through `engine.events()`, as `engine.stats()` reports them.
 * Summed over streams, exactly: every event the sources pushed is
 * `delivered + sampledAway + held + droppedQueue + queued`.
 */
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
  /** Events left in the streams' queues, kept ones not handed out yet included (for an ended stream: never delivered). */
  queued: number;
  /** Events the streams' samplers took from their queues. */
  seen: number;
  /** Events the samplers kept. */
  kept: number;
  /** Events the samplers dropped (`engine.setSampling()`, the `sampling` option). */
  sampledAway: number;
  /** Events a reservoir holds for a window still open. */
  held: number;
  /** Sum of the kept events' weights (sampler weight × the event's kernel `weight`): estimates the events that happened. */
  keptWeight: number;
  /**
   * Delivery latency, µs: from the event's time to the moment a consumer's `next()` got it,
   * over every event delivered on this family (P50/P95/P99 within 1/32 above the true
   * value, see {@link LatencyHistogram}). The event's time is the kernel's clock mapped to
   * wall time by the source, and now is the engine clock's: good to about a millisecond.
   */
  latencyUs: LatencySummary;
  /** The family's batched streams (`engine.eventBatches()`): their batches, by trigger, and each event's wait for its batch. */
  batching: FamilyBatchingStats;
  /**
   * The family's kernel sampling decision, since its source started (every event the
   * kernel offered while a setting was in force, streams or not): exactly
   * `offered = passed + sampledAway + refused`. Apart from the user-space figures above,
   * which count only what reached the streams. Null when the source has none.
   *
   * For proc and mem these are the process's counts: their kernel object is shared by
   * every engine of the process and has one setting, so the events of every engine (and of
   * none) offered to that setting are counted, whoever's setting it is ({@link kernelOwner}).
   * syscall's are this engine's own (its slot of the object).
   */
  kernel: KernelSamplingCounts | null;
  /** The kernel part of the sampling in force for this family's events (what the source applied), whoever put it there; or null. */
  kernelSetting: KernelSamplingSetting | null;
  /**
   * Who put {@link kernelSetting} there: this engine's `engine.setSampling()` (`'family'`),
   * one of its streams' own `sampling` (`'stream'`), or another engine of the process that
   * shares the family's kernel object (`'other-engine'`: proc and mem have one setting per
   * process; this engine's own settings then run in user space, on the events that setting
   * passed, whose kernel weights `weightOf` includes); null when no setting is in force.
   */
  kernelOwner: 'family' | 'stream' | 'other-engine' | null;
}

/** What a stream gets when it joins its family. @internal */
export interface StreamJoin {
  /** The family's delivery latency histogram (µs). */
  readonly latency: LatencyHistogram;
  /** The family's histogram of events' waits in open batches (µs). */
  readonly batchWait: LatencyHistogram;
  /** The family's kernel sampling counts now (null: its source has none). */
  readonly kernelCounts: () => KernelSamplingCounts | null;
}

/** A stream of the family, batched or not, as the totals see it. @internal */
export interface FamilyStream {
  join(join: StreamJoin, familySetting: SamplingConfig<never> | null | undefined): void;
  checkSampling(config: SamplingConfig<never> | null, path: string): void;
  setSampling(config: SamplingConfig<never> | null): void;
  counts(): SampledEventCounts & { batching?: BatchingCounts };
  /** Runs `hook` once when the stream ends (return, source end, or its signal's abort); at once when it has ended already. */
  onEnd(hook: () => void): void;
  /** Ends the stream with `error` (e.g. its source's programs were detached): what it holds goes out first, then `next()` throws it once. */
  fail(error: unknown): void;
}

type Summed = Omit<FamilyEventStats, 'streams' | 'open' | 'latencyUs' | 'batching' | 'kernel' | 'kernelSetting' | 'kernelOwner'> & { batchStreams: number; batches: number; batchEvents: number; byTrigger: Record<FlushTrigger, number> };

/** A family's event streams: their sums, its sampling setting and its latency histogram. @internal */
export class FamilyEventTotals {
  #streams = 0;
  #live = new Set<FamilyStream>();
  #done: Summed = { ...zero(), byTrigger: { size: 0, time: 0, bytes: 0, flush: 0 } };
  /** Undefined until `engine.setSampling()` sets it. */
  #setting: SamplingConfig<never> | null | undefined = undefined;
  readonly #join: StreamJoin = { latency: new LatencyHistogram(), batchWait: new LatencyHistogram(), kernelCounts: () => this.kernel.counts(this.source) };
  /** The family's kernel sampling setting and who put it there. */
  readonly kernel = new KernelSamplingOwner();
  /** The family's selected source, as the last stream or setting found it. */
  source: Source | null = null;
  /** The whole setting `engine.setSampling()` last applied (kernel part and rest), or null. */
  familyConfig: SamplingConfig<never> | null = null;
  /** Whether that setting went to the kernel (`setSampling(…, { kernel })`). */
  familyKernel = true;

  /** Adds a stream, giving it the family's histograms and setting. @throws when the setting does not fit the stream */
  add(stream: FamilyStream): void {
    stream.join(this.#join, this.#setting);
    this.#streams++;
    this.#live.add(stream);
  }

  /**
   * Sets the family's sampling: every open stream switches, and streams opened later
   * without their own `sampling` take it. Checked on every open stream first: one that
   * does not fit throws and nothing changes.
   */
  setSampling(config: SamplingConfig<never> | null, path: string): void {
    const live = [...this.#live].filter((s) => !s.counts().ended);
    for (const s of live) s.checkSampling(config, path);
    for (const s of live) s.setSampling(config);
    this.#setting = config;
  }

  /**
   * A source was selected again (recovery, fallback): the family's setting from `engine.setSampling()` goes down
   * again into the new one (a new object's maps start empty), and what it leaves to user
   * space becomes the setting of streams opened from now on.
   */
  async reselected(source: Source, path: string): Promise<void> {
    // Even the same source object: re-initialised, it has new maps.
    const had = this.source !== null;
    this.source = source;
    this.kernel.forget();
    if (!had || this.familyConfig === null || !this.familyKernel) return;
    this.setSampling(await this.kernel.push('family', source, this.familyConfig), path);
  }

  stats(): FamilyEventStats {
    const sum = { ...this.#done, byTrigger: { ...this.#done.byTrigger } };
    let open = 0;
    for (const s of this.#live) {
      const c = s.counts();
      fold(sum, c);
      if (c.ended) {
        fold(this.#done, c);
        this.#live.delete(s);
      } else open++;
    }
    const { batchStreams, batches, batchEvents, byTrigger, ...counts } = sum;
    return {
      streams: this.#streams,
      open,
      ...counts,
      latencyUs: this.#join.latency.summary(),
      batching: { streams: batchStreams, batches, byTrigger, events: batchEvents, meanSize: batches > 0 ? batchEvents / batches : Number.NaN, waitUs: this.#join.batchWait.summary() },
      kernel: this.kernel.counts(this.source),
      ...this.#kernelSetting(),
    };
  }

  /** The kernel setting in force: the source's word when it shares its object with other engines, else this engine's. */
  #kernelSetting(): Pick<FamilyEventStats, 'kernelSetting' | 'kernelOwner'> {
    const shared = this.source?.samplingState?.();
    if (shared?.otherEngine === true) return { kernelSetting: shared.setting, kernelOwner: 'other-engine' };
    return { kernelSetting: this.kernel.setting, kernelOwner: this.kernel.holder };
  }
}

function zero(): Omit<Summed, 'byTrigger'> {
  return { delivered: 0, droppedQueue: 0, droppedKernel: null, queued: 0, seen: 0, kept: 0, sampledAway: 0, held: 0, keptWeight: 0, batchStreams: 0, batches: 0, batchEvents: 0 };
}

function fold(into: Summed, c: SampledEventCounts & { batching?: BatchingCounts }): void {
  if (c.batching !== undefined) {
    into.batchStreams++;
    into.batches += c.batching.batches;
    into.batchEvents += c.delivered;
    for (const k of Object.keys(into.byTrigger) as FlushTrigger[]) into.byTrigger[k] += c.batching.byTrigger[k];
  }
  into.delivered += c.delivered;
  into.droppedQueue += c.droppedQueue;
  into.queued += c.queued;
  into.seen += c.seen;
  into.kept += c.kept;
  into.sampledAway += c.sampledAway;
  into.held += c.held;
  into.keptWeight += c.keptWeight;
  if (c.droppedKernel !== null) into.droppedKernel = (into.droppedKernel ?? 0) + c.droppedKernel;
}
