import { describe, expect, it } from 'vitest';
import { fakePlugin, type FakeReading } from '../../../../test/fake-plugin.js';
import { Timeout } from '../errors/taxonomy.js';
import { createEngine } from './create-engine.js';
import { nextTurn } from './deadline.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

/** Lets `n` turns of the event loop pass (a hung source would work in each). */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await nextTurn();
}

describe('engine time limits (one policy, per family)', () => {
  it('a hung init that honours the signal is aborted at its family’s initTimeoutMs; the other family returns data', async () => {
    const hung = fakePlugin('hung', 0);
    const good = fakePlugin('good', 7);
    hung.hangInit('honour');
    const engine = createEngine({
      plugins: [hung.plugin, good.plugin],
      config: { initAttempts: 1, initTimeoutMs: 60_000, families: { hung: { initTimeoutMs: 30 } } },
      logger: silent,
    });
    const snap = await engine.collect();
    expect((snap.get('good')?.data as FakeReading<number>).value).toBe(7);
    const error = snap.errors.find((e) => e.family === 'hung')?.error;
    expect(error).toBeInstanceOf(Timeout);
    expect(error?.details).toMatchObject({ ms: 30, family: 'hung' });
    expect(error?.remedy).toContain('families.hung.initTimeoutMs');
    // The source saw the abort through its signal, whose reason is the engine's Timeout, and stopped.
    expect(hung.initSignals[0]?.aborted).toBe(true);
    expect(hung.initSignals[0]?.reason).toBe(error);
    expect(hung.abortsSeen()).toBe(1);
    expect(hung.work.total).toBeGreaterThan(0);
    expect(hung.work.afterAbort).toBe(0);
    const done = hung.work.total;
    await turns(20);
    expect(hung.work.total).toBe(done);
    expect(engine.stats().collectors.find((c) => c.family === 'hung')).toMatchObject({ source: null, timeouts: { init: 1, read: 0 }, timeoutMs: { init: 30, read: 1000 } });
    expect(engine.stats().collectors.find((c) => c.family === 'good')?.timeoutMs).toEqual({ init: 60_000, read: 1000 });
    await engine.close();
  });

  it('a hung init that ignores the signal is closed, its late result discarded, and it does no work after', async () => {
    const hung = fakePlugin('hung', 0);
    const good = fakePlugin('good', 7);
    hung.hangInit('ignore');
    const engine = createEngine({ plugins: [hung.plugin, good.plugin], config: { families: { hung: { initTimeoutMs: 30 } } }, logger: silent });
    const snap = await engine.collect();
    expect((snap.get('good')?.data as FakeReading<number>).value).toBe(7);
    expect(snap.errors.map((e) => [e.family, e.error.code])).toEqual([['hung', 'TIMEOUT']]);
    expect(hung.inits()).toBe(1); // a hung init is not tried again while it may still run
    expect(hung.initSignals[0]?.aborted).toBe(true);
    const done = hung.work.total;
    await turns(20);
    expect(hung.work.total).toBe(done);
    expect(hung.work.afterClose).toBe(0);
    // Closed at the abort, and closed again when the late init resolved: what it made is freed.
    expect(hung.closes()).toBe(2);
    expect(engine.stats().collectors.find((c) => c.family === 'hung')?.source).toBeNull();
    await engine.close();
  });

  it('a hung read that honours the signal is aborted at readTimeoutMs; the source stays and reads again', async () => {
    const hung = fakePlugin('hung', 1);
    const good = fakePlugin('good', 7);
    const engine = createEngine({
      plugins: [hung.plugin, good.plugin],
      config: { cache: { enabled: false }, operationTimeoutMs: 60_000, families: { hung: { readTimeoutMs: 25 } } },
      logger: silent,
    });
    await engine.start();
    hung.hangRead('honour');
    const snap = await engine.collect();
    expect((snap.get('good')?.data as FakeReading<number>).value).toBe(7);
    const error = snap.errors.find((e) => e.family === 'hung')?.error;
    expect(error).toBeInstanceOf(Timeout);
    expect(error?.details).toMatchObject({ ms: 25, family: 'hung' });
    expect(hung.signals[0]?.reason).toBe(error);
    expect(hung.abortsSeen()).toBe(1);
    expect(hung.work.afterAbort).toBe(0);
    const done = hung.work.total;
    await turns(20);
    expect(hung.work.total).toBe(done);
    expect(hung.closed()).toBe(false);
    hung.hangRead(null);
    expect((( await engine.collect()).get('hung')?.data as FakeReading<number>).read).toBe(2);
    expect(engine.stats().collectors.find((c) => c.family === 'hung')).toMatchObject({ reads: 2, readErrors: 1, timeouts: { init: 0, read: 1 } });
    await engine.close();
  });

  it('a hung read that ignores the signal: the source is closed before collect() returns, its late result never shows', async () => {
    const hung = fakePlugin('hung', 1);
    const good = fakePlugin('good', 7);
    const engine = createEngine({ plugins: [hung.plugin, good.plugin], config: { cache: { enabled: false }, families: { hung: { readTimeoutMs: 25 } } }, logger: silent });
    await engine.start();
    hung.hangRead('ignore');
    const snap = await engine.collect();
    expect((snap.get('good')?.data as FakeReading<number>).value).toBe(7);
    expect(snap.errors.map((e) => [e.family, e.error.code])).toEqual([['hung', 'TIMEOUT']]);
    expect(hung.closed()).toBe(true);
    const done = hung.work.total;
    await turns(20);
    expect(hung.work.total).toBe(done);
    expect(hung.work.afterClose).toBe(0);
    // The family stays down (its error says it was closed) until attemptRecovery(); the good one reads on.
    const next = await engine.collect();
    expect(next.get('hung')).toBeUndefined();
    expect(next.errors[0]?.error.details).toMatchObject({ closed: true, family: 'hung' });
    expect((next.get('good')?.data as FakeReading<number>).read).toBe(2);
    expect(hung.reads()).toBe(1);
    await engine.close();
  });

  it('rejects a family time limit that is not a positive integer, naming its path', () => {
    expect(() => createEngine({ config: { families: { cpu: { readTimeoutMs: 0 } } } })).toThrow('invalid config at families.cpu.readTimeoutMs: got 0, expected an integer from 1 to 600000');
    expect(() => createEngine({ config: { families: { cpu: { initTimeoutMs: 'soon' } } } })).toThrow('families.cpu.initTimeoutMs');
    expect(() => createEngine({ config: { initTimeoutMs: -1 } })).toThrow('invalid config at initTimeoutMs');
  });
});
