import { ConfigError, DataUnavailable } from '../errors/taxonomy.js';
import { EngineEventStream } from '../events/engine-event-stream.js';
import type { EventOptions, EventStream, FamilyEvent, FamilyEventFilter } from '../events/event-types.js';
import type { PluginSet } from './plugin-set.js';

/**
 * `engine.events()`: validates the queue option at once, then opens the family's
 * stream from its selected source once the engine has started. @internal
 */
export function openFamilyEvents<F extends string>(
  plugins: PluginSet,
  start: () => Promise<void>,
  closing: AbortSignal,
  family: F,
  options: EventOptions & FamilyEventFilter<F>,
): EventStream<FamilyEvent<F>> {
  const { signal, queue = 4096, ...rest } = options as EventOptions & Record<string, unknown>;
  if (!Number.isInteger(queue) || queue < 1) throw new ConfigError('events.queue', queue, 'an integer of 1 or more');
  const ended = signal ? AbortSignal.any([signal, closing]) : closing;
  const open = async (): Promise<EventStream<FamilyEvent<F>>> => {
    await start().catch(() => undefined);
    const rt = plugins.runtime(family);
    if (!rt) throw new ConfigError('events.family', family, `a family of a started plugin (${plugins.familyList()})`);
    rt.events.add(stream);
    const source = rt.selected;
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
    return source.events({ ...rest, signal: ended, queue }) as EventStream<FamilyEvent<F>>;
  };
  const stream = new EngineEventStream<FamilyEvent<F>>(open());
  return stream;
}
