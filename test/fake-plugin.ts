// A real in-process plugin whose values the test controls: it goes through the same
// engine paths (DI registration, source selection, timeouts, filters) as a kernel-backed
// plugin, but what it reads is whatever the test last set, so a test can compare exactly.
// It is not a mock of the kernel: no test uses it to stand in for an eBPF or procfs reading.
import { COLLECTOR, type Plugin, type ReadContext, type Source } from '@bpfscope/core';

/** What one read of the fake family returns. */
export interface FakeReading<T> {
  /** The value the test set last (see {@link FakePlugin.set}). */
  value: T;
  /** 1 for the first read, 2 for the second, ... */
  read: number;
}

/** The plugin plus the handles a test uses to drive and observe it. */
export interface FakePlugin<T> {
  plugin: Plugin;
  /** Sets the value the next reads return. */
  set(value: T): void;
  /** Reads answered so far. */
  reads(): number;
  /** Signals the engine passed to each read, in order. */
  readonly signals: Array<AbortSignal | undefined>;
  /** True once the engine closed the source. */
  closed(): boolean;
  /** Makes the next reads wait until their signal aborts (then they reject with its reason); false restores. */
  hold(on: boolean): void;
}

/**
 * @param family - the family name the plugin provides
 * @param initial - the value reads return until {@link FakePlugin.set} is called
 */
export function fakePlugin<T>(family: string, initial: T): FakePlugin<T> {
  let value = initial;
  let reads = 0;
  let closed = false;
  let held = false;
  const signals: Array<AbortSignal | undefined> = [];
  const source: Source<FakeReading<T>> = {
    kind: 'procfs',
    name: `fake-${family}`,
    async init() {},
    async read(ctx: ReadContext) {
      signals.push(ctx.signal);
      reads++;
      if (held) {
        await new Promise<void>((_, reject) => {
          if (ctx.signal.aborted) reject(ctx.signal.reason);
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
        });
      }
      return { value, read: reads };
    },
    async close() {
      closed = true;
    },
  };
  return {
    plugin: { name: `fake-${family}`, version: '0.0.0', register: (c) => c.register(COLLECTOR, { useValue: { family, sources: [source] } }) },
    set: (v) => { value = v; },
    reads: () => reads,
    signals,
    closed: () => closed,
    hold: (on) => { held = on; },
  };
}
