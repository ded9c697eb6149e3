import { EventProcessingFailed, isBpfscopeError, type BpfscopeError, type Engine, type EventStream } from '@bpfscope/core';
import type { ProcessEvent } from './events.js';
import type { SnapshotEntry } from './feed.js';

/** Events the stream holds while the first state is applied and while the tree applies them; past that the oldest are dropped and counted (`queueDropped`). */
const HELD_EVENTS = 1 << 16;

/** Where the feed delivers: one first state, then events in order. @internal */
export interface FeedSink {
  snapshot(entries: SnapshotEntry[]): void;
  event(e: ProcessEvent): void;
  error(e: BpfscopeError): void;
}

/** Counters of a feed. @internal */
export interface FeedStats {
  /** Events lost in the kernel (full ring buffer), or undefined when unknown (procfs: nothing is sent). */
  kernelDropped: number | undefined;
  /** Live events received. */
  received: number;
  /** Processes of the first state that the task iterator missed, read from procfs (eBPF). */
  filledFromProcfs: number;
  /** Events dropped because the stream's queue was full (the tree fell behind). */
  queueDropped: number;
}

/**
 * A process tree's only input: `engine.events('proc', { tree, initial: true })`. The
 * engine's selection of the proc family's source decides where the events come from; the
 * stream's present events are the tree's first state and the live events follow in order.
 * @internal
 */
export class EngineProcessFeed {
  readonly #ended = new AbortController();
  #stream: EventStream<ProcessEvent> | null = null;
  #kind: 'ebpf' | 'procfs' = 'procfs';
  #received = 0;
  #filled = 0;

  constructor(
    private readonly engine: Engine,
    private readonly scope: { rootParent: number | null; pollIntervalMs: number | undefined },
  ) {}

  /** Where the events come from: the proc family's selected source. */
  get kind(): 'ebpf' | 'procfs' {
    return this.#kind;
  }

  /** Subscribe, apply the first state, then the live events as they come. */
  async start(sink: FeedSink): Promise<void> {
    const { rootParent, pollIntervalMs } = this.scope;
    const stream = this.engine.events('proc', {
      signal: this.#ended.signal,
      queue: HELD_EVENTS,
      initial: true,
      ...(rootParent !== null ? { tree: rootParent } : {}),
      ...(pollIntervalMs !== undefined ? { pollIntervalMs } : {}),
    });
    this.#stream = stream;
    await stream.ready;
    this.#kind = this.engine.stats().collectors.find((c) => c.family === 'proc')?.sourceKind === 'ebpf' ? 'ebpf' : 'procfs';
    // Once ready, every present event is queued ahead of any live event: take what is queued now.
    const entries: SnapshotEntry[] = [];
    const live: ProcessEvent[] = [];
    for (let n = stream.counts().queued; n > 0; n--) {
      const r = await stream.next();
      if (r.done === true) break;
      const e = r.value;
      if (e.type !== 'present') live.push(e);
      else {
        if (e.source === 'procfs' && this.#kind === 'ebpf') this.#filled++;
        entries.push({ pid: e.pid, ppid: e.ppid, comm: e.comm, startTime: e.startTime, zombie: e.zombie });
      }
    }
    sink.snapshot(entries);
    for (const e of live) this.#deliver(sink, e);
    void (async () => {
      try {
        for await (const e of stream) this.#deliver(sink, e);
      } catch (e) {
        sink.error(isBpfscopeError(e) ? e : new EventProcessingFailed(`proc events: ${String(e)}`, { cause: e }));
      }
    })();
  }

  #deliver(sink: FeedSink, e: ProcessEvent): void {
    this.#received++;
    sink.event(e);
  }

  stats(): FeedStats {
    const c = this.#stream?.counts();
    return { kernelDropped: c?.droppedKernel ?? undefined, received: this.#received, filledFromProcfs: this.#filled, queueDropped: c?.droppedQueue ?? 0 };
  }

  /** End the stream (the engine releases the subscription). */
  async close(): Promise<void> {
    this.#ended.abort();
  }
}
