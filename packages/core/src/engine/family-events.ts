import { ConfigError, DataUnavailable } from '../errors/taxonomy.js';
import { EngineBatchStream } from '../events/engine-batch-stream.js';
import { EngineEventStream, type EngineStreamSampling } from '../events/engine-event-stream.js';
import type { BatchedEventStream, EventBatchOptions } from '../events/event-batch-types.js';
import { validateBatchTriggers } from '../events/batch-triggers.js';
import type { FamilyStream } from '../events/family-event-stats.js';
import { StreamSampling, samplingAccessors, type EventSamplingOptions, type SampledEventStream } from '../events/event-sampling.js';
import type { EventOptions, EventStream, FamilyEvent, FamilyEventFilter } from '../events/event-types.js';
import type { Clock } from '../services/clock.js';
import { validateSamplingConfig, type SamplingConfig } from '../sampling/sampling-config.js';
import type { PluginSet } from './plugin-set.js';
import { detachedError } from './recover-families.js';
import type { Source } from '../types.js';

/** The options of `engine.events(family, …)`: every stream's, sampling's, and the family's own. */
export type FamilyEventOptionsOf<F extends string> = EventOptions & EventSamplingOptions<FamilyEvent<F>> & FamilyEventFilter<F>;

/** The options of `engine.eventBatches(family, …)`: those of `engine.events()` plus the batch triggers. */
export type FamilyBatchOptionsOf<F extends string> = EventBatchOptions<FamilyEvent<F>> & FamilyEventFilter<F>;

/** Now in ms since the epoch with sub-ms resolution: the clock's monotonic time mapped once to its wall time. @internal */
export function subMsWall(clock: Clock): () => number {
  const offset = clock.wallMs() - Number(clock.monotonicNs()) / 1e6;
  return () => offset + Number(clock.monotonicNs()) / 1e6;
}

/** How often an open event stream asks its source whether its programs are still attached, ms. @internal */
export const DETACH_CHECK_MS = 2000;

/**
 * While `stream` is open, asks `source` every {@link DETACH_CHECK_MS} whether its programs
 * are still attached ({@link Source.detached}): a stream whose hooks were destroyed from
 * outside would otherwise go quiet, as if nothing happened. Once one is gone the stream
 * ends with the family's {@link DataUnavailable} (remedy `engine.attemptRecovery()`), after
 * what it holds. Nothing runs for a source that cannot say. @internal
 */
export function watchDetached(source: Source, stream: FamilyStream, everyMs = DETACH_CHECK_MS): void {
  if (!source.detached) return;
  const timer = setInterval(() => {
    let error: Error | null;
    try {
      error = detachedError(source);
    } catch (e) {
      error = e instanceof Error ? e : new Error(String(e)); // a source that cannot tell ends its streams with why
    }
    if (error === null) return;
    clearInterval(timer);
    stream.fail(error);
  }, everyMs);
  timer.unref();
  stream.onEnd(() => clearInterval(timer));
}

/** What `engine.events()` and `engine.eventBatches()` share: the checked options and the opening of the source's stream. */
interface Opened<E> {
  readonly open: (stream: FamilyStream) => Promise<EventStream<E>>;
  readonly sampling: EngineStreamSampling<E>;
}

/**
 * Validates the queue and sampling options at once, and gives what opens the family's
 * stream from its selected source once the engine has started (the stream joins the family first).
 */
