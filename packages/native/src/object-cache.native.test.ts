// The object cache (shared loaded objects, reference counted, links per
// handle) and parallel loads with their own timeouts.
import { pbkdf2 } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { LoadFailed, Timeout } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { fixture } from '../test/helpers.js';
import { BpfObject, clearCache, objectCache } from './index.js';

afterEach(() => clearCache());

describeKernel('object cache', () => {
  it('a second load of the same object and options shares the loaded object; closing one handle leaves the other working', async () => {
    const start = objectCache.stats();
    const a = await objectCache.load(fixture('map_types.bpf.o'), { constants: { probe_small: 3 } });
    const b = await objectCache.load(fixture('map_types.bpf.o'), { constants: { probe_small: 3 } });
    expect(objectCache.stats()).toEqual({ hits: start.hits + 1, misses: start.misses + 1, entries: 1 });
    expect(a).not.toBe(b);
    expect(b.map('mt_hash').id).toBe(a.map('mt_hash').id); // the same kernel map

    // Links are per handle.
    const linkA = a.attach('mt_switch');
    const linkB = b.attach('mt_switch');
    b.close();
    expect(linkB.attached).toBe(false);
    expect(linkA.attached).toBe(true);
    a.map('mt_array').update(new Uint8Array(4), new Uint8Array(8).fill(1));
    expect(Array.from(a.map('mt_array').lookup(new Uint8Array(4)) ?? [])).toEqual(Array(8).fill(1));
    expect(() => b.map('mt_array')).toThrow(/closed/);
    expect(objectCache.stats().entries).toBe(1);

    a.close();
    expect(linkA.attached).toBe(false);
    expect(objectCache.stats().entries).toBe(0);
    const c = await objectCache.load(fixture('map_types.bpf.o'), { constants: { probe_small: 3 } });
    expect(objectCache.stats().misses).toBe(start.misses + 2); // freed: loaded anew
    c.close();
  });

  it('different bytes, constants or names are different entries; the same bytes from a Buffer hit', async () => {
    const start = objectCache.stats();
    const handles = [
      await objectCache.load(fixture('map_types.bpf.o')),
      await objectCache.load(fixture('map_types.bpf.o'), { constants: { probe_small: 1 } }),
      await objectCache.load(fixture('map_types.bpf.o'), { constants: { probe_small: 2 } }),
      await objectCache.load(fixture('map_types.bpf.o'), { name: 'other_name' }),
      await objectCache.load(fixture('iter_task.bpf.o')),
      await objectCache.load(readFileSync(fixture('map_types.bpf.o')), { name: 'map_types' }),
    ];
    expect(objectCache.stats()).toEqual({ hits: start.hits + 1, misses: start.misses + 5, entries: 5 });
    for (const h of handles) h.close();
    expect(objectCache.stats().entries).toBe(0);
  });

  it('concurrent loads of one object load it once; clearCache() forgets it while its handles keep working', async () => {
    const start = objectCache.stats();
    const handles = await Promise.all([1, 2, 3].map(() => objectCache.load(fixture('iter_task.bpf.o'))));
    expect(objectCache.stats()).toEqual({ hits: start.hits + 2, misses: start.misses + 1, entries: 1 });
    clearCache();
    expect(objectCache.stats().entries).toBe(0);
    const fresh = await objectCache.load(fixture('iter_task.bpf.o'));
    expect(objectCache.stats().misses).toBe(start.misses + 2);
    const [first] = handles;
    const tasks = await first?.readIterator('iter_task', { recordLayout: 'iter_task_rec' });
    expect(tasks?.some((t) => t.pid === process.pid)).toBe(true);
    for (const h of [...handles, fresh]) h.close();
  });

  it('a failed load is not cached and every waiter gets the error', async () => {
    const start = objectCache.stats();
    const results = await Promise.allSettled([objectCache.load(fixture('missing_btf_tp.bpf.o')), objectCache.load(fixture('missing_btf_tp.bpf.o'))]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(LoadFailed);
    }
    expect(objectCache.stats()).toEqual({ hits: start.hits + 1, misses: start.misses + 1, entries: 0 });
    await expect(objectCache.load('/nonexistent/x.bpf.o')).rejects.toBeInstanceOf(LoadFailed);
  });
});

describeKernel('parallel loads', () => {
  it('four objects load at once on pool threads while the event loop keeps turning', async () => {
    const objs = ['maps', 'map_types', 'iter_task', 'map_types'].map((n) => BpfObject.open(fixture(`${n}.bpf.o`)));
    let turns = 0;
    let loading = true;
    const spin = (): void => {
      turns++;
      if (loading) setImmediate(spin);
    };
    setImmediate(spin);
    try {
      await Promise.all(objs.map((o) => o.load({ timeoutMs: 30_000 })));
      loading = false;
      expect(turns).toBeGreaterThan(4);
      for (const o of objs) expect(o.programStats().length).toBeGreaterThan(0);
    } finally {
      loading = false;
      for (const o of objs) o.close();
    }
  });

  it('each load has its own timeout: a 1 ms limit gives Timeout, the others load', async () => {
    // Loads run on libuv's pool: keep its threads busy for a while first, so the 1 ms
    // limit expires before that load can even start, whatever the machine's speed.
    const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    const busy = Array.from({ length: threads }, () => promisify(pbkdf2)('x', 'y', 300_000, 32, 'sha256'));
    const slow = BpfObject.open(fixture('maps.bpf.o'));
    const others = [BpfObject.open(fixture('iter_task.bpf.o')), BpfObject.open(fixture('map_types.bpf.o'))];
    const results = await Promise.allSettled([slow.load({ timeoutMs: 1 }), ...others.map((o) => o.load({ timeoutMs: 30_000 }))]);
    await Promise.all(busy);
    expect(results[0]?.status).toBe('rejected');
    const reason = (results[0] as PromiseRejectedResult).reason as Timeout;
    expect(reason).toBeInstanceOf(Timeout);
    expect(reason.ms).toBe(1);
    expect(results.slice(1).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(() => slow.maps()).toThrow(/closed/); // a timed-out load closes its object
    for (const o of others) o.close();
  });
});
