import { ConfigError, isBpfscopeError, type BpfscopeError } from '@bpfscope/core';
import { PROC_OBJECT_PATH } from '../ebpf/proc-ebpf-source.js';
import { EbpfProcessFeed } from './ebpf-feed.js';
import type { ProcessEvent, ProcessEventType } from './events.js';
import type { ProcessFeed } from './feed.js';
import { ProcessTree } from './process-tree.js';
import { ProcfsProcessFeed } from './procfs-feed.js';

/** Options of {@link openProcessTree}. */
export interface ProcessTreeOptions {
  /** `ebpf`: kernel hooks only (fails loudly); `fallback`: procfs scans only; `auto`: eBPF, else procfs. @default 'auto' */
  mode?: 'auto' | 'ebpf' | 'fallback';
  /** Follow only the processes this PID forks and all their descendants (not the PID itself). @default every process */
  rootParent?: number;
  /** Exited processes kept in the tree; past that the oldest are evicted (counted; their sums stay in the totals). @default 100000 */
  maxExited?: number;
  /** Unread events an {@link ProcessTree.events} iterator holds before it loses the oldest (counted). @default 10000 */
  maxQueuedEvents?: number;
  /** Time between procfs scans in the fallback, ms: processes shorter-lived than this are missed. @default 1000 */
  rescanIntervalMs?: number;
  /** procfs root. @default '/proc' */
  procRoot?: string;
  /** Path of the compiled eBPF object. @default the `bpf/proc.bpf.o` shipped in this package */
  objectPath?: string;
  /** Aborting it closes the tree. */
  signal?: AbortSignal;
}

function intOption(v: number | undefined, path: string, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < min || v > max) throw new ConfigError(path, v, `an integer from ${min} to ${max}`);
  return v;
}

/**
 * Open a process tree: hooks attached (or the first procfs scan done), the first state
 * read, and kept up to date from then on. Close it with {@link ProcessTree.close} (or the
 * signal); while open it keeps the Node process alive unless {@link ProcessTree.unref}ed.
 * @param options - all optional
 * @returns the tree, ready to query
 * @throws {@link @bpfscope/core!ConfigError} for a bad option
 * @throws the eBPF feed's error (LoadFailed, AttachFailed, NativeUnavailable, ...) in mode `ebpf`
 * @example
 * ```ts
 * const tree = await openProcessTree();
 * tree.on('exit', (e) => console.log(e.pid, e.comm, e.totals?.runtimeSeconds));
 * console.log(tree.descendants(1).length);
 * await tree.close();
 * ```
 */
export async function openProcessTree(options: ProcessTreeOptions = {}): Promise<ProcessTree> {
  const mode = options.mode ?? 'auto';
  if (!['auto', 'ebpf', 'fallback'].includes(mode)) throw new ConfigError('mode', mode, "'auto', 'ebpf' or 'fallback'");
  const settings = {
    rootParent: options.rootParent === undefined ? null : intOption(options.rootParent, 'rootParent', 0, 1, 4194304),
    maxExited: intOption(options.maxExited, 'maxExited', 100_000, 0, 100_000_000),
    maxQueuedEvents: intOption(options.maxQueuedEvents, 'maxQueuedEvents', 10_000, 1, 100_000_000),
  };
  const interval = intOption(options.rescanIntervalMs, 'rescanIntervalMs', 1000, 10, 3_600_000);
  const procRoot = options.procRoot ?? '/proc';
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw new ConfigError('signal', options.signal, 'an AbortSignal');
  options.signal?.throwIfAborted();
  let fallbackReason: BpfscopeError | null = null;
  if (mode !== 'fallback') {
    const feed = new EbpfProcessFeed(options.objectPath ?? PROC_OBJECT_PATH, procRoot);
    try {
      return await start(feed, settings, null, options.signal);
    } catch (e) {
      if (mode === 'ebpf' || !isBpfscopeError(e)) throw e;
      fallbackReason = e;
    }
  }
  return start(new ProcfsProcessFeed(procRoot, interval), settings, fallbackReason, options.signal);
}

async function start(feed: ProcessFeed, settings: ConstructorParameters<typeof ProcessTree>[1], why: BpfscopeError | null, signal?: AbortSignal): Promise<ProcessTree> {
  const tree = new ProcessTree(feed, settings, why);
  try {
    await feed.start(tree.sink);
  } catch (e) {
    await tree.close();
    throw e;
  }
  tree.started();
  if (signal !== undefined) {
    if (signal.aborted) await tree.close();
    else signal.addEventListener('abort', () => void tree.close(), { once: true });
  }
  return tree;
}

/** Options of {@link watchProcessTree}. */
export interface WatchProcessTreeOptions extends Omit<ProcessTreeOptions, 'rootParent'> {
  /** The process whose children (and all their descendants) are followed, e.g. `process.pid` before spawning a command. */
  rootParent: number;
}

/**
 * Follow everything a process spawns: every process `rootParent` forks from now on (and
 * those it already has), and all their descendants, to any depth, through reparenting.
 * Open it before spawning; after the work is done, {@link ProcessTree.summary} gives the
 * live processes, the exited ones with their exit totals (CPU, faults, I/O, peak RSS),
 * sums over the whole tree and the count spawned. With the procfs fallback, processes
 * shorter-lived than `rescanIntervalMs` are missed and exits have no totals.
 * @param options - `rootParent` and the {@link ProcessTreeOptions}
 * @returns a tree scoped to the descendants of `rootParent`
 * @throws {@link @bpfscope/core!ConfigError} for a bad option
 * @example
 * ```ts
 * const tree = await watchProcessTree({ rootParent: process.pid });
 * const child = spawn('make', ['-j8'], { stdio: 'inherit' });
 * await tree.waitForExit(child.pid!);
 * const { spawned, totals, live } = tree.summary();
 * console.log(`${spawned} processes, ${totals.runtimeSeconds.toFixed(2)} s CPU, ${live.length} still running`);
 * await tree.close();
 * ```
 */
export function watchProcessTree(options: WatchProcessTreeOptions): Promise<ProcessTree> {
  if (typeof options?.rootParent !== 'number') throw new ConfigError('rootParent', options?.rootParent, 'a PID (an integer from 1 to 4194304)');
  return openProcessTree(options);
}

/** Options of {@link processEvents}. */
export interface ProcessEventsOptions extends ProcessTreeOptions {
  /** The event types wanted. @default ['fork', 'exec', 'exit'] */
  types?: readonly ProcessEventType[];
}

/**
 * Process lifecycle events as an async iterable: fork, exec and exit (with exit status
 * and totals) of every process, or of the descendants of `rootParent`. The hooks attach
 * when iteration starts and detach when it ends (break, the signal, or an error).
 * @param options - event types, scope, source mode and an AbortSignal that ends the iteration
 * @returns the events, in the order the kernel sent them
 * @example
 * ```ts
 * const ac = new AbortController();
 * for await (const e of processEvents({ types: ['exit'], signal: ac.signal })) {
 *   if (e.type === 'exit') console.log(e.pid, e.comm, e.exitStatus, e.totals?.rchar);
 * }
 * ```
 */
export async function* processEvents(options: ProcessEventsOptions = {}): AsyncGenerator<ProcessEvent, void, undefined> {
  const tree = await openProcessTree(options);
  try {
    yield* tree.events({ types: options.types, signal: options.signal });
  } finally {
    await tree.close();
  }
}
