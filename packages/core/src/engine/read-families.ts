import type { Clock } from '../services/clock.js';
import type { Aggregator, FamilyError, FamilyResult, Filter } from '../types.js';
import { asBpfscopeError } from './as-error.js';
import type { FamilyRead } from './family-cache.js';
import type { PluginSet } from './plugin-set.js';
import { Snapshot } from './snapshot.js';
import type { Governors } from './governor/governors.js';

/** A reading as returned, and what the engine's caches keep of it (the same object unless a cap left records out). @internal */
export interface Reading {
  readonly snapshot: Snapshot;
  readonly kept: Snapshot;
}

/**
 * One reading of every family in parallel, with the engine's filters and aggregators
 * applied to what was decoded (a result of the change-counter cache had them applied when
 * it was decoded); a family that fails or has no source is an entry of `errors`, never a throw.
 * @internal
 */
export async function readFamilies(plugins: PluginSet, filters: readonly Filter[], aggregators: readonly Aggregator[], signal: AbortSignal | undefined, clock: Clock, governors: Governors | null = null): Promise<Reading> {
  // Taken together before any await: a plugin started meanwhile makes new lists, not these.
  const runtimes = plugins.runtimes();
  const byName = plugins.runtimesByName();
  // By the runtime's place, put in name order at the end (an order kept from reading to reading, no sort).
  const results: Array<FamilyResult | undefined> = new Array(runtimes.length);
  const keptResults: Array<FamilyResult | undefined> = new Array(runtimes.length);
  const errors: FamilyError[] = [];
  await Promise.all(
    runtimes.map(async (rt, i) => {
      if (!rt.selected) {
        const error = rt.failure ?? plugins.startError(rt.family);
        if (error) errors.push({ family: rt.family, error });
        return;
      }
      let read: FamilyRead | null = null;
      try {
        read = await rt.read(signal);
        let result = read.result;
        if (!read.cached) {
          let data = result.data;
          for (const f of filters) if (f.family === rt.family) data = f.apply(data);
          for (const a of aggregators) if (a.family === rt.family) data = a.apply(data);
          if (data !== result.data) result = { ...result, data };
          if (governors) result = await governors.afterRead(result, read.source, (source) => rt.reattach(source));
        }
        results[i] = result;
        keptResults[i] = rt.keep(read, result);
        read = null;
      } catch (e) {
        // A filter or aggregator threw after the read: its decode ends unkept.
        if (read && !read.cached) rt.cache.abandon(read.token);
        errors.push({ family: rt.family, error: asBpfscopeError(e, rt.family) });
      }
    }),
  );
  const families = new Map<string, FamilyResult>();
  const keptFamilies = new Map<string, FamilyResult>();
  let capped = false;
  for (const i of byName) {
    const result = results[i];
    if (result === undefined) continue;
    const family = runtimes[i]!.family;
    families.set(family, result);
    keptFamilies.set(family, keptResults[i]!);
    if (keptResults[i] !== result) capped = true;
  }
  const at = clock.wallMs();
  if (errors.length > 1) errors.sort((a, b) => compareFamilies(a.family, b.family));
  const snapshot = new Snapshot(at, families, errors);
  return { snapshot, kept: capped ? new Snapshot(at, keptFamilies, errors) : snapshot };
}

const PLAIN = /^[a-z0-9-]*$/;

/**
 * Family names in `localeCompare` order. Names of lowercase letters, digits and `-` (every
 * shipped family's) are compared by code unit, which orders them as the collation does
 * (`-`, then digits, then letters; a prefix first) without loading ICU's collation data
 * (~4 MB of RSS) and a collator call per comparison at every reading; other names go
 * through `localeCompare`. @internal
 */
export function compareFamilies(a: string, b: string): number {
  if (PLAIN.test(a) && PLAIN.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return a.localeCompare(b);
}

/** What {@link snapshotStream} needs of the engine. @internal */
export interface StreamHost {
  /** One tracked reading (close() waits for it). */
  read(signal: AbortSignal | undefined): Promise<Snapshot>;
  /** Whether the engine closed. */
  closed(): boolean;
  /** Registers a wake-up called when the engine closes; returns its removal. */
  onClose(wake: () => void): () => void;
}

/**
 * Readings `interval` ms apart (or back to back when a reading and its consumer took
 * longer) until `signal` aborts or the engine closes. @internal
 */
export async function* snapshotStream(host: StreamHost, interval: number, signal: AbortSignal | undefined): AsyncGenerator<Snapshot, void, undefined> {
  // One wake-up for the stream's whole life, shared by the caller's signal and close():
  // a listener per wait would pile up on a long-lived signal.
  let wake: (() => void) | null = null;
  const onEnd = (): void => wake?.();
  signal?.addEventListener('abort', onEnd);
  const removeWaker = host.onClose(onEnd);
  try {
    while (!host.closed() && !signal?.aborted) {
      const started = performance.now();
      const snap = await host.read(signal);
      // The caller stopped the stream while this reading ran: its reads were aborted, so it is not a reading.
      if (signal?.aborted) return;
      yield snap;
      const wait = interval - (performance.now() - started);
      if (wait <= 0 || host.closed() || signal?.aborted) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { wake = null; resolve(); }, wait);
        wake = () => { clearTimeout(timer); wake = null; resolve(); };
      });
    }
  } finally {
    signal?.removeEventListener('abort', onEnd);
    removeWaker();
  }
}