function prepare<F extends string>(plugins: PluginSet, start: () => Promise<void>, closing: AbortSignal, clock: Clock, family: F, options: Record<string, unknown>): Opened<FamilyEvent<F>> {
  const { signal, queue = 4096, sampling, timeMs, latencyOf, kernelSampling = true, ...rest } = options as EventOptions & EventSamplingOptions<FamilyEvent<F>> & Record<string, unknown>;
  if (!Number.isInteger(queue) || queue < 1) throw new ConfigError('events.queue', queue, 'an integer of 1 or more');
  if (timeMs !== undefined && typeof timeMs !== 'function') throw new ConfigError('events.timeMs', timeMs, 'a function (event) => ms since the epoch');
  if (latencyOf !== undefined && typeof latencyOf !== 'function') throw new ConfigError('events.latencyOf', latencyOf, 'a function (event) => number');
  if (typeof kernelSampling !== 'boolean') throw new ConfigError('events.kernelSampling', kernelSampling, 'true or false');
  const nowMs = subMsWall(clock);
  const accessors = samplingAccessors<FamilyEvent<F>>({ ...(timeMs ? { timeMs } : {}), ...(latencyOf ? { latencyOf } : {}) }, nowMs);
  const own = sampling !== undefined;
  const setting = own ? validateSamplingConfig<FamilyEvent<F>>(sampling, 'events.sampling') : null;
  const streamSampling = new StreamSampling<FamilyEvent<F>>(setting, accessors, 'events.sampling');
  const ended = signal ? AbortSignal.any([signal, closing]) : closing;
  const open = async (stream: FamilyStream): Promise<EventStream<FamilyEvent<F>>> => {
    await start().catch(() => undefined);
    const rt = plugins.runtime(family);
    if (!rt) throw new ConfigError('events.family', family, `a family of a started plugin (${plugins.familyList()})`);
    const source = rt.selected;
    rt.events.source = source;
    rt.events.add(stream);
    if (!source) throw rt.failure ?? plugins.startError(family) ?? new DataUnavailable(`${family} events`, 'the family has no initialised source');
    if (!source.events) {
      // Name why the source that gives events was passed over (the first rejected one), so the cause is not lost.
      const passedOver = rt.rejected[0];
      const why = passedOver ? `; the source before it was rejected: ${passedOver.code}: ${passedOver.message}` : '';
      throw new DataUnavailable(`${family} events`, `its selected source ${source.name} (${source.kind}) gives no events${why}`, {
        remedy: `Events come from the family's eBPF source: run where it can load (see checkSupport()) and set families.${family}.mode to 'ebpf' to fail loudly when it cannot.`,
        ...(passedOver ? { cause: passedOver } : {}),
      });
    }
    // The stream's own setting goes to the kernel first when nothing else holds it there; the rest stays here.
    if (own && kernelSampling && rt.events.kernel.mayPush(stream, source)) {
      streamSampling.reconfigure(await rt.events.kernel.push(stream, source, setting));
      // Runs at once when the stream ended (return(), its signal) while the push was on its way.
      stream.onEnd(() => void rt.events.kernel.release(stream).catch(() => undefined));
    }
    try {
      const inner = source.events({ ...rest, signal: ended, queue }) as EventStream<FamilyEvent<F>>;
      watchDetached(source, stream);
      return inner;
    } catch (e) {
      await rt.events.kernel.release(stream).catch(() => undefined); // a stream that never started holds nothing
      throw e;
    }
  };
  return { open, sampling: { sampling: streamSampling, own, accessors, nowMs, monotonicNs: () => clock.monotonicNs(), signal: ended } };
}

/** `engine.events()`: one event per `next()`. @internal */
export function openFamilyEvents<F extends string>(
  plugins: PluginSet,
  start: () => Promise<void>,
  closing: AbortSignal,
  clock: Clock,
  family: F,
  options: FamilyEventOptionsOf<F>,
): SampledEventStream<FamilyEvent<F>> {
  const { open, sampling } = prepare(plugins, start, closing, clock, family, options as Record<string, unknown>);
  const stream: EngineEventStream<FamilyEvent<F>> = new EngineEventStream<FamilyEvent<F>>(
    Promise.resolve().then(() => open(stream as unknown as FamilyStream)),
    sampling,
  );
  return stream;
}

/** `engine.eventBatches()`: one batch per `next()`, the triggers checked at once. @internal */
export function openFamilyBatches<F extends string>(
  plugins: PluginSet,
  start: () => Promise<void>,
  closing: AbortSignal,
  clock: Clock,
  family: F,
  options: FamilyBatchOptionsOf<F>,
): BatchedEventStream<FamilyEvent<F>> {
  const { batch, ...rest } = options as EventBatchOptions<FamilyEvent<F>> & Record<string, unknown>;
  const triggers = validateBatchTriggers<FamilyEvent<F>>(batch, 'events.batch');
  const { open, sampling } = prepare(plugins, start, closing, clock, family, rest);
  const stream: EngineBatchStream<FamilyEvent<F>> = new EngineBatchStream<FamilyEvent<F>>(
    Promise.resolve().then(() => open(stream as unknown as FamilyStream)),
    sampling,
    triggers,
  );
  return stream;
}

/**
 * `engine.setSampling()`: validates the setting (a {@link ConfigError} naming
 * `families.<family>.sampling…`), then switches the family's open streams. @internal
 */
export async function setFamilySampling(plugins: PluginSet, start: () => Promise<void>, family: string, config: SamplingConfig<never> | null, kernel = true): Promise<void> {
  const path = `families.${family}.sampling`;
  const valid = config === null ? null : validateSamplingConfig<never>(config, path);
  await start().catch(() => undefined);
  const rt = plugins.runtime(family);
  if (!rt) throw new ConfigError(path, family, `a family of this engine (${plugins.familyList()})`);
  const source = rt.selected;
  rt.events.source = source;
  // The kernel part first; the open streams then switch to the rest. A stream that cannot
  // take the rest (tail without latencyOf) refuses it: the kernel gets the previous setting back.
  let rest: SamplingConfig<never> | null = valid;
  if (kernel) rest = await rt.events.kernel.push('family', source, valid);
  else await rt.events.kernel.push('family', source, null);
  try {
    rt.events.setSampling(rest, path);
  } catch (e) {
    await rt.events.kernel.push('family', source, rt.events.familyKernel ? rt.events.familyConfig : null).catch(() => undefined);
    throw e;
  }
  rt.events.familyConfig = valid;
  rt.events.familyKernel = kernel;
}
