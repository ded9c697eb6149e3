import { awaitOrAbort, createEventStream, EventProcessingFailed, machineConstants, requireMachineValue, type EventStream, type SourceEventOptions } from '@bpfscope/core';
import { loadNative, type BpfObject, type NativeObjectLoader } from '@bpfscope/native';
import { decodeProcEventAt, monotonicToEpochMs, type ProcessEvent } from '../tree/events.js';
import { presentEvent, procEventSelection } from '../tree/event-filter.js';
import { procLayouts } from './layouts.js';
import { readTaskSnapshot } from './task-snapshot.js';

const HOOKS = ['proc_fork', 'proc_exec', 'proc_exit'] as const;
/** One mapping of the kernel clock to wall time per process, so that every stream gives one event the same time. */
let toEpochMs: ((ns: number) => number) | null = null;

/** Where the proc events come from. @internal */
export interface ProcEventDeps {
  readonly loader: NativeObjectLoader;
  readonly objectPath: string;
  readonly procRoot: string;
  /** Records per crossing from the ring to JavaScript (the config's `batchSize`). */
  readonly batchSize?: number;
  /** Told of the object a stream reads while it is open (for the source's stats). */
  readonly track?: { opened(obj: BpfObject): void; closed(obj: BpfObject): void };
  /** The source's kernel sampling: told of the object before the hooks attach, and when the stream lets it go. */
  readonly sampling?: { opened(obj: BpfObject): void; closed(obj: BpfObject): void };
}

/**
 * The proc family's events: the fork/exec/exit hooks of the proc object (loaded with the
 * hooks through the shared loader, attached once per process) and its `proc_events` ring
 * buffer through a shared subscription. With `initial`, the hooks attach first, then the
 * task iterator gives the first state: live events that arrive meanwhile are held and
 * follow the present events (a fork of a process the first state already lists is left
 * out), so nothing falls between the two and nothing is given twice.
 * @throws {@link ConfigError} for an unknown or bad option
 * @internal
 */
export function procEventStream(deps: ProcEventDeps, options: SourceEventOptions): EventStream<ProcessEvent> {
  const { signal, queue, ...rest } = options;
  const sel = procEventSelection(rest);
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
      let tracked = false;
      let sampled = false;
      try {
        deps.sampling?.opened(handle.object);
        sampled = true;
        for (const p of HOOKS) handle.attach(p);
        const ring = handle.subscribeRing('proc_events', { statsMap: 'proc_stats', ...(deps.batchSize === undefined ? {} : { batchSize: deps.batchSize }) });
        toEpochMs ??= monotonicToEpochMs();
        const toMs = toEpochMs;
        let unknown = 0;
        let held: ProcessEvent[] | null = sel.initial ? [] : null;
        ring.onError(fail);
        ring.onBatch((batch) => {
          const view = batch.view;
          const bytes = new Uint8Array(batch.buffer);
          for (let i = 0; i < batch.length; i++) {
            const e = decodeProcEventAt(view, bytes, batch.offset(i), layouts, toMs, pageSize);
            if (e === null) {
              // A newer object's event kind: reported once, not silently skipped.
              if (unknown++ === 0) fail(new EventProcessingFailed('a proc_events record of an unknown type (an object newer than this package?)'));
            } else if (held !== null) held.push(e);
            else if (sel.keep(e)) push(e);
          }
        });
        deps.track?.opened(handle.object);
        tracked = true;
        const feed = {
          stop: () => {
            deps.track?.closed(handle.object);
            deps.sampling?.closed(handle.object);
            handle.close();
          },
          kernelDropped: () => ring.stats().kernelDropped ?? null,
        };
        if (held === null) return feed;
        try {
          const first = await readTaskSnapshot(deps.loader, deps.objectPath, deps.procRoot, signal);
          const time = Date.now();
          const present = sel.admit(first.entries);
          for (const p of present) push(presentEvent(p, time, first.startTimeUnavailable));
          // Forked after the hooks attached but before the iterator ran: already present.
          const fresh = new Set(first.entries.map((p) => p.pid));
          for (const e of held) {
            if (e.type === 'fork' && fresh.has(e.pid)) continue;
            if (e.type === 'exit') fresh.delete(e.pid);
            if (sel.keep(e)) push(e);
          }
        } finally {
          held = null;
        }
        return feed;
      } catch (e) {
        if (tracked) deps.track?.closed(handle.object);
        if (sampled) deps.sampling?.closed(handle.object);
        handle.close();
        throw e;
      }
    },
  });
}
