import { awaitOrAbort, ConfigError, createEventStream, EventProcessingFailed, machineConstants, requireMachineValue, type EventStream, type SourceEventOptions } from '@bpfscope/core';
import { loadNative, type BpfObject, type NativeObjectLoader } from '@bpfscope/native';
import { decodeProcEvent, monotonicToEpochMs, type ProcessEvent, type ProcessEventType } from '../tree/events.js';
import { procLayouts } from './layouts.js';

/** Options of `engine.events('proc', ...)` beyond the signal and queue. */
export interface ProcEventOptions {
  /**
   * Only this process and its descendants: the process itself, then every process whose
   * fork this stream saw from a member (so descendants forked before the stream was ready
   * are not followed). Applied before the queue, so drops count only matching events.
   */
  tree?: number;
  /** Only these kinds of events. @default all: fork, exec, exit */
  types?: readonly ProcessEventType[];
}

declare module '@bpfscope/core' {
  interface FamilyEvents {
    proc: ProcessEvent;
  }
  interface FamilyEventOptions {
    proc: ProcEventOptions;
  }
}

const HOOKS = ['proc_fork', 'proc_exec', 'proc_exit'] as const;
const TYPES: readonly ProcessEventType[] = ['fork', 'exec', 'exit'];
/** One mapping of the kernel clock to wall time per process, so that every stream gives one event the same time. */
let toEpochMs: ((ns: number) => number) | null = null;

/** Where the proc events come from. @internal */
export interface ProcEventDeps {
  readonly loader: NativeObjectLoader;
  readonly objectPath: string;
  readonly procRoot: string;
  /** Told of the object a stream reads while it is open (for the source's stats). */
  readonly track?: { opened(obj: BpfObject): void; closed(obj: BpfObject): void };
}

/**
 * The proc family's events: the fork/exec/exit hooks of the proc object (loaded with the
 * hooks through the shared loader, attached once per process) and its `proc_events` ring
 * buffer through a shared subscription, decoded as the process tree decodes them.
 * @throws {@link ConfigError} for an unknown or bad option
 * @internal
 */
export function procEventStream(deps: ProcEventDeps, options: SourceEventOptions): EventStream<ProcessEvent> {
  const { signal, queue, ...rest } = options;
  const keep = eventFilter(rest);
  return createEventStream<ProcessEvent>({
    family: 'proc',
    queue,
    signal,
    start: async (push, fail) => {
      loadNative();
      const pageSize = requireMachineValue(machineConstants(deps.procRoot).pageSize, 'peak RSS of exit events in bytes');
      const loading = deps.loader.load({ path: deps.objectPath });
      const handle = await awaitOrAbort(loading, signal, () => void loading.then((h) => h.close(), () => undefined));
      const layouts = procLayouts(handle.structLayouts());
      try {
        for (const p of HOOKS) handle.attach(p);
        const ring = handle.subscribeRing('proc_events', { statsMap: 'proc_stats' });
        toEpochMs ??= monotonicToEpochMs();
        const toMs = toEpochMs;
        let unknown = 0;
        ring.onError(fail);
        ring.onBatch((batch) => {
          for (const { data } of batch) {
            const e = decodeProcEvent(data, layouts, toMs, pageSize);
            if (e === null) {
              // A newer object's event kind: reported once, not silently skipped.
              if (unknown++ === 0) fail(new EventProcessingFailed('a proc_events record of an unknown type (an object newer than this package?)'));
            } else if (keep(e)) push(e);
          }
        });
        deps.track?.opened(handle.object);
        return {
          stop: () => {
            deps.track?.closed(handle.object);
            handle.close();
          },
          kernelDropped: () => ring.stats().kernelDropped ?? null,
        };
      } catch (e) {
        handle.close();
        throw e;
      }
    },
  });
}

function eventFilter(options: Readonly<Record<string, unknown>>): (e: ProcessEvent) => boolean {
  for (const key of Object.keys(options)) if (key !== 'tree' && key !== 'types') throw new ConfigError(`events.${key}`, options[key], 'no such option of proc events (tree, types)');
  const { tree, types } = options as ProcEventOptions;
  if (tree !== undefined && (!Number.isInteger(tree) || tree < 1)) throw new ConfigError('events.tree', tree, 'a process ID (an integer ≥ 1)');
  if (types !== undefined && (!Array.isArray(types) || types.length === 0 || types.some((t) => !TYPES.includes(t)))) {
    throw new ConfigError('events.types', types, `a non-empty list of ${TYPES.join(', ')}`);
  }
  const wanted = new Set(types ?? TYPES);
  const members = tree === undefined ? null : new Set([tree]);
  return (e) => {
    if (members !== null) {
      if (e.type === 'fork') {
        if (!members.has(e.ppid)) return false;
        members.add(e.pid);
      } else if (!members.has(e.pid)) return false;
      // A pid that ended may be reused by an unrelated process.
      else if (e.type === 'exit') members.delete(e.pid);
    }
    return wanted.has(e.type);
  };
}
