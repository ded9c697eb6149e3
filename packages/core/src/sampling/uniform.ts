import type { RandomSource } from './random.js';
import { DROPPED, Tally, offerByDecision, type DecidingSampler, type SampleSink, type SamplerCounts, type SamplingDecision } from './sampler.js';

/** Options of {@link uniformSampler}. */
export interface UniformSamplerOptions {
  /** Keep one event in `every` (an integer ≥ 1; 1 keeps all). */
  readonly every: number;
  /**
   * `counter` (deterministic): keeps the 1st, (N+1)th, (2N+1)th … event, exactly
   * ⌈seen / N⌉ of them. `random`: keeps each event independently with probability
   * 1/N, so the kept count is binomial(seen, 1/N) and no periodic pattern in the
   * stream can line up with the sampler.
   * @default 'counter'
   */
  readonly mode?: 'counter' | 'random';
  /** Random numbers for `random` mode. @default Math.random */
  readonly random?: RandomSource;
}

/**
 * Uniform 1-in-N sampling. Each kept event has weight N.
 *
 * @param options - the rate and the mode
 * @returns a deciding sampler
 * @example
 * ```ts
 * const s = uniformSampler({ every: 10 });
 * s.decide(event); // { keep: true, weight: 10 } for the 1st, 11th, 21st … event
 * ```
 */
export function uniformSampler<E>(options: UniformSamplerOptions): DecidingSampler<E> {
  const every = options.every;
  const tally = new Tally();
  const kept: SamplingDecision = Object.freeze({ keep: true, weight: every });
  const random = options.random ?? Math.random;
  const p = 1 / every;
  let countdown = 0;
  const decide =
    options.mode === 'random'
      ? (): SamplingDecision => tally.count(random() < p ? kept : DROPPED)
      : (): SamplingDecision => {
          if (countdown === 0) {
            countdown = every - 1;
            return tally.count(kept);
          }
          countdown--;
          return tally.count(DROPPED);
        };
  const sampler: DecidingSampler<E> = {
    strategy: 'uniform',
    decide,
    offer: (event: E, sink: SampleSink<E>) => offerByDecision(sampler, event, sink),
    flush: () => {},
    counts: (): SamplerCounts => tally.snapshot(),
  };
  return sampler;
}
