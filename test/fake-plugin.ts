// A real in-process plugin whose values the test controls: it goes through the same
// engine paths (DI registration, source selection, timeouts, recovery, filters, stats) as
// a kernel-backed plugin, but what it reads is whatever the test last set, so a test can
// compare exactly. It is not a mock of the kernel: no test uses it to stand in for an eBPF
// or procfs reading.
import { COLLECTOR, createEventStream, type BpfscopeError, type Plugin, type ReadContext, type Source, type SourceContext, type SourceStats } from '@bpfscope/core';

/** What one read of the fake family returns. */
export interface FakeReading<T> {
  /** The value the test set last (see {@link FakePlugin.set}). */
  value: T;
  /** 1 for the first read, 2 for the second, ... */
  read: number;
}

/**
 * How a hung init or read behaves: `honour` works until its signal aborts, then rejects
 * with the signal's reason; `ignore` works until the source is closed, then resolves (a
 * late result, as a native load that finishes after its caller gave up).
 */
export type HangMode = 'honour' | 'ignore';

/** Units of work a hung init or read did: one per turn of the event loop while it hangs. */
export interface WorkCount {
  /** All of it. */
  total: number;
  /** Done while the signal was already aborted. */
  afterAbort: number;
  /** Done after the source was closed. */
  afterClose: number;
}

/** The plugin plus the handles a test uses to drive and observe it. */
export interface FakePlugin<T> {
  plugin: Plugin;
  /** The source, as the engine sees it. */
  readonly source: Source<FakeReading<T>>;
  /** Sets the value the next reads return. */
  set(value: T): void;
  /** Reads answered so far. */
  reads(): number;
  /** Inits started so far. */
  inits(): number;
  /** Closes so far. */
  closes(): number;
  /** Signals the engine passed to each read, in order. */
  readonly signals: Array<AbortSignal | undefined>;
  /** Signals the engine passed to each init, in order. */
  readonly initSignals: AbortSignal[];
  /** True once the engine closed the source (and did not initialise it again since). */
  closed(): boolean;
  /** Makes the next reads wait until their signal aborts (then they reject with its reason); false restores. */
  hold(on: boolean): void;
  /** Makes the next inits hang, doing work each turn, in the given mode; null restores. */
  hangInit(mode: HangMode | null): void;
  /** Makes the next reads hang, doing work each turn, in the given mode; null restores. */
  hangRead(mode: HangMode | null): void;
  /** Work done by hung inits and reads. */
  readonly work: WorkCount;
  /** Times a hung init or read saw its signal's `aborted` flag set. */
  abortsSeen(): number;
  /** The next `n` inits throw `error`. */
  failInit(n: number, error: BpfscopeError): void;
  /** Makes `detached()` report `reason` (null: attached). */
  detach(reason: string | null): void;
}

/**
 * @param family - the family name the plugin provides
 * @param initial - the value reads return until {@link FakePlugin.set} is called
 */
export function fakePlugin<T>(family: string, initial: T): FakePlugin<T> {
  let value = initial;
  let reads = 0;
  let inits = 0;
  let closes = 0;
  let closed = false;
  let held = false;
  let initHang: HangMode | null = null;
  let readHang: HangMode | null = null;
  let abortsSeen = 0;
  let failures: { n: number; error: BpfscopeError | null } = { n: 0, error: null };
  let detached: string | null = null;
  const work: WorkCount = { total: 0, afterAbort: 0, afterClose: 0 };
  const signals: Array<AbortSignal | undefined> = [];
  const initSignals: AbortSignal[] = [];

  /** Works one unit per turn until the mode's stop condition; `honour` rejects with the abort reason. */
  const hang = (mode: HangMode, signal: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const tick = (): void => {
        if (signal.aborted) abortsSeen++;
        if (mode === 'honour' && signal.aborted) return reject(signal.reason);
        if (mode === 'ignore' && closed) return resolve();
        work.total++;
        if (signal.aborted) work.afterAbort++;
        if (closed) work.afterClose++;
        setImmediate(tick);
      };
      tick();
    });

  const source: Source<FakeReading<T>> = {
    kind: 'procfs',
    name: `fake-${family}`,
    async init(ctx: SourceContext) {
      inits++;
      closed = false;
      initSignals.push(ctx.signal);
      if (failures.n > 0) {
        failures.n--;
        throw failures.error;
      }
      if (initHang) await hang(initHang, ctx.signal);
    },
    async read(ctx: ReadContext) {
      signals.push(ctx.signal);
      reads++;
      if (readHang) await hang(readHang, ctx.signal);
      if (held) {
        await new Promise<void>((_, reject) => {
          if (ctx.signal.aborted) reject(ctx.signal.reason);
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
        });
      }
      return { value, read: reads };
    },
    async close() {
      closes++;
      closed = true;
    },
    detached: () => detached,
    stats(): SourceStats {
      return { programs: [], runStatsEnabled: false, kernelCounters: [], counters: { reads, inits } };
    },
  };
  return {
    plugin: { name: `fake-${family}`, version: '0.0.0', register: (c) => c.register(COLLECTOR, { useValue: { family, sources: [source] } }) },
    source,
    set: (v) => { value = v; },
    reads: () => reads,
    inits: () => inits,
    closes: () => closes,
    signals,
    initSignals,
    closed: () => closed,
    hold: (on) => { held = on; },
    hangInit: (mode) => { initHang = mode; },
    hangRead: (mode) => { readHang = mode; },
    work,
    abortsSeen: () => abortsSeen,
    failInit: (n, error) => { failures = { n, error }; },
    detach: (reason) => { detached = reason; },
  };
}

/**
 * A fake family whose source gives events that the test feeds: `feed.push(e)` sends one
 * while a stream is subscribed (null otherwise); the ring reports no kernel drops.
 * @param family - the family name
 */
export function eventfulFakePlugin<E>(family: string): { fake: FakePlugin<number>; feed: { push: ((e: E) => void) | null } } {
  const fake = fakePlugin(family, 0);
  const feed = { push: null as ((e: E) => void) | null };
  fake.source.events = (options) =>
    createEventStream<E>({
      family,
      queue: options.queue,
      signal: options.signal,
      start: async (push) => {
        feed.push = push;
        return { stop: () => void (feed.push = null), kernelDropped: () => 0 };
      },
    });
  return { fake, feed };
}
