import type { RandomSource } from './random.js';
import type { SampleSink, Sampler, SamplerCounts } from './sampler.js';

/** Options of {@link reservoirSampler}. */
export interface ReservoirSamplerOptions<E> {
  /** Events kept per window, an integer ≥ 1. */
  readonly size: number;
  /** Window length in event time, ms. Windows are back to back from the first event's time. */
  readonly windowMs: number;
  /** The event's timestamp, ms (never decreasing). */
  readonly timeMs: (event: E) => number;
  /** Random numbers. @default Math.random */
  readonly random?: RandomSource;
}

/**
 * Reservoir sampling: keeps exactly `size` events of each window of event time (all of
 * them when fewer came), every event of the window with the same chance
 * (Algorithm R: the n-th event replaces a random pick with probability size/n).
 * A window's picks are released when the first event past its end arrives, or on
 * `flush`, in arrival order, each with weight n/size (n = events in the window).
 * Until then they count as `held`.
 *
 * @param options - size, window and event timestamp
 * @returns the sampler (it has no per-event `decide`: a pick is final only when its window closes)
 */
export function reservoirSampler<E>(options: ReservoirSamplerOptions<E>): Sampler<E> {
  const { size, windowMs, timeMs } = options;
  const random = options.random ?? Math.random;
  const picks: E[] = [];
  const arrival: number[] = [];
  let n = 0;
  let windowStart = Number.NaN;
  let seen = 0;
  let kept = 0;
  let sampledAway = 0;
  let keptWeight = 0;

  const release = (sink: SampleSink<E>): void => {
    const weight = n > size ? n / size : 1;
    const order = picks.map((_, i) => i).sort((a, b) => arrival[a]! - arrival[b]!);
    const out = order.map((i) => picks[i]!);
    picks.length = 0;
    arrival.length = 0;
    n = 0;
    // Counted before the sink runs, so a sink that reads counts sees them settled.
    kept += out.length;
    keptWeight += out.length * weight;
    for (const e of out) sink(e, weight);
  };

  return {
    strategy: 'reservoir',
    offer(event: E, sink: SampleSink<E>) {
      const t = timeMs(event);
      if (Number.isNaN(windowStart)) windowStart = t;
      else if (t >= windowStart + windowMs) {
        release(sink);
        windowStart += Math.floor((t - windowStart) / windowMs) * windowMs;
      }
      seen++;
      n++;
      if (n <= size) {
        picks.push(event);
        arrival.push(n);
        return;
      }
      const j = Math.floor(random() * n);
      if (j < size) {
        picks[j] = event;
        arrival[j] = n;
      }
      sampledAway++; // either this event or the pick it replaced
    },
    flush(sink: SampleSink<E>) {
      if (n > 0) release(sink);
    },
    counts: (): SamplerCounts => ({ seen, kept, sampledAway, held: picks.length, keptWeight }),
  };
}
