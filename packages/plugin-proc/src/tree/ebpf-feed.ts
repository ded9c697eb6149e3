import { EventProcessingFailed, isBpfscopeError, type EventStream } from '@bpfscope/core';
import { decodeCString, loadNative, NativeObjectLoader, type LoadedBpfObject } from '@bpfscope/native';
import { procLayouts, u64, type ProcLayouts } from '../ebpf/layouts.js';
import { procEventStream } from '../ebpf/proc-events.js';
import { readBootTime } from '../procfs/scan-processes.js';
import { missedSnapshot } from '../ebpf/missed-processes.js';
import type { ProcessEvent } from './events.js';

/** Events the stream holds while the first state is read and while the tree applies them; past that the oldest are dropped and counted (`queueDropped`). */
const HELD_EVENTS = 1 << 16;
import type { FeedSink, FeedStats, ProcessFeed, SnapshotEntry } from './feed.js';

/**
 * Process events through the proc source's events path ({@link procEventStream}: the
 * hooks object and its `proc_events` ring, shared through the object loader), and the
 * first state from one run of the task iterator. The stream is ready (hooks attached)
 * before the iterator runs; events that arrive meanwhile wait in the stream's queue and
 * are applied after the snapshot, so nothing falls between the two.
 * @internal
 */
export class EbpfProcessFeed implements ProcessFeed {
  readonly kind = 'ebpf' as const;
  readonly #ended = new AbortController();
  #stream: EventStream<ProcessEvent> | null = null;
  #iter: LoadedBpfObject | null = null;
  #received = 0;
  #filled = 0;

  constructor(
    private readonly objectPath: string,
    private readonly procRoot: string,
    private readonly loader: NativeObjectLoader = new NativeObjectLoader(),
  ) {}

  async start(sink: FeedSink): Promise<void> {
    loadNative();
    const deps = { loader: this.loader, objectPath: this.objectPath, procRoot: this.procRoot };
    const stream = procEventStream(deps, { signal: this.#ended.signal, queue: HELD_EVENTS });
    this.#stream = stream;
    await stream.ready;
    // The iterator-only object, as the proc source loads it (one object for both).
    this.#iter = await this.loader.load({ path: this.objectPath, autoloadOff: ['proc_fork', 'proc_exec', 'proc_exit'] });
    const layouts = procLayouts(this.#iter.structLayouts());
    const boot = readBootTime(this.procRoot);
    const table = await this.#iter.object.readIterator('proc_iter');
    const entries = snapshotOf(table, layouts, boot.bootTime);
    // Processes the iterator does not reach (PID 1 on some VMs) come from procfs.
    const missed = missedSnapshot(this.procRoot, new Set(entries.map((e) => e.pid)), boot.bootTime);
    this.#filled = missed.length;
    sink.snapshot(missed.length === 0 ? entries : [...entries, ...missed]);
    void (async () => {
      try {
        for await (const e of stream) {
          this.#received++;
          sink.event(e);
        }
      } catch (e) {
        sink.error(isBpfscopeError(e) ? e : new EventProcessingFailed(`proc events: ${String(e)}`, { cause: e }));
      }
    })();
  }

  stats(): FeedStats {
    const c = this.#stream?.counts();
    return { kernelDropped: c?.droppedKernel ?? undefined, received: this.#received, filledFromProcfs: this.#filled, queueDropped: c?.droppedQueue ?? 0 };
  }

  unref(): void {
    // The ring consumer is unref'd by the loader's shared subscription: nothing holds the process.
  }

  async close(): Promise<void> {
    this.#ended.abort();
    this.#iter?.close();
    this.#iter = null;
  }
}

/** The thread-group leaders of one iterator run. */
function snapshotOf(bytes: Uint8Array, layouts: ProcLayouts, bootTime: number | null): SnapshotEntry[] {
  const o = layouts.task;
  if (bytes.length % o.size !== 0) throw new EventProcessingFailed(`the proc_iter output (${bytes.length} bytes) is not a whole number of ${o.size}-byte records`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: SnapshotEntry[] = [];
  for (let b = 0; b < bytes.length; b += o.size) {
    if (view.getUint32(b + o.is_leader, true) === 0) continue;
    const startNs = u64(view, b + o.start_boottime_ns);
    out.push({
      pid: view.getUint32(b + o.tgid, true),
      ppid: view.getUint32(b + o.ppid, true),
      comm: decodeCString(bytes, b + o.comm, 16),
      startTime: bootTime === null ? null : bootTime * 1000 + startNs / 1e6,
      zombie: view.getUint32(b + o.exit_state, true) !== 0,
    });
  }
  return out;
}
