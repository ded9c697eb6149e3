import { describe, expect, it } from 'vitest';
import { COLLECTOR, FILTER } from '../tokens.js';
import { ConfigError, InsufficientPermissions, NativeUnavailable, Timeout } from '../errors/taxonomy.js';
import type { Plugin, Source, SourceKind } from '../types.js';
import { createEngine } from './create-engine.js';

/** A source whose behaviour each test sets: it counts its calls. */
function source(kind: SourceKind, behaviour: { initError?: Error; read?: () => Promise<unknown>; initDelayMs?: number } = {}) {
  const calls = { init: 0, read: 0, close: 0 };
  const s: Source & { calls: typeof calls } = {
    kind,
    name: `test-${kind}`,
    calls,
    async init() {
      calls.init++;
      if (behaviour.initDelayMs) await new Promise((r) => setTimeout(r, behaviour.initDelayMs));
      if (behaviour.initError) throw behaviour.initError;
    },
    async read() {
      calls.read++;
      return behaviour.read ? behaviour.read() : { n: calls.read };
    },
    async close() {
      calls.close++;
    },
  };
  return s;
}

function plugin(name: string, family: string, sources: Source[]): Plugin {
  return { name, version: '0.0.0', register: (c) => c.register(COLLECTOR, { useValue: { family, sources } }) };
}

