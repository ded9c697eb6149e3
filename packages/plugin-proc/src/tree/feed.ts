import type { BpfscopeError } from '@bpfscope/core';
import type { ProcessEvent } from './events.js';

/** A process as the first reading of a feed lists it. @internal */
export interface SnapshotEntry {
  pid: number;
  ppid: number;
  comm: string;
  /** Start, ms since the epoch, or null when the boot time is unknown. */
  startTime: number | null;
  /** True when it has already exited and waits to be reaped. */
  zombie: boolean;
}

/** Where a feed delivers: one snapshot first, then events in order. @internal */
export interface FeedSink {
  snapshot(entries: SnapshotEntry[]): void;
  event(e: ProcessEvent): void;
  error(e: BpfscopeError): void;
}

/** Counters of a feed. @internal */
export interface FeedStats {
  /** Events lost in the kernel (full ring buffer), or undefined when unknown (procfs: nothing is sent). */
  kernelDropped: number | undefined;
  /** Events received. */
  received: number;
  /** Processes of the first state read from procfs because the task iterator missed them (eBPF). */
  filledFromProcfs: number;
  /** Events dropped because the feed's queue was full (eBPF: the tree fell behind the ring); 0 for procfs. */
  queueDropped: number;
}

/** A source of process lifecycle events: eBPF hooks or procfs re-scans. @internal */
export interface ProcessFeed {
  readonly kind: 'ebpf' | 'procfs';
  start(sink: FeedSink): Promise<void>;
  stats(): FeedStats;
  unref(): void;
  close(): Promise<void>;
}
