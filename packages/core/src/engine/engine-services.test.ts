// The services the engine's container provides, a plugin's validated options,
// the loader lifted to the engine, parallel plugin starts, filters and aggregators resolved once.
import { describe, expect, it } from 'vitest';
import { AGGREGATOR, CLOCK, COLLECTOR, FILTER, LOGGER, OBJECT_LOADER, PROCFS_READER, familyOptionsToken } from '../tokens.js';
import { ConfigError } from '../errors/taxonomy.js';
import { inject, injectable } from '../index.js';
import type { Clock } from '../services/clock.js';
import type { FamilyOptions } from '../services/family-options.js';
import type { LoadedObject, ObjectLoader, ObjectLoadRequest, ProgramCacheStats } from '../services/object-loader.js';
import type { ProcfsReader } from '../services/procfs-reader.js';
import type { Logger } from '../logger.js';
import type { Aggregator, Collector, Filter, Plugin, Source } from '../types.js';
import { createEngine } from './create-engine.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

/** Counts loads per path: a second load of a path is a hit. Stands in for the native loader. */
class CountingLoader implements ObjectLoader {
  readonly requests: ObjectLoadRequest[] = [];
  #stats: ProgramCacheStats = { hits: 0, misses: 0, loaded: 0 };
  async load(request: ObjectLoadRequest): Promise<LoadedObject> {
    const seen = this.requests.some((r) => r.path === request.path);
    this.requests.push(request);
    if (seen) this.#stats.hits++;
    else this.#stats.misses++;
    this.#stats.loaded++;
    return { close: () => void this.#stats.loaded-- };
  }
  stats(): ProgramCacheStats {
    return { ...this.#stats };
  }
}

const reader = (root: string): Source<string> => ({ kind: 'procfs', name: 'r', async init() {}, async read() { return root; }, async close() {} });

describe('engine services', () => {
  it('a third-party plugin resolves the loader, the procfs reader, the clock, the logger and its validated options through the tokens', async () => {
    const seen: { loader?: ObjectLoader; procfs?: ProcfsReader; clock?: Clock; logger?: Logger; options?: FamilyOptions } = {};
    @injectable()
    class ThirdCollector implements Collector<string> {
      readonly family = 'third';
      readonly sources: readonly Source<string>[];
      constructor(
        @inject(OBJECT_LOADER) loader: ObjectLoader,
        @inject(PROCFS_READER) procfs: ProcfsReader,
        @inject(CLOCK) clock: Clock,
        @inject(LOGGER) logger: Logger,
        @inject(familyOptionsToken('third')) options: FamilyOptions,
      ) {
        Object.assign(seen, { loader, procfs, clock, logger, options });
        this.sources = [reader(procfs.readProc('version'))];
      }
    }
    const loader = new CountingLoader();
    const provider: Plugin = { name: 'provider', version: '0', register: (c) => c.register(OBJECT_LOADER, { useValue: loader }) };
    const third: Plugin = {
      name: 'third',
      version: '0',
      optionSchemas: { third: { topK: { type: 'integer', min: 1, max: 1000, default: 20 }, comms: { type: 'string[]' }, verbose: { type: 'boolean', default: false } } },
      register: (c) => c.register(COLLECTOR, { useClass: ThirdCollector }),
    };
    const engine = createEngine({ plugins: [third, provider], config: { families: { third: { topK: 5, comms: ['a', 'b'], mode: 'fallback' } } }, logger: silent });
    const snap = await engine.collect();
    expect(seen.loader).toBe(loader); // lifted from the provider's container, though registered after `third`
    expect(seen.logger).toBe(silent);
    expect(seen.procfs?.procRoot).toBe('/proc');
    expect(seen.options).toEqual({ topK: 5, comms: ['a', 'b'], verbose: false });
    expect(snap.get('third')?.data).toMatch(/^Linux version /);
    const t0 = seen.clock!.monotonicNs();
    expect(seen.clock!.monotonicNs()).toBeGreaterThanOrEqual(t0);
    await (await seen.loader!.load({ path: '/x.bpf.o' })).close();
    await seen.loader!.load({ path: '/x.bpf.o' });
    expect(engine.stats().programCache).toEqual({ hits: 1, misses: 1, loaded: 1 });
    await engine.close();
  });

  it('an invalid or unknown option is a ConfigError naming its path', () => {
    const p: Plugin = { name: 'proc', version: '0', optionSchemas: { proc: { topK: { type: 'integer', min: 1 }, sort: { type: 'string', values: ['cpu', 'rss'] } } }, register() {} };
    const bad = (opts: Record<string, unknown>): ConfigError => {
      try {
        createEngine({ plugins: [p], config: { families: { proc: opts } }, logger: silent });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('no error');
    };
    for (const [opts, path] of [[{ topK: 0 }, 'families.proc.topK'], [{ topK: 2.5 }, 'families.proc.topK'], [{ sort: 'mem' }, 'families.proc.sort'], [{ topk: 3 }, 'families.proc.topk']] as const) {
      const e = bad(opts);
      expect(e).toBeInstanceOf(ConfigError);
      expect(e.path).toBe(path);
      expect(e.remedy).toContain(path);
    }
    expect(bad({ sort: 'mem' }).message).toContain('one of cpu, rss');
  });

  it('plugins start in parallel: two families whose inits each wait for the other both initialise', async () => {
    const started = new Set<string>();
    const waiters: Array<() => void> = [];
    const barrier = (name: string): Source => ({
      kind: 'procfs',
      name,
      async init() {
        started.add(name);
        for (const w of waiters.splice(0)) w();
        // A serial start would never start the other plugin: this init would wait for ever.
        while (started.size < 2) await new Promise<void>((r) => waiters.push(r));
      },
      async read() { return name; },
      async close() {},
    });
    const mk = (n: string): Plugin => ({ name: n, version: '0', register: (c) => c.register(COLLECTOR, { useValue: { family: n, sources: [barrier(n)] } }) });
    const engine = createEngine({ plugins: [mk('a'), mk('b')], logger: silent });
    await engine.start();
    const snap = await engine.collect();
    expect([snap.get('a')?.data, snap.get('b')?.data]).toEqual(['a', 'b']);
    await engine.close();
  });

  it('filters are resolved once per engine: a stateful filter keeps its state across collections', async () => {
    let made = 0;
    class Countdown implements Filter<number> {
      readonly name = 'countdown';
      readonly family = 'n';
      #calls = 0;
      constructor() { made++; }
      apply(data: number): number { return data * 100 + ++this.#calls; }
    }
    const p: Plugin = {
      name: 'n',
      version: '0',
      register(c) {
        c.register(COLLECTOR, { useValue: { family: 'n', sources: [{ kind: 'procfs', name: 's', async init() {}, async read() { return 1; }, async close() {} }] } });
        c.register(FILTER, { useClass: Countdown });
      },
    };
    const engine = createEngine({ plugins: [p], config: { cache: { enabled: false } }, logger: silent });
    const values = [];
    for (let i = 0; i < 3; i++) values.push((await engine.collect()).get('n')?.data);
    expect(values).toEqual([101, 102, 103]);
    expect(made).toBe(1);
    await engine.close();
  });
  it('the engine\'s own family keys pass beside a plugin\'s option schema; a plugin\'s own reader and clock win over the engine\'s', async () => {
    const mine: ProcfsReader = { procRoot: '/p', sysRoot: '/s', readProc: (rel) => `proc:${rel}`, readSys: (rel) => `sys:${rel}`, listProc: () => [], listSys: () => [], statSys: () => ({ inode: 1, directory: true }), machineConstants: () => { throw new Error('unused'); } };
    const clock: Clock = { monotonicNs: () => 5n, wallMs: () => 7 };
    const p: Plugin = {
      name: 'x',
      version: '0',
      optionSchemas: { x: { depth: { type: 'integer', min: 1, default: 2 } } },
      register(c) {
        c.register(PROCFS_READER, { useValue: mine });
        c.register(CLOCK, { useValue: clock });
        c.register(COLLECTOR, {
          useFactory: (r) => {
            const procfs = r.resolve(PROCFS_READER);
            const clk = r.resolve(CLOCK);
            const depth = r.resolve(familyOptionsToken('x')).depth as number;
            return { family: 'x', sources: [{ kind: 'procfs', name: 'x', async init() {}, async read() { return `${procfs.readProc('stat')} ${clk.monotonicNs()} ${clk.wallMs()} ${depth}`; }, async close() {} }] };
          },
        });
      },
    };
    const engine = createEngine({ plugins: [p], config: { families: { x: { mode: 'fallback', enabled: true, initTimeoutMs: 500, readTimeoutMs: 500 } } }, logger: silent });
    expect((await engine.collect()).get('x')?.data).toBe('proc:stat 5 7 2');
    await engine.close();
  });

  it('aggregators are resolved once per engine: a counting aggregator keeps its count over 3 snapshots', async () => {
    const made: number[] = [];
    class Counting implements Aggregator<{ value: number; seen?: number }> {
      readonly name = 'counting';
      readonly family = 'n';
      #count = 0;
      constructor() { made.push(made.length + 1); }
      apply(data: { value: number }): { value: number; seen: number } { return { ...data, seen: ++this.#count }; }
    }
    let reads = 0;
    const p: Plugin = {
      name: 'n',
      version: '0',
      register(c) {
        c.register(COLLECTOR, { useValue: { family: 'n', sources: [{ kind: 'procfs', name: 's', async init() {}, async read() { return { value: ++reads * 10 }; }, async close() {} }] } });
        c.register(AGGREGATOR, { useClass: Counting });
      },
    };
    const engine = createEngine({ plugins: [p], config: { cache: { enabled: false } }, logger: silent });
    const out = [];
    for (let i = 0; i < 3; i++) out.push((await engine.collect()).get('n')?.data);
    expect(out).toEqual([{ value: 10, seen: 1 }, { value: 20, seen: 2 }, { value: 30, seen: 3 }]);
    expect(made).toEqual([1]);
    // A second engine with the same plugin resolves its own aggregator: state is per engine.
    const other = createEngine({ plugins: [p], config: { cache: { enabled: false } }, logger: silent });
    expect((await other.collect()).get('n')?.data).toEqual({ value: 40, seen: 1 });
    expect(made).toEqual([1, 2]);
    await engine.close();
    await other.close();
  });
});
