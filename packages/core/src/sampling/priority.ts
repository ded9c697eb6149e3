import { KEPT, Tally, type SampleSink, type Sampler, type SamplerCounts } from './sampler.js';

/** Options of {@link prioritySampler}. */
export interface PrioritySamplerOptions<E> {
  /** Gives each event its class (a process, a cgroup, an event kind …). */
  readonly classify: (event: E) => string;
  /** Classes that are never sampled away: every event of them is kept, weight 1. */
  readonly high: readonly string[];
  /** Makes the inner sampler of a lower class, once per class, when its first event comes. */
  readonly innerFor: (cls: string) => Sampler<E>;
  /**
   * Most lower classes with a sampler of their own; events of classes past this share
   * one sampler (made by `innerFor('(overflow)')`), so memory stays bounded.
   * @default 1024
   */
  readonly maxClasses?: number;
}

/** A priority sampler: a {@link Sampler} that also counts per class. */
export interface PrioritySampler<E> extends Sampler<E> {
  /** Exact counts per class seen so far (high classes and lower ones). */
  classCounts(): ReadonlyMap<string, SamplerCounts>;
}

/** The class that events of classes past `maxClasses` share. */
export const OVERFLOW_CLASS = '(overflow)';

/**
 * Priority sampling: a classifier gives each event a class; the events of a high
 * class are all kept, and each lower class is sampled by its own inner sampler (any
 * strategy: uniform, adaptive, reservoir, tail, token bucket, or another priority
 * sampler), which sets the weights of what it keeps.
 *
 * @param options - the classifier, the high classes and the inner samplers
 * @returns the sampler
 */
export function prioritySampler<E>(options: PrioritySamplerOptions<E>): PrioritySampler<E> {
  const { classify, innerFor } = options;
  const maxClasses = options.maxClasses ?? 1024;
  const high = new Map<string, Tally>(options.high.map((c) => [c, new Tally()]));
  const lower = new Map<string, Sampler<E>>();
  let overflow: Sampler<E> | undefined;

  const innerOf = (cls: string): Sampler<E> => {
    let s = lower.get(cls);
    if (s === undefined) {
      if (lower.size < maxClasses) {
        s = innerFor(cls);
        lower.set(cls, s);
      } else {
        overflow ??= innerFor(OVERFLOW_CLASS);
        s = overflow;
      }
    }
    return s;
  };
  const all = (): [string, SamplerCounts][] => [
    ...[...high].map(([c, t]): [string, SamplerCounts] => [c, t.snapshot()]),
    ...[...lower].map(([c, s]): [string, SamplerCounts] => [c, s.counts()]),
    ...(overflow ? [[OVERFLOW_CLASS, overflow.counts()] as [string, SamplerCounts]] : []),
  ];

  return {
    strategy: 'priority',
    offer(event: E, sink: SampleSink<E>) {
      const cls = classify(event);
      const tally = high.get(cls);
      if (tally !== undefined) {
        tally.count(KEPT);
        sink(event, 1);
      } else {
        innerOf(cls).offer(event, sink);
      }
    },
    flush(sink: SampleSink<E>) {
      for (const s of lower.values()) s.flush(sink);
      overflow?.flush(sink);
    },
    counts(): SamplerCounts {
      let seen = 0;
      let kept = 0;
      let sampledAway = 0;
      let held = 0;
      let keptWeight = 0;
      for (const [, c] of all()) {
        seen += c.seen;
        kept += c.kept;
        sampledAway += c.sampledAway;
        held += c.held;
        keptWeight += c.keptWeight;
      }
      return { seen, kept, sampledAway, held, keptWeight };
    },
    classCounts: () => new Map(all()),
  };
}
