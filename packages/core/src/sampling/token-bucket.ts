import { DROPPED, KEPT, Tally, offerByDecision, type DecidingSampler, type SampleSink, type SamplerCounts } from './sampler.js';

/** Options of {@link tokenBucket}. */
export interface TokenBucketOptions<E> {
  /** Tokens added per second (events let through per second in the long run), > 0. */
  readonly ratePerSecond: number;
  /** Bucket size: the most events let through at once after a quiet spell, ≥ 1. */
  readonly burst: number;
  /** The event's timestamp, ms (any origin, never decreasing). The bucket is refilled from these, not from wall time. */
  readonly timeMs: (event: E) => number;
}

/** A token bucket: a {@link DecidingSampler} that also tells how many tokens it has. */
export interface TokenBucket<E> extends DecidingSampler<E> {
  /** Tokens in the bucket as of the last event (refilled up to `burst`). */
  tokens(): number;
  /** Changes rate and burst at run time; the tokens held are kept (capped at the new burst). */
  setRate(ratePerSecond: number, burst: number): void;
}

/**
 * A token-bucket rate limiter in user space: the bucket starts full (`burst` tokens),
 * gains `ratePerSecond` tokens per second of event time up to `burst`, and an event
 * passes when a whole token is there (and takes it). Over any span of T seconds it
 * lets through at most `burst + ratePerSecond · T` events; what it refuses is counted
 * as `sampledAway`. Passed events have weight 1: a rate limit is not a statistical
 * sample. The kernel twin is described in docs/sampling.md.
 *
 * @param options - rate, burst and the event timestamp
 * @returns the bucket
 */
export function tokenBucket<E>(options: TokenBucketOptions<E>): TokenBucket<E> {
  let rate = options.ratePerSecond;
  let burst = options.burst;
  const timeMs = options.timeMs;
  const tally = new Tally();
  let tokens = burst;
  let last = Number.NaN;
  const bucket: TokenBucket<E> = {
    strategy: 'token-bucket',
    decide(event: E) {
      const t = timeMs(event);
      if (t > last) tokens = Math.min(burst, tokens + ((t - last) * rate) / 1000);
      if (!(t <= last)) last = t; // first event (NaN) or later: time moves on; earlier ones refill nothing
      if (tokens >= 1) {
        tokens -= 1;
        return tally.count(KEPT);
      }
      return tally.count(DROPPED);
    },
    offer: (event: E, sink: SampleSink<E>) => offerByDecision(bucket, event, sink),
    flush: () => {},
    counts: (): SamplerCounts => tally.snapshot(),
    tokens: () => tokens,
    setRate(r: number, b: number) {
      rate = r;
      burst = b;
      tokens = Math.min(tokens, burst);
    },
  };
  return bucket;
}
