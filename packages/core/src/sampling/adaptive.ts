import type { RandomSource } from './random.js';
import { DROPPED, KEPT, Tally, offerByDecision, type DecidingSampler, type SampleSink, type SamplerCounts, type SamplingDecision } from './sampler.js';

/** Options of {@link adaptiveSampler}. */
export interface AdaptiveSamplerOptions<E> {
  /** Events per second to keep, > 0. */
  readonly targetPerSecond: number;
  /** The event's timestamp, ms (never decreasing). Rates are measured on these, not on wall time. */
  readonly timeMs: (event: E) => number;
  /** Length of the window the arrival rate is measured over, ms. @default 1000 */
  readonly windowMs?: number;
  /**
   * Weight of the newest window in the rate estimate (an exponentially weighted
   * moving average), in (0, 1]. Higher follows changes faster, lower smooths noise.
   * @default 0.7
   */
  readonly smoothing?: number;
  /**
   * `counter`: keeps events at an even spacing of 1/p (a running credit, no
   * randomness). `random`: keeps each with probability p.
   * @default 'counter'
   */
  readonly mode?: 'counter' | 'random';
  /** Random numbers for `random` mode. @default Math.random */
  readonly random?: RandomSource;
}

/** An adaptive sampler: a {@link DecidingSampler} that tells its current rate estimate. */
export interface AdaptiveSampler<E> extends DecidingSampler<E> {
  /** The smoothed arrival rate, events/s (NaN until there is an estimate: the first window closed, or a surge in it). */
  arrivalRate(): number;
  /** The probability an event is kept now, in (0, 1]. */
  probability(): number;
  /** Changes the target at run time; the next event uses it. */
  setTarget(targetPerSecond: number): void;
}

/**
 * Adaptive sampling: holds the kept events near `targetPerSecond` as the arrival rate
 * changes. The arrival rate is measured per window of event time and smoothed; the
 * keep probability is p = min(1, target / rate) and each kept event has weight 1/p.
 * A change in the arrival rate of more than 2× between windows resets the estimate, so
 * the window after the change already keeps about the target; smaller changes are
 * smoothed, so a window's noise does not swing p. Inside a window, a count past twice
 * the estimate's share (or, in the first window, past the target's share) replaces the
 * estimate with the rate so far: a flood is cut down within its first window, not
 * after it.
 *
 * @param options - the target, the event timestamp and the window
 * @returns the sampler
 */
export function adaptiveSampler<E>(options: AdaptiveSamplerOptions<E>): AdaptiveSampler<E> {
  const timeMs = options.timeMs;
  const windowMs = options.windowMs ?? 1000;
  const alpha = options.smoothing ?? 0.7;
  const random = options.random ?? Math.random;
  const byCounter = options.mode !== 'random';
  let target = options.targetPerSecond;
  const tally = new Tally();
  let windowStart = Number.NaN;
  let inWindow = 0;
  let estimate = Number.NaN;
  let p = 1;
  let decision: SamplingDecision = KEPT;
  let credit = 0;

  // A surge inside a window (or a flood in the first one, before any estimate) is
  // caught when the window's count passes surgeAt: the rate so far replaces the estimate.
  let surgeAt = 0;
  const setSurge = (): void => {
    const perWindow = (target * windowMs) / 1000;
    surgeAt = Math.max(16, Number.isNaN(estimate) ? perWindow : 2 * Math.max((estimate * windowMs) / 1000, perWindow));
  };
  const setP = (): void => {
    p = Number.isNaN(estimate) || estimate <= target ? 1 : target / estimate;
    decision = p === 1 ? KEPT : Object.freeze({ keep: true, weight: 1 / p });
  };
  const closeWindows = (t: number): void => {
    const elapsed = Math.floor((t - windowStart) / windowMs);
    const observed = (inWindow * 1000) / windowMs;
    // A step of more than 2× (far beyond a window's noise) resets the estimate, so a
    // large change settles in one window; smaller changes are smoothed.
    const step = !(observed <= 2 * estimate && 2 * observed >= estimate);
    estimate = step ? observed : alpha * observed + (1 - alpha) * estimate;
    // Windows that passed with no event at all pull the estimate down too (a few suffice).
    for (let i = 1; i < Math.min(elapsed, 64); i++) estimate *= 1 - alpha;
    if (elapsed >= 64) estimate = 0;
    windowStart += elapsed * windowMs;
    inWindow = 0;
    setP();
    setSurge();
  };
  const surge = (t: number): void => {
    const soFar = t - windowStart;
    const rate = (inWindow * 1000) / Math.max(soFar, windowMs / 1000);
    if (Number.isNaN(estimate) || rate > estimate) {
      estimate = rate;
      setP();
    }
    surgeAt = 2 * inWindow; // at most log2(events) re-estimates per window
  };

  const sampler: AdaptiveSampler<E> = {
    strategy: 'adaptive',
    decide(event: E) {
      const t = timeMs(event);
      if (Number.isNaN(windowStart)) {
        windowStart = t;
        setSurge();
      } else if (t >= windowStart + windowMs) closeWindows(t);
      if (++inWindow > surgeAt) surge(t);
      if (p === 1) return tally.count(KEPT);
      if (byCounter) {
        credit += p;
        if (credit < 1) return tally.count(DROPPED);
        credit -= 1;
        return tally.count(decision);
      }
      return tally.count(random() < p ? decision : DROPPED);
    },
    offer: (event: E, sink: SampleSink<E>) => offerByDecision(sampler, event, sink),
    flush: () => {},
    counts: (): SamplerCounts => tally.snapshot(),
    arrivalRate: () => estimate,
    probability: () => p,
    setTarget(next: number) {
      target = next;
      setP();
      setSurge();
    },
  };
  return sampler;
}
