/**
 * What a sampler decided for one event: dropped (`keep: false`, weight 0) or kept with
 * the number of events it stands for (`weight`, e.g. 10 for a 1-in-10 sample), so that
 * a sum of weights estimates the events that were there.
 */
export interface SamplingDecision {
  /** Whether the event goes on. */
  readonly keep: boolean;
  /** Events this one stands for when kept (≥ 1); 0 when dropped. */
  readonly weight: number;
}

/** The decision "dropped" (one shared object: deciding allocates nothing). */
export const DROPPED: SamplingDecision = Object.freeze({ keep: false, weight: 0 });

/** The decision "kept, standing for itself" (weight 1). */
export const KEPT: SamplingDecision = Object.freeze({ keep: true, weight: 1 });

/**
 * Receives each kept event with its weight. A sampler calls it at once for an event it
 * keeps, or later for events it holds (a reservoir releases its picks when its window
 * closes, or on {@link Sampler.flush}).
 */
export type SampleSink<E> = (event: E, weight: number) => void;

/**
 * Exact counts of a sampler, so that totals stay exact while detail is sampled:
 * `seen = kept + sampledAway + held` at every moment.
 */
export interface SamplerCounts {
  /** Events offered. */
  readonly seen: number;
  /** Events kept (given to the sink). */
  readonly kept: number;
  /** Events dropped by the sampler (counted, never silently lost). */
  readonly sampledAway: number;
  /** Events held for a decision still to come (a reservoir's open window); 0 for the others. */
  readonly held: number;
  /** Sum of the weights of the kept events: an estimate of `seen` made from the sample alone. */
  readonly keptWeight: number;
}

/** The sampling strategies, by the name a config gives them. */
export type SamplingStrategy = 'all' | 'uniform' | 'adaptive' | 'reservoir' | 'tail' | 'priority' | 'token-bucket';

/**
 * A user-space sampler over a stream of events of type `E`. Every strategy has this
 * shape, so they compose (a priority sampler holds one inner sampler per class) and a
 * family can swap one for another at run time ({@link createSamplingController}).
 */
export interface Sampler<E> {
  /** Which strategy this is. */
  readonly strategy: SamplingStrategy;
  /**
   * Offers one event. A kept event is passed to `sink` (at once, or when its window
   * closes for a reservoir); a dropped one is counted.
   */
  offer(event: E, sink: SampleSink<E>): void;
  /** Releases the events the sampler holds (a reservoir's open window) to `sink`; others do nothing. */
  flush(sink: SampleSink<E>): void;
  /** The exact counts so far. */
  counts(): SamplerCounts;
}

/**
 * A sampler that decides on each event as it comes (every strategy but the reservoir,
 * which decides only when its window closes).
 */
export interface DecidingSampler<E> extends Sampler<E> {
  /** Decides on one event and counts it. */
  decide(event: E): SamplingDecision;
}

/** Mutable counts kept by every sampler. @internal */
export class Tally {
  seen = 0;
  kept = 0;
  sampledAway = 0;
  keptWeight = 0;

  /** Counts one decision and returns it. */
  count(decision: SamplingDecision): SamplingDecision {
    this.seen++;
    if (decision.keep) {
      this.kept++;
      this.keptWeight += decision.weight;
    } else {
      this.sampledAway++;
    }
    return decision;
  }

  snapshot(held = 0): SamplerCounts {
    return { seen: this.seen, kept: this.kept, sampledAway: this.sampledAway, held, keptWeight: this.keptWeight };
  }
}

/** `offer` for a deciding sampler: decide, and hand a kept event on. @internal */
export function offerByDecision<E>(sampler: DecidingSampler<E>, event: E, sink: SampleSink<E>): void {
  const d = sampler.decide(event);
  if (d.keep) sink(event, d.weight);
}
