import type { ExitEvent, ExitTotals } from './events.js';

/** One process in a {@link ProcessTree}. Nodes stay after the process exits, with its exit event. */
export interface ProcessNode {
  /** Process ID. */
  readonly pid: number;
  /** The parent that forked it (or its parent at the tree's first reading). Not changed by reparenting. */
  readonly ppid: number;
  /** Command name, updated at each exec. */
  readonly comm: string;
  /** Start, ms since the epoch (fork time, or the start time at the first reading); null when unknown. */
  readonly startTime: number | null;
  /** `snapshot`: alive at the tree's first reading; `fork`: seen forking; `event`: first seen in an exec or exit event (whole-system trees only). */
  readonly origin: 'snapshot' | 'fork' | 'event';
  /** execve() calls seen. */
  readonly execs: number;
  /** True once the process has exited. */
  readonly exited: boolean;
  /** The exit event; null while alive, and for a process that was already a zombie at the first reading. */
  readonly exit: ExitEvent | null;
  /** Its children, in the order they appeared (exited ones included). */
  readonly children: readonly ProcessNode[];
}

/** Sums over the processes of a tree that exited, counted as their exit events arrive (evicted nodes stay counted). */
export interface TreeTotals {
  /** Exited processes whose totals are summed. */
  processes: number;
  /** Exited processes without totals (procfs fallback, or already zombies at the first reading). */
  withoutTotals: number;
  /** Sum of exact CPU time, seconds. */
  runtimeSeconds: number;
  /** Sum of user CPU time, seconds. */
  userSeconds: number;
  /** Sum of system CPU time, seconds. */
  systemSeconds: number;
  /** Sum of minor page faults. */
  minorFaults: number;
  /** Sum of major page faults. */
  majorFaults: number;
  /** The largest peak resident set of any one process, bytes. */
  peakRssBytes: number;
  /**
   * I/O of the top-level processes (the children of `rootParent`, or processes whose
   * parent is not in the tree). The kernel adds a child's I/O to its parent when the
   * parent reaps it, so these include every descendant that was waited for, each
   * counted once; descendants orphaned before they exited are not in them.
   */
  io: Pick<ExitTotals, 'rchar' | 'wchar' | 'readBytes' | 'writeBytes'>;
}

/** What a {@link ProcessTree} may have missed. */
export interface TreeLosses {
  /** Events the kernel dropped because the ring buffer was full; undefined when unknown (procfs). */
  kernelDropped: number | undefined;
  /** Exited processes evicted past `maxExited` (their sums stay in the totals). */
  evicted: number;
  /** Events iterators lost by falling more than `maxQueuedEvents` behind. */
  eventsDroppedByReaders: number;
  /** Events the tree itself lost because its feed's queue was full (it fell behind the ring buffer); 0 with procfs. */
  feedDropped: number;
}

/** What {@link ProcessTree.summary} returns. */
export interface ProcessTreeSummary {
  /** Where the events come from. */
  source: 'ebpf' | 'procfs';
  /** The PID whose descendants the tree follows, or null for every process. */
  rootParent: number | null;
  /** Processes forked (in scope) since the tree opened. */
  spawned: number;
  /** Processes alive now. */
  live: ProcessNode[];
  /** Exited processes still held (see `maxExited`), oldest exit first. */
  exited: ProcessNode[];
  /** Sums over every exited process. */
  totals: TreeTotals;
  /** What may be missing from the tree. */
  lost: TreeLosses;
}

/** Counters of a {@link ProcessTree}. */
export interface ProcessTreeStats {
  /** Processes held (alive and exited). */
  nodes: number;
  /** Fork, exec and exit events applied. */
  forks: number;
  /** execve() calls applied. */
  execs: number;
  /** Exits applied. */
  exits: number;
  /** Events received from the feed (in scope or not). */
  received: number;
  /** Events the kernel dropped; undefined when unknown (procfs). */
  kernelDropped: number | undefined;
  /** eBPF: processes of the first state that the kernel's task iterator did not reach (PID 1 on some VMs), read from procfs. */
  filledFromProcfs: number;
  /** Exited nodes evicted past `maxExited`. */
  evicted: number;
  /** Events dropped because an iterator fell more than `maxQueuedEvents` behind. */
  eventsDroppedByReaders: number;
  /** A fork for a PID still alive in the tree (its exit event was lost): the old node was closed without an exit. */
  inconsistencies: number;
  /** Errors reported by the feed. */
  errors: number;
}
