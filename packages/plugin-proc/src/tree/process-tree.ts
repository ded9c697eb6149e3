import { Closed, type BpfscopeError } from '@bpfscope/core';
import type { ExitEvent, ExitTotals, ProcessEvent, ProcessEventType } from './events.js';
import { ExitWaiters } from './exit-waiters.js';
import { TreeFanout } from './tree-fanout.js';
import { addExitTotals, descendantsIn, TreeNode } from './tree-node.js';
import type { EngineProcessFeed, FeedSink } from './engine-feed.js';
import type { SnapshotEntry } from './feed.js';
import type { ProcessNode, ProcessTreeStats, ProcessTreeSummary, TreeTotals } from './tree-types.js';

/** A listener of {@link ProcessTree.on} for events of type `T`. */
export type ProcessEventListener<T extends ProcessEventType> = (event: Extract<ProcessEvent, { type: T }>) => void;

/** Settings of a tree. @internal */
export interface TreeSettings {
  rootParent: number | null;
  maxExited: number;
  maxQueuedEvents: number;
}

/**
 * The processes of the machine (or the descendants of one process) as a tree, kept up to
 * date from fork, exec and exit events. Open one with {@link openProcessTree} or
 * {@link watchProcessTree}. Its only input is `engine.events('proc', { initial: true })`:
 * the present events are its first state, the live events keep it current, and the
 * engine's source selection for the proc family decides where they come from. With the
 * eBPF source every process is seen (the kernel's hooks), with its exit status and
 * totals; with the procfs source the events come from periodic scans of /proc and miss
 * processes that live less than one scan interval, exec, and exit totals.
 */
export class ProcessTree {
  readonly #feed: EngineProcessFeed;
  readonly #onClose: () => Promise<void>;
  readonly #settings: TreeSettings;
  readonly #nodes = new Map<number, TreeNode>();
  readonly #top: TreeNode[] = [];
  readonly #exitedOrder: TreeNode[] = [];
  #exitedHead = 0;
  readonly #fanout: TreeFanout;
  readonly #waiters = new ExitWaiters();
  #replaying = true;
  #closed = false;
  #spawned = 0;
  #s = { forks: 0, execs: 0, exits: 0, evicted: 0, inconsistencies: 0, errors: 0 };
  #totals: TreeTotals = { processes: 0, withoutTotals: 0, runtimeSeconds: 0, userSeconds: 0, systemSeconds: 0, minorFaults: 0, majorFaults: 0, peakRssBytes: 0, io: { rchar: 0, wchar: 0, readBytes: 0, writeBytes: 0 } };

  #fallbackReason: BpfscopeError | null = null;

  /** @internal use {@link openProcessTree} or {@link watchProcessTree} */
  constructor(feed: EngineProcessFeed, settings: TreeSettings, onClose: () => Promise<void>) {
    this.#feed = feed;
    this.#settings = settings;
    this.#onClose = onClose;
    this.#fanout = new TreeFanout(settings.maxQueuedEvents);
  }

  /** Why the proc family's eBPF source was not used (the error it was rejected with, or the configured mode `fallback`), else null. */
  get fallbackReason(): BpfscopeError | null {
    return this.#fallbackReason;
  }

  /** @internal set by the opener from the engine's reading */
  fellBackBecause(reason: BpfscopeError | null): void {
    this.#fallbackReason = reason;
  }

  /** Where the events come from: the source the engine selected for the proc family. */
  get source(): 'ebpf' | 'procfs' {
    return this.#feed.kind;
  }

  /** The PID whose descendants the tree follows, or null for every process. */
  get rootParent(): number | null {
    return this.#settings.rootParent;
  }

  /** @internal what the feed delivers to */
  readonly sink: FeedSink = {
    snapshot: (entries) => this.#applySnapshot(entries),
    event: (e) => this.#apply(e),
    error: (e) => {
      this.#s.errors++;
      this.#fanout.error(e);
    },
  };

  /** @internal called by the opener once the snapshot and the held events are applied */
  started(): void {
    this.#replaying = false;
  }

  /**
   * The process with this PID: the live one, or the last one that had it.
   * @param pid - process ID
   */
  get(pid: number): ProcessNode | undefined {
    return this.#nodes.get(pid);
  }