describe('engine', () => {
  it('selects the first source that initialises and records why the others were rejected', async () => {
    const ebpf = source('ebpf', { initError: new InsufficientPermissions('load BPF program', ['CAP_BPF']) });
    const proc = source('procfs');
    const engine = createEngine({ plugins: [plugin('p', 'fam', [ebpf, proc])], logger: silent });
    const snap = await engine.collect();
    const r = snap.get('fam');
    expect(r?.source).toBe('procfs');
    expect(r?.fallback?.code).toBe('INSUFFICIENT_PERMISSIONS');
    expect(r?.data).toEqual({ n: 1 });
    expect(engine.stats().collectors[0]?.rejected).toEqual([{ source: 'test-ebpf', code: 'INSUFFICIENT_PERMISSIONS' }]);
    await engine.close();
    expect(proc.calls.close).toBe(1);
  });

  it('never throws for one failing collector: the snapshot carries its error beside the others', async () => {
    const bad = source('procfs', { read: () => Promise.reject(new Error('disk on fire')) });
    const good = source('procfs');
    const engine = createEngine({ plugins: [plugin('a', 'bad', [bad]), plugin('b', 'good', [good])], logger: silent });
    const snap = await engine.collect();
    expect(snap.get('good')?.data).toEqual({ n: 1 });
    expect(snap.get('bad')).toBeUndefined();
    expect(snap.errors).toHaveLength(1);
    expect(snap.errors[0]?.family).toBe('bad');
    expect(snap.errors[0]?.error.code).toBe('EVENT_PROCESSING_FAILED');
    expect(snap.errors[0]?.error.message).toContain('disk on fire');
    await engine.close();
  });

  it('times a slow read out with Timeout and keeps the other families', async () => {
    const slow = source('procfs', { read: () => new Promise((r) => setTimeout(() => r('late'), 500)) });
    const engine = createEngine({ plugins: [plugin('s', 'slow', [slow]), plugin('f', 'fast', [source('procfs')])], config: { operationTimeoutMs: 50 }, logger: silent });
    const snap = await engine.collect();
    expect(snap.errors[0]?.error).toBeInstanceOf(Timeout);
    expect(snap.get('fast')?.data).toEqual({ n: 1 });
    await engine.close();
  });

  it('strict ebpf mode fails loudly at start and does not fall back', async () => {
    const ebpf = source('ebpf', { initError: new NativeUnavailable(['x'], 'no addon') });
    const proc = source('procfs');
    const engine = createEngine({ plugins: [plugin('p', 'fam', [ebpf, proc])], config: { mode: 'ebpf' }, logger: silent });
    await expect(engine.start()).rejects.toBeInstanceOf(NativeUnavailable);
    expect(proc.calls.init).toBe(0);
    const snap = await engine.collect();
    expect(snap.get('fam')).toBeUndefined();
    expect(snap.errors[0]?.error.code).toBe('NATIVE_UNAVAILABLE');
    await engine.close();
  });

  it('fallback mode never initialises the eBPF source', async () => {
    const ebpf = source('ebpf');
    const engine = createEngine({ plugins: [plugin('p', 'fam', [ebpf, source('sysfs')])], config: { families: { fam: { mode: 'fallback' } } }, logger: silent });
    const r = (await engine.collect()).get('fam');
    expect(r?.source).toBe('sysfs');
    expect(r?.fallback?.code).toBe('DATA_UNAVAILABLE');
    expect(r?.fallback?.message).toContain('mode "fallback"');
    expect(ebpf.calls.init).toBe(0);
    await engine.close();
  });

  it('retries a transient init failure up to initAttempts, a permanent one once', async () => {
    const flaky = source('ebpf', { initError: new Timeout('init', 1) });
    const denied = source('ebpf', { initError: new InsufficientPermissions('x', ['CAP_BPF']) });
    const engine = createEngine({ plugins: [plugin('a', 'a', [flaky]), plugin('b', 'b', [denied])], config: { initAttempts: 3 }, logger: silent });
    await engine.start();
    expect(flaky.calls.init).toBe(3);
    expect(denied.calls.init).toBe(1);
    await engine.close();
  });

  it('refuses a second plugin of the same name', () => {
    const engine = createEngine({ logger: silent });
    engine.use(plugin('p', 'a', [source('procfs')]));
    expect(() => engine.use(plugin('p', 'b', [source('procfs')]))).toThrow(ConfigError);
  });

  it('serves the cached snapshot within the TTL and counts hits', async () => {
    const s = source('procfs');
    const engine = createEngine({ plugins: [plugin('p', 'fam', [s])], config: { cache: { ttlMs: 60_000 } }, logger: silent });
    const a = await engine.collect();
    const b = await engine.collect();
    expect(b).toBe(a);
    expect(s.calls.read).toBe(1);
    // The cached data's estimated bytes are the family's (docs/caching.md).
    expect(engine.stats().cache).toEqual({ hits: 1, misses: 1, estimatedBytes: engine.stats().collectors[0]!.cache.estimatedBytes });
    expect(engine.stats().cache.estimatedBytes).toBeGreaterThan(0);
    await engine.close();
  });

  it('applies filters registered by a plugin', async () => {
    const p: Plugin = {
      name: 'p', version: '0',
      register: (c) => {
        c.register(COLLECTOR, { useValue: { family: 'fam', sources: [source('procfs', { read: async () => [1, 2, 3, 4] })] } });
        c.register(FILTER, { useValue: { name: 'even', family: 'fam', apply: (d: number[]) => d.filter((x) => x % 2 === 0) } });
      },
    };
    const engine = createEngine({ plugins: [p], logger: silent });
    expect((await engine.collect()).get('fam')?.data).toEqual([2, 4]);
    await engine.close();
  });

  it('a disposer removes the plugin and closes its source; calls after close are refused', async () => {
    const s = source('procfs');
    const engine = createEngine({ config: { cache: { enabled: false } }, logger: silent });
    const dispose = engine.use(plugin('p', 'fam', [s]));
    expect((await engine.collect()).families()).toEqual(['fam']);
    await dispose();
    expect(s.calls.close).toBe(1);
    expect((await engine.collect()).families()).toEqual([]);
    await engine.close();
    await expect(engine.collect()).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('close waits for an in-flight collect', async () => {
    let finished = false;
    const s = source('procfs', { read: () => new Promise((r) => setTimeout(() => { finished = true; r(1); }, 100)) });
    const engine = createEngine({ plugins: [plugin('p', 'fam', [s])], logger: silent });
    await engine.start();
    const pending = engine.collect();
    await engine.close();
    expect(finished).toBe(true);
    expect((await pending).get('fam')?.data).toBe(1);
  });

  it('snapshot JSON has the documented shape', async () => {
    const engine = createEngine({ plugins: [plugin('p', 'fam', [source('ebpf', { initError: new NativeUnavailable([], 'x') }), source('procfs')])], logger: silent });
    const json = (await engine.collect()).toJSON();
    expect(Object.keys(json)).toEqual(['timestamp', 'families', 'errors']);
    expect(json.families.fam).toEqual({ source: 'procfs', fallback: { code: 'NATIVE_UNAVAILABLE', message: expect.any(String), remedy: expect.any(String) }, data: { n: 1 } });
    expect(new Date(json.timestamp).toISOString()).toBe(json.timestamp);
    await engine.close();
  });
});

const silent = { error() {}, warn() {}, info() {}, debug() {} };
