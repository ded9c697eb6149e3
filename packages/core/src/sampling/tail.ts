import { DROPPED, KEPT, Tally, offerByDecision, type DecidingSampler, type SampleSink, type SamplerCounts } from './sampler.js';

/** Options of {@link tailSampler} with a fixed threshold. */
export interface TailThresholdOptions<E> {
  /** The event's latency (or any measure where large is interesting), in the family's unit. */
  readonly latencyOf: (event: E) => number;
  /** Events whose value is at or above this are kept, all others dropped. */
  readonly threshold: number;
}

/** Options of {@link tailSampler} in percentile mode. */
export interface TailPercentileOptions<E> {
  /** The event's latency (or any measure where large is interesting), in the family's unit. */
  readonly latencyOf: (event: E) => number;
  /** The event's timestamp, ms (never decreasing): the sliding window is in event time. */
  readonly timeMs: (event: E) => number;
  /** Keep events at or above this percentile (0 < p < 100) of the values in the window. */
  readonly percentile: number;
  /** The sliding window's length in event time, ms. @default 10000 */
  readonly windowMs?: number;
  /** Most values the window holds (the oldest leave first): the memory bound. @default 1024 */
  readonly maxWindowEvents?: number;
  /** Until the window holds this many values there is no percentile to judge by and every event is kept. @default 100 */
  readonly minWindowEvents?: number;
}

/** A tail sampler: a {@link DecidingSampler} that tells the threshold it applies now. */
export interface TailSampler<E> extends DecidingSampler<E> {
  /** The value an event must reach to be kept now (NaN in percentile mode while the window is too small: all are kept). */
  threshold(): number;
}

/**
 * Tail-based sampling: keeps the slow events and drops the rest. With `threshold`,
 * every event whose value is ≥ the threshold is kept and none below. With
 * `percentile`, the threshold is the nearest-rank percentile of the values of the
 * events before this one in a sliding window (by event time, at most
 * `maxWindowEvents` values, kept sorted: O(window) per event, a third of it on
 * average once the window is full). Kept events have
 * weight 1: they stand for themselves; the dropped ones are counted.
 *
 * @param options - the value accessor and a threshold or a percentile
 * @returns the sampler
 */
export function tailSampler<E>(options: TailThresholdOptions<E> | TailPercentileOptions<E>): TailSampler<E> {
  const latencyOf = options.latencyOf;
  const tally = new Tally();
  if ('threshold' in options) {
    const limit = options.threshold;
    const fixed: TailSampler<E> = {
      strategy: 'tail',
      decide: (event: E) => tally.count(latencyOf(event) >= limit ? KEPT : DROPPED),
      offer: (event: E, sink: SampleSink<E>) => offerByDecision(fixed, event, sink),
      flush: () => {},
      counts: (): SamplerCounts => tally.snapshot(),
      threshold: () => limit,
    };
    return fixed;
  }
  const { timeMs, percentile } = options;
  const windowMs = options.windowMs ?? 10_000;
  const capacity = options.maxWindowEvents ?? 1024;
  const minEvents = Math.min(options.minWindowEvents ?? 100, capacity);
  // FIFO of (time, value) in a ring, and the same values sorted.
  const times = new Float64Array(capacity);
  const values = new Float64Array(capacity);
  const sorted = new Float64Array(capacity);
  let head = 0;
  let count = 0;

  const evictOldest = (): void => {
    const v = values[head]!;
    const at = lowerBound(sorted, count, v);
    sorted.copyWithin(at, at + 1, count);
    head = (head + 1) % capacity;
    count--;
  };
  const current = (): number => (count < minEvents ? Number.NaN : sorted[Math.max(0, Math.ceil((percentile / 100) * count) - 1)]!);

  const sampler: TailSampler<E> = {
    strategy: 'tail',
    decide(event: E) {
      const t = timeMs(event);
      const v = latencyOf(event);
      while (count > 0 && times[head]! <= t - windowMs) evictOldest();
      const limit = current();
      const decision = Number.isNaN(limit) || v >= limit ? KEPT : DROPPED;
      if (count === capacity) {
        // Full: the oldest value leaves as this one comes, in one shift between their
        // places (a third of the window on average, not a whole removal and insertion).
        const out = lowerBound(sorted, count, values[head]!);
        const at = lowerBound(sorted, count, v);
        if (at <= out) {
          sorted.copyWithin(at + 1, at, out);
          sorted[at] = v;
        } else {
          sorted.copyWithin(out, out + 1, at);
          sorted[at - 1] = v;
        }
        times[head] = t;
        values[head] = v;
        head = (head + 1) % capacity;
        return tally.count(decision);
      }
      const tail = (head + count) % capacity;
      times[tail] = t;
      values[tail] = v;
      const at = lowerBound(sorted, count, v);
      sorted.copyWithin(at + 1, at, count);
      sorted[at] = v;
      count++;
      return tally.count(decision);
    },
    offer: (event: E, sink: SampleSink<E>) => offerByDecision(sampler, event, sink),
    flush: () => {},
    counts: (): SamplerCounts => tally.snapshot(),
    threshold: current,
  };
  return sampler;
}

/** First index in sorted[0, n) whose value is ≥ v. */
function lowerBound(sorted: Float64Array, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