  /**
   * The children of a process (for `rootParent`: the top-level processes of the tree).
   * @param pid - process ID
   */
  children(pid: number): ProcessNode[] {
    if (pid === this.#settings.rootParent && !this.#nodes.has(pid)) return [...this.#top];
    return [...(this.#nodes.get(pid)?.children ?? [])];
  }

  /**
   * Every descendant of a process, depth first, including those that already exited
   * (each with its exit event and totals) unless evicted past `maxExited`.
   * @param pid - process ID (the tree's `rootParent` gives the whole tree)
   */
  descendants(pid: number): ProcessNode[] {
    const start = pid === this.#settings.rootParent && !this.#nodes.has(pid) ? this.#top : (this.#nodes.get(pid)?.children ?? []);
    const out: ProcessNode[] = [];
    const stack = [...start].reverse();
    while (stack.length > 0) {
      const n = stack.pop()!;
      out.push(n);
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
    }
    return out;
  }

  /**
   * The totals of a process at its exit.
   * @param pid - process ID
   * @returns the totals; null when it is alive or they were not observed; undefined for a PID not in the tree
   */
  exitTotals(pid: number): ExitTotals | null | undefined {
    const n = this.#nodes.get(pid);
    return n === undefined ? undefined : (n.exit?.totals ?? null);
  }

  /** Processes alive now. */
  live(): ProcessNode[] {
    return [...this.#nodes.values()].filter((n) => !n.exited);
  }

  /**
   * Call `listener` for each event of one type (in scope), on the event loop.
   * @param type - `fork`, `exec` or `exit`; `error` for failures of the feed
   * @returns a function that removes the listener
   */
  on<T extends ProcessEventType>(type: T, listener: ProcessEventListener<T>): () => void;
  on(type: 'error', listener: (error: BpfscopeError) => void): () => void;
  on(type: string, listener: (e: never) => void): () => void {
    return this.#fanout.on(type, listener);
  }

  /**
   * The events (in scope) from now on, as an async iterator. It ends when the tree
   * closes, the signal aborts, or the loop breaks. A reader more than `maxQueuedEvents`
   * behind loses the oldest (counted in {@link ProcessTree.stats}).
   * @param options - the event types wanted (default all) and an AbortSignal
   */
  events(options: { types?: readonly ProcessEventType[]; signal?: AbortSignal } = {}): AsyncIterableIterator<ProcessEvent> {
    return this.#fanout.iterator(options.types, options.signal, this.#closed);
  }

  /**
   * Resolve when the process exits (at once when it already has). The PID need not be in
   * the tree yet: a child just spawned may not have been seen forking.
   * @param pid - process ID
   * @param options - an AbortSignal that rejects the wait
   * @throws {@link @bpfscope/core!Closed} (rejection) when the tree closes first
   */
  waitForExit(pid: number, options: { signal?: AbortSignal } = {}): Promise<ProcessNode> {
    const n = this.#nodes.get(pid);
    if (n?.exited) return Promise.resolve(n);
    if (this.#closed) return Promise.reject(new Closed(`process tree (waiting for ${pid})`));
    return this.#waiters.wait(pid, options.signal);
  }

  /** Live and exited processes, the count spawned and the sums over the exited ones. */
  summary(): ProcessTreeSummary {
    const exited = this.#exitedOrder.slice(this.#exitedHead);
    return {
      source: this.source,
      rootParent: this.#settings.rootParent,
      spawned: this.#spawned,
      live: this.live(),
      exited,
      totals: { ...this.#totals, io: { ...this.#totals.io } },
      lost: { kernelDropped: this.#feed.stats().kernelDropped, evicted: this.#s.evicted, eventsDroppedByReaders: this.#fanout.readerDrops(), feedDropped: this.#feed.stats().queueDropped },
    };
  }

  /** Counters of events applied and of anything lost. */
  stats(): ProcessTreeStats {
    const f = this.#feed.stats();
    const { forks, execs, exits, evicted, inconsistencies, errors } = this.#s;
    return { nodes: this.#nodes.size, forks, execs, exits, received: f.received, kernelDropped: f.kernelDropped, filledFromProcfs: f.filledFromProcfs, evicted, eventsDroppedByReaders: this.#fanout.readerDrops(), inconsistencies, errors };
  }

  /**
   * Let the process exit while the tree is open (like `socket.unref()`). Nothing of a tree
   * holds Node's event loop (the ring consumer and the procfs scan timer are unref'd), so
   * this does nothing; it stays for callers written against earlier versions.
   */
  unref(): void {}

  /**
   * End the tree's event stream (the engine detaches the hooks, or stops the scans, once no
   * stream needs them), end every iterator and reject pending waits; an engine the tree
   * opened for itself is closed, one it was given is not. Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#feed.close();
    await this.#onClose();
    this.#fanout.endAll();
    this.#waiters.closeAll();
  }

  #applySnapshot(entries: SnapshotEntry[]): void {
    for (const e of descendantsIn(entries, this.#settings.rootParent)) {
      const n = new TreeNode(e.pid, e.ppid, e.comm, e.startTime, 'snapshot');
      n.exited = e.zombie;
      this.#nodes.set(e.pid, n);
    }
    for (const n of this.#nodes.values()) this.#link(n);
    for (const n of this.#nodes.values()) if (n.exited) this.#noteExited(n);
  }

  #link(n: TreeNode): void {
    const parent = this.#nodes.get(n.ppid);
    if (parent !== undefined && parent !== n) {
      n.parent = parent;
      parent.children.push(n);
    } else this.#top.push(n);
  }

  #apply(e: ProcessEvent): void {
    if (this.#closed || e.type === 'present') return;
    const root = this.#settings.rootParent;
    let n = this.#nodes.get(e.pid);
    if (e.type === 'fork') {
      if (root !== null && e.ppid !== root && !this.#nodes.has(e.ppid)) return;
      if (n !== undefined && !n.exited) {
        // Forked after the hooks attached but before the iterator ran: already in the snapshot.
        if (this.#replaying && n.origin === 'snapshot') return this.#counted(e);
        this.#s.inconsistencies++;
        n.exited = true;
        this.#noteExited(n);
      }
      n = new TreeNode(e.pid, e.ppid, e.comm, e.time, 'fork');
      this.#nodes.set(e.pid, n);
      this.#link(n);
      return this.#counted(e);
    }
    if (n === undefined) {
      if (root !== null) return;
      n = new TreeNode(e.pid, e.ppid, e.comm, null, 'event');
      this.#nodes.set(e.pid, n);
      this.#link(n);
    }
    if (e.type === 'exec') {
      if (n.exited) return;
      n.comm = e.comm;
      n.execs++;
      this.#s.execs++;
      return this.#emit(e);
    }
    if (n.exit !== null) return; // a duplicate
    const wasExited = n.exited;
    // A zombie of the snapshot whose exit event was held: its totals are known after all.
    if (wasExited && n.origin === 'snapshot') this.#totals.withoutTotals--;
    n.comm = e.comm;
    n.exited = true;
    n.exit = e;
    this.#s.exits++;
    addExitTotals(this.#totals, e, n.parent === null);
    if (!wasExited) this.#noteExited(n);
    this.#emit(e);
  }

  #counted(e: ProcessEvent): void {
    this.#s.forks++;
    this.#spawned++;
    this.#emit(e);
  }

  #noteExited(n: TreeNode): void {
    this.#waiters.exited(n);
    if (n.exit === null && n.origin === 'snapshot') this.#totals.withoutTotals++;
    this.#exitedOrder.push(n);
    while (this.#exitedOrder.length - this.#exitedHead > this.#settings.maxExited) this.#evict(this.#exitedOrder[this.#exitedHead++]!);
    if (this.#exitedHead > 4096 && this.#exitedHead * 2 > this.#exitedOrder.length) {
      this.#exitedOrder.splice(0, this.#exitedHead);
      this.#exitedHead = 0;
    }
  }

  #evict(n: TreeNode): void {
    this.#s.evicted++;
    if (this.#nodes.get(n.pid) === n) this.#nodes.delete(n.pid);
    const siblings = n.parent === null ? this.#top : n.parent.children;
    const i = siblings.indexOf(n);
    // Its children move up to its parent: still descendants of every ancestor.
    for (const c of n.children) c.parent = n.parent;
    if (i >= 0) siblings.splice(i, 1, ...n.children);
  }

  #emit(e: ProcessEvent): void {
    this.#fanout.emit(e, this.sink.error);
  }
}
