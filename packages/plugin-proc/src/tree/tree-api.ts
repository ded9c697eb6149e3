import { ConfigError, createEngine, type Engine } from '@bpfscope/core';
import { proc } from '../plugin.js';
import { EngineProcessFeed } from './engine-feed.js';
import type { LiveProcessEventType, ProcessEvent } from './events.js';
import { ProcessTree } from './process-tree.js';

/** Options of {@link openProcessTree}. */
export interface ProcessTreeOptions {
  /**
   * The engine whose proc events feed the tree (it must have the {@link proc} plugin). Its
   * source selection for the proc family (`mode`, `families.proc.mode`) decides whether the
   * tree follows the kernel's hooks or scans of /proc. The tree does not close it.
   * @default an engine of the tree's own with `proc()` alone, configured by `mode`,
   *   `procRoot` and `objectPath`, closed with the tree
   */
  engine?: Engine;
  /** Source selection of the tree's own engine (not with `engine`: configure that engine instead). @default 'auto' */
  mode?: 'auto' | 'ebpf' | 'fallback';
  /** Follow only the processes this PID forks and all their descendants (not the PID itself). @default every process */
  rootParent?: number;
  /** Exited processes kept in the tree; past that the oldest are evicted (counted; their sums stay in the totals). @default 100000 */
  maxExited?: number;
  /** Unread events an {@link ProcessTree.events} iterator holds before it loses the oldest (counted). @default 10000 */
  maxQueuedEvents?: number;
  /** Time between scans of /proc when the engine's proc source is procfs, ms: processes shorter-lived than this are missed (the proc events' `pollIntervalMs`). @default 1000 */
  rescanIntervalMs?: number;
  /** procfs root of the tree's own engine (not with `engine`). @default '/proc' */
  procRoot?: string;
  /** Path of the compiled eBPF object of the tree's own engine (not with `engine`). @default the `bpf/proc.bpf.o` shipped in this package */
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
 * Open a process tree: its proc event stream started with the processes alive now
 * (`engine.events('proc', { initial: true })`), that first state applied, and kept up to
 * date from then on. Close it with {@link ProcessTree.close} (or the signal).
 * @param options - all optional
 * @returns the tree, ready to query
 * @throws {@link @bpfscope/core!ConfigError} for a bad option
 * @throws the proc family's error when it has no source, e.g. with mode `ebpf` where the
 *   eBPF source cannot load (LoadFailed, AttachFailed, NativeUnavailable, ...)
 * @example
 * ```ts
 * const engine = createEngine({ plugins: [proc()] });
 * const tree = await openProcessTree({ engine });
 * tree.on('exit', (e) => console.log(e.pid, e.comm, e.totals?.runtimeSeconds));
 * console.log(tree.descendants(1).length);
 * await tree.close();
 * await engine.close();
 * ```
 */
export async function openProcessTree(options: ProcessTreeOptions = {}): Promise<ProcessTree> {
  const mode = options.mode ?? 'auto';
  if (!['auto', 'ebpf', 'fallback'].includes(mode)) throw new ConfigError('mode', mode, "'auto', 'ebpf' or 'fallback'");
  if (options.engine !== undefined) {
    for (const k of ['mode', 'procRoot', 'objectPath'] as const) {
      if (options[k] !== undefined) throw new ConfigError(k, options[k], `no value with \`engine\` (set it in that engine's configuration or plugin instead)`);
    }
  }
  const settings = {
    rootParent: options.rootParent === undefined ? null : intOption(options.rootParent, 'rootParent', 0, 1, 4194304),
    maxExited: intOption(options.maxExited, 'maxExited', 100_000, 0, 100_000_000),
    maxQueuedEvents: intOption(options.maxQueuedEvents, 'maxQueuedEvents', 10_000, 1, 100_000_000),
  };
  const pollIntervalMs = options.rescanIntervalMs === undefined ? undefined : intOption(options.rescanIntervalMs, 'rescanIntervalMs', 1000, 10, 3_600_000);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw new ConfigError('signal', options.signal, 'an AbortSignal');
  options.signal?.throwIfAborted();
  const own = options.engine === undefined;
  const engine =
    options.engine ??
    createEngine({
      plugins: [proc(options.objectPath === undefined ? {} : { objectPath: options.objectPath })],
      config: { mode, cache: { enabled: false }, logLevel: 'silent', ...(options.procRoot !== undefined ? { procRoot: options.procRoot } : {}) },
    });
  const feed = new EngineProcessFeed(engine, { rootParent: settings.rootParent, pollIntervalMs });
  const tree = new ProcessTree(feed, settings, own ? () => engine.close() : async () => undefined);
  try {
    await feed.start(tree.sink);
    tree.fellBackBecause(await fallbackOf(engine, feed.kind));
  } catch (e) {
    await tree.close();
    throw e;
  }
  tree.started();
  const signal = options.signal;
  if (signal !== undefined) {
    if (signal.aborted) await tree.close();
    else signal.addEventListener('abort', () => void tree.close(), { once: true });
  }
  return tree;
}

/** Why the proc family is not on its eBPF source: the family's `fallback` of one reading, only when it fell back. */
async function fallbackOf(engine: Engine, kind: 'ebpf' | 'procfs'): Promise<ProcessTree['fallbackReason']> {
  if (kind === 'ebpf') return null;
  const rejected = engine.stats().collectors.find((c) => c.family === 'proc')?.rejected ?? [];
  if (rejected.length === 0) return null;
  return (await engine.collect()).get('proc')?.fallback ?? null;
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
 * sums over the whole tree and the count spawned. With the procfs source, processes
 * shorter-lived than `rescanIntervalMs` are missed and exits have no totals.
 * @param options - `rootParent` and the {@link ProcessTreeOptions}
 * @returns a tree scoped to the descendants of `rootParent`
 * @throws {@link @bpfscope/core!ConfigError} for a bad option
 * @example
 * ```ts
 * const tree = await watchProcessTree({ engine, rootParent: process.pid });
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
  types?: readonly LiveProcessEventType[];
}

/**
 * Process lifecycle events of a tree as an async iterable: fork, exec and exit (with exit
 * status and totals) of every process, or of the descendants of `rootParent`. The tree
 * opens when iteration starts and closes when it ends (break, the signal, or an error).
 * Without a tree, `engine.events('proc', ...)` gives the same events directly.
 * @param options - event types, scope, engine and an AbortSignal that ends the iteration
 * @returns the events, in the order the source gave them
 * @example
 * ```ts
 * const ac = new AbortController();
 * for await (const e of processEvents({ engine, types: ['exit'], signal: ac.signal })) {
 *   if (e.type === 'exit') console.log(e.pid, e.comm, e.exitStatus, e.totals?.rchar);
 * }
 * ```
 */
export async function* processEvents(options: ProcessEventsOptions = {}): AsyncGenerator<ProcessEvent, void, undefined> {
  const { types, ...rest } = options;
  const tree = await openProcessTree(rest);
  try {
    yield* tree.events({ types, signal: options.signal });
  } finally {
    await tree.close();
  }
}
