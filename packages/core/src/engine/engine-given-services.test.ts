// Services an embedding application gives createEngine (EngineOptions.services): every
// plugin resolves them, and the engine's own times (snapshot timestamps, the cache's TTL)
// come from the same clock.
import { describe, expect, it } from 'vitest';
import { CLOCK, COLLECTOR, PROCFS_READER, familyOptionsToken } from '../tokens.js';
import { inject, injectable } from '../index.js';
import { createProcfsReader, type ProcfsReader } from '../services/procfs-reader.js';
import type { Clock } from '../services/clock.js';
import type { Collector, Plugin, Source, SourceContext } from '../types.js';
import { createEngine } from './create-engine.js';
import { ManualClock } from '../../../../test/fixture-services.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

function probePlugin(seen: { procfs?: ProcfsReader; clock?: Clock; reads: number }): Plugin {
  @injectable()
  class Probe implements Collector<number> {
    readonly family = 'probe';
    readonly sources: Source<number>[] = [{ kind: 'procfs', name: 'probe', async init() {}, async read() { return ++seen.reads; }, async close() {} }];
    constructor(@inject(PROCFS_READER) procfs: ProcfsReader, @inject(CLOCK) clock: Clock) {
      seen.procfs = procfs;
      seen.clock = clock;
    }
  }
  return { name: 'probe', version: '0.0.0', register: (c) => void c.register(COLLECTOR, { useClass: Probe }) };
}

describe('EngineOptions.services', () => {
  it('every plugin resolves the given reader and clock; snapshot and result times and the cache TTL follow that clock', async () => {
    const clock = new ManualClock(1_000_000_000n, 1_700_000_000_000);
    const procfs = createProcfsReader('/nonexistent-proc', '/nonexistent-sys');
    const seen: { procfs?: ProcfsReader; clock?: Clock; reads: number } = { reads: 0 };
    const engine = createEngine({ plugins: [probePlugin(seen)], logger: silent, services: { procfs, clock }, config: { cache: { enabled: true, ttlMs: 500 } } });
    try {
      const first = await engine.collect();
      expect(seen.procfs).toBe(procfs);
      expect(seen.clock).toBe(clock);
      expect(first.timestamp).toBe(clock.wall);
      expect(first.errors).toEqual([]);
      expect(first.get('probe')).toMatchObject({ data: 1, timestamp: clock.wall });
      clock.advance(499); // inside the TTL by the given clock, whatever the wall clock did
      expect(await engine.collect()).toBe(first);
      clock.advance(1); // at the TTL: a new reading
      const second = await engine.collect();
      expect(second).not.toBe(first);
      expect(second.get('probe')?.data).toBe(2);
      expect(second.timestamp).toBe(clock.wall);
      expect(engine.stats().collectors[0]).toMatchObject({ family: 'probe', reads: 2, cacheHits: 1 });
    } finally {
      await engine.close();
    }
  });

  it('without services, the engine gives the reader over the configured roots and the system clock', async () => {
    const seen: { procfs?: ProcfsReader; clock?: Clock; reads: number } = { reads: 0 };
    const engine = createEngine({ plugins: [probePlugin(seen)], logger: silent, config: { procRoot: '/proc', sysRoot: '/sys' } });
    try {
      const before = Date.now();
      const snap = await engine.collect();
      const after = Date.now();
      expect([seen.procfs?.procRoot, seen.procfs?.sysRoot]).toEqual(['/proc', '/sys']);
      expect(snap.timestamp).toBeGreaterThanOrEqual(before);
      expect(snap.timestamp).toBeLessThanOrEqual(after);
    } finally {
      await engine.close();
    }
  });

  it("a source's init gets the family's options as validated against the plugin's schema, defaults filled in", async () => {
    let got: SourceContext['options'] | null = null;
    let resolved: unknown = null;
    const plugin: Plugin = {
      name: 'opt',
      version: '0',
      optionSchemas: { opt: { depth: { type: 'integer', min: 1, default: 4 }, label: { type: 'string' } } },
      register: (c) => {
        const source: Source<number> = { kind: 'procfs', name: 'opt', async init(ctx) { got = ctx.options; resolved = c.resolve(familyOptionsToken('opt')); }, async read() { return 1; }, async close() {} };
        c.register(COLLECTOR, { useValue: { family: 'opt', sources: [source] } });
      },
    };
    const engine = createEngine({ plugins: [plugin], logger: silent, config: { families: { opt: { label: 'x', initTimeoutMs: 5000 } } } });
    try {
      await engine.start();
      expect(got).toEqual({ label: 'x', depth: 4 });
      expect(got).toBe(resolved);
    } finally {
      await engine.close();
    }
  });
});
