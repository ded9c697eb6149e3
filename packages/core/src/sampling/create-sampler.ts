import { ConfigError } from '../errors/taxonomy.js';
import { adaptiveSampler } from './adaptive.js';
import { priorityMatcher } from './kernel-sampling.js';
import { prioritySampler } from './priority.js';
import { seededRandom, type RandomSource } from './random.js';
import { reservoirSampler } from './reservoir.js';
import { KEPT, Tally, offerByDecision, type DecidingSampler, type SampleSink, type Sampler, type SamplerCounts, type SamplingStrategy } from './sampler.js';
import { validateSamplingConfig, type SamplingConfig, type TailThresholdSamplingConfig } from './sampling-config.js';
import { tailSampler } from './tail.js';
import { tokenBucket } from './token-bucket.js';
import { uniformSampler } from './uniform.js';

/**
 * What a family tells the samplers about its events: the parts of an event a strategy
 * reads. A family that has no latency value leaves `latencyOf` out, and a tail setting
 * for it is refused with a {@link ConfigError}.
 */
export interface SamplingAccessors<E> {
  /** The event's timestamp, ms (never decreasing): rates and windows are in event time. */
  readonly timeMs: (event: E) => number;
  /** The event's latency (or other measure where large is interesting), for tail sampling. */
  readonly latencyOf?: (event: E) => number;
  /** Random numbers for strategies with no `seed` in their setting. @default Math.random */
  readonly random?: RandomSource;
}

/** The two classes of a priority `match`: its high events and the rest. */
const MATCHED = 'high';
const UNMATCHED = 'other';

/**
 * Builds the sampler a setting describes.
 *
 * @param config - the setting (validated here)
 * @param accessors - how to read the family's events
 * @param path - the setting's path in the whole config, for errors
 * @returns the sampler
 * @throws {@link ConfigError} for an invalid setting, or a tail setting for events with no value
 */
export function createSampler<E>(config: SamplingConfig<E>, accessors: SamplingAccessors<E>, path = 'sampling'): Sampler<E> {
  const c = validateSamplingConfig<E>(config, path);
  const timeMs = accessors.timeMs;
  const randomOf = (s: number | undefined): RandomSource => (s === undefined ? (accessors.random ?? Math.random) : seededRandom(s));
  switch (c.strategy) {
    case 'all':
      return keepAll<E>();
    case 'uniform':
      return uniformSampler<E>({ every: c.every, mode: c.mode ?? 'counter', random: randomOf(c.seed) });
    case 'adaptive':
      return adaptiveSampler<E>({ ...c, timeMs, random: randomOf(c.seed) });
    case 'reservoir':
      return reservoirSampler<E>({ size: c.size, windowMs: c.windowMs, timeMs, random: randomOf(c.seed) });
    case 'token-bucket':
      return tokenBucket<E>({ ratePerSecond: c.ratePerSecond, burst: c.burst, timeMs });
    case 'tail': {
      if (accessors.latencyOf === undefined) {
        throw new ConfigError(`${path}.strategy`, 'tail', 'a strategy other than "tail": these events carry no latency value to judge by');
      }
      const latencyOf = accessors.latencyOf;
      if ('percentile' in c && c.percentile !== undefined) {
        const { percentile, windowMs, maxWindowEvents, minWindowEvents } = c;
        return tailSampler<E>({ latencyOf, timeMs, percentile, windowMs, maxWindowEvents, minWindowEvents });
      }
      return tailSampler<E>({ latencyOf, threshold: (c as TailThresholdSamplingConfig).threshold });
    }
    case 'priority': {
      const otherwise = c.otherwise ?? { strategy: 'all' };
      const match = c.match === undefined ? undefined : priorityMatcher(c.match);
      return prioritySampler<E>({
        classify: match !== undefined ? (e) => (match(e) ? MATCHED : UNMATCHED) : c.classify!,
        high: match !== undefined ? [MATCHED] : c.high!,
        maxClasses: c.maxClasses,
        innerFor: (cls) => {
          const own = c.classes?.[cls];
          return own !== undefined ? createSampler(own, accessors, `${path}.classes.${cls}`) : createSampler(otherwise, accessors, `${path}.otherwise`);
        },
      });
    }
  }
}

function keepAll<E>(): DecidingSampler<E> {
  const tally = new Tally();
  const s: DecidingSampler<E> = {
    strategy: 'all',
    decide: () => tally.count(KEPT),
    offer: (event: E, sink: SampleSink<E>) => offerByDecision(s, event, sink),
    flush: () => {},
    counts: (): SamplerCounts => tally.snapshot(),
  };
  return s;
}

/**
 * A sampler whose setting can change at run time: the handle a family keeps for one
 * event source. Its counts are totals over every setting it has had.
 */
export interface SamplingController<E> extends Sampler<E> {
  /** The setting in force. */
  readonly config: SamplingConfig<E>;
  /**
   * Changes the setting. The new one is validated first: an invalid one throws and the
   * old one stays in force. The old sampler's held events (a reservoir's open window)
   * are released to `sink` before the switch, so nothing is lost or counted twice.
   *
   * @param config - the new setting
   * @param sink - receives the events the old sampler still held
   * @throws {@link ConfigError} naming the path of the bad field
   */
  reconfigure(config: SamplingConfig<E>, sink: SampleSink<E>): void;
}

/**
 * Builds a {@link SamplingController}: what a family takes as `{ sampling: … }`.
 *
 * @param config - the first setting
 * @param accessors - how to read the family's events
 * @param path - the setting's path in the whole config, for errors
 * @returns the controller
 * @throws {@link ConfigError} for an invalid setting
 * @example
 * ```ts
 * const sampling = createSamplingController({ strategy: 'uniform', every: 10 }, { timeMs: (e) => e.timeNs / 1e6 });
 * for (const e of events) sampling.offer(e, (kept, weight) => out.push({ ...kept, weight }));
 * sampling.reconfigure({ strategy: 'adaptive', targetPerSecond: 500 }, (kept, weight) => out.push({ ...kept, weight }));
 * ```
 */
export function createSamplingController<E>(config: SamplingConfig<E>, accessors: SamplingAccessors<E>, path = 'sampling'): SamplingController<E> {
  let current = createSampler(config, accessors, path);
  let setting = config;
  const past = { seen: 0, kept: 0, sampledAway: 0, keptWeight: 0 };
  return {
    get strategy(): SamplingStrategy {
      return current.strategy;
    },
    get config() {
      return setting;
    },
    offer: (event: E, sink: SampleSink<E>) => current.offer(event, sink),
    flush: (sink: SampleSink<E>) => current.flush(sink),
    counts(): SamplerCounts {
      const c = current.counts();
      return {
        seen: past.seen + c.seen,
        kept: past.kept + c.kept,
        sampledAway: past.sampledAway + c.sampledAway,
        held: c.held,
        keptWeight: past.keptWeight + c.keptWeight,
      };
    },
    reconfigure(next: SamplingConfig<E>, sink: SampleSink<E>) {
      const replacement = createSampler(next, accessors, path);
      current.flush(sink);
      const c = current.counts();
      past.seen += c.seen;
      past.kept += c.kept;
      past.sampledAway += c.sampledAway;
      past.keptWeight += c.keptWeight;
      current = replacement;
      setting = next;
    },
  };
}
