import { EventProcessingFailed, machineConstants, requireMachineValue } from '@bpfscope/core';
import { BpfObject, decodeCString, loadNative, readObjectFileSync, readStructLayouts, type RingBufferConsumer } from '@bpfscope/native';
import { procLayouts, u64, type ProcLayouts } from '../ebpf/layouts.js';
import { readBootTime } from '../procfs/scan-processes.js';
import { missedSnapshot } from '../ebpf/missed-processes.js';
import { decodeProcEvent, monotonicToEpochMs, type ProcessEvent } from './events.js';
import type { FeedSink, FeedStats, ProcessFeed, SnapshotEntry } from './feed.js';

/**
 * Process events from tp_btf/sched_process_fork, sched_process_exec and
 * sched_process_exit through the `proc_events` ring buffer, and the first state from one
 * run of the task iterator. Hooks attach before the iterator runs; events that arrive
 * before the snapshot is applied are held and replayed after it, so nothing falls
 * between the two.
 * @internal
 */
export class EbpfProcessFeed implements ProcessFeed {
  readonly kind = 'ebpf' as const;
  #obj: BpfObject | null = null;
  #consumer: RingBufferConsumer | null = null;
  #received = 0;
  #unknown = 0;
  #filled = 0;

  constructor(
    private readonly objectPath: string,
    private readonly procRoot: string,
  ) {}

  async start(sink: FeedSink): Promise<void> {
    loadNative();
    const pageSize = requireMachineValue(machineConstants(this.procRoot).pageSize, 'peak RSS of exit events in bytes');
    const bytes = readObjectFileSync(this.objectPath);
    const layouts = procLayouts(readStructLayouts(bytes, this.objectPath));
    const obj = BpfObject.open(bytes, { name: this.objectPath });
    this.#obj = obj;
    await obj.load();
    for (const p of ['proc_fork', 'proc_exec', 'proc_exit']) obj.attach(p);
    const toEpochMs = monotonicToEpochMs();
    let held: ProcessEvent[] | null = [];
    const consumer = obj.ringBuffer('proc_events', { statsMap: 'proc_stats' });
    this.#consumer = consumer;
    consumer.onError((e) => sink.error(e));
    consumer.onBatch((batch) => {
      for (const { data } of batch) {
        const e = decodeProcEvent(data, layouts, toEpochMs, pageSize);
        if (e === null) {
          this.#unknown++;
          continue;
        }
        this.#received++;
        if (held !== null) held.push(e);
        else sink.event(e);
      }
    });
    const boot = readBootTime(this.procRoot);
    const table = await obj.readIterator('proc_iter');
    const entries = snapshotOf(table, layouts, boot.bootTime);
    // Processes the iterator does not reach (PID 1 on some VMs) come from procfs.
    const missed = missedSnapshot(this.procRoot, new Set(entries.map((e) => e.pid)), boot.bootTime);
    this.#filled = missed.length;
    sink.snapshot(missed.length === 0 ? entries : [...entries, ...missed]);
    const pending = held;
    held = null;
    for (const e of pending) sink.event(e);
    if (this.#unknown > 0) sink.error(new EventProcessingFailed(`${this.#unknown} proc_events records of an unknown type were skipped (an object newer than this package?)`));
  }

  stats(): FeedStats {
    return { kernelDropped: this.#consumer?.stats().kernelDropped, received: this.#received, filledFromProcfs: this.#filled };
  }

  unref(): void {
    this.#consumer?.unref();
  }

  async close(): Promise<void> {
    this.#consumer?.close();
    this.#obj?.close();
    this.#obj = null;
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
