import { describe, expect, it } from 'vitest';
import { fakePlugin, type FakeReading } from '../../../../test/fake-plugin.js';
import { DataUnavailable, LoadFailed } from '../errors/taxonomy.js';
import { createEngine } from './create-engine.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };
const broken = (): LoadFailed => new LoadFailed('fake.bpf.o', 'the verifier refused it', 'R1 invalid mem access');

describe('engine.attemptRecovery', () => {
  it('a family whose init fails N times recovers on attempt N with the configured backoff, and says so', async () => {
    const fake = fakePlugin('fam', 5);
    fake.failInit(3, broken()); // start fails once, recovery's first two attempts fail, the third works
    const engine = createEngine({ plugins: [fake.plugin], config: { initAttempts: 1, cache: { enabled: false }, recovery: { attempts: 3, baseDelayMs: 4 } }, logger: silent });
    const first = await engine.collect();
    expect(first.errors.map((e) => e.error.code)).toEqual(['LOAD_FAILED']);
    const outcome = await engine.attemptRecovery();
    expect(outcome).toEqual({ recovered: ['fam'], failing: [] });
    expect(fake.inits()).toBe(4);
    const r = (await engine.collect()).get('fam');
    expect((r?.data as FakeReading<number>).value).toBe(5);
    expect(r?.recoveredFrom?.code).toBe('LOAD_FAILED');
    expect((await engine.collect()).toJSON().families.fam?.recoveredFrom).toMatchObject({ code: 'LOAD_FAILED', message: expect.stringContaining('verifier refused') });
    expect(first.toJSON().families.fam).toBeUndefined();
    expect(engine.stats().collectors[0]?.recovery).toEqual({ recoveries: 1, recoveredFrom: 'LOAD_FAILED', lastAttempts: 3, lastDelaysMs: [4, 8] });
    // A family that works needs no recovery: nothing is re-initialised.
    expect(await engine.attemptRecovery()).toEqual({ recovered: [], failing: [] });
    expect(fake.inits()).toBe(4);
    await engine.close();
  });

  it('gives up after recovery.attempts and reports the last error; a later call can still recover it', async () => {
    const fake = fakePlugin('fam', 1);
    fake.failInit(4, broken());
    const engine = createEngine({ plugins: [fake.plugin], config: { initAttempts: 1, recovery: { attempts: 2, baseDelayMs: 1 } }, logger: silent });
    await engine.start();
    const outcome = await engine.attemptRecovery();
    expect(outcome.recovered).toEqual([]);
    expect(outcome.failing.map((f) => [f.family, f.error.code])).toEqual([['fam', 'LOAD_FAILED']]);
    expect(engine.stats().collectors[0]?.recovery).toEqual({ recoveries: 0, recoveredFrom: null, lastAttempts: 2, lastDelaysMs: [1] });
    expect(fake.inits()).toBe(3);
    expect((await engine.attemptRecovery()).recovered).toEqual(['fam']); // 4th fails, 5th works
    expect(fake.inits()).toBe(5);
    await engine.close();
  });

  it('a family whose source reports it is detached reads as DataUnavailable; recovery re-initialises it', async () => {
    const fake = fakePlugin('fam', 1);
    const engine = createEngine({ plugins: [fake.plugin], config: { cache: { enabled: false } }, logger: silent });
    await engine.start();
    fake.detach('its programs were detached');
    // While detached, a reading says so instead of passing what is left off as measured.
    const during = await engine.collect();
    expect(during.get('fam')).toBeUndefined();
    expect(during.errors.map((e) => [e.family, e.error.code, e.error.message])).toEqual([['fam', 'DATA_UNAVAILABLE', 'fake-fam is unavailable: its programs were detached']]);
    expect(during.errors[0]?.error.remedy).toContain('attemptRecovery');
    expect(engine.stats().collectors[0]).toMatchObject({ reads: 1, readErrors: 1 });
    const outcome = await engine.attemptRecovery();
    fake.detach(null);
    expect(outcome.recovered).toEqual(['fam']);
    expect(fake.closes()).toBe(1);
    expect(fake.inits()).toBe(2);
    const r = (await engine.collect()).get('fam');
    expect(r?.recoveredFrom).toBeInstanceOf(DataUnavailable);
    expect(r?.recoveredFrom?.message).toContain('its programs were detached');
    await engine.close();
  });

  it('brings back a family whose source was closed after ignoring the abort of a read', async () => {
    const fake = fakePlugin('fam', 3);
    const engine = createEngine({ plugins: [fake.plugin], config: { cache: { enabled: false }, families: { fam: { readTimeoutMs: 20 } } }, logger: silent });
    await engine.start();
    fake.hangRead('ignore');
    expect((await engine.collect()).errors[0]?.error.code).toBe('TIMEOUT');
    fake.hangRead(null);
    expect((await engine.attemptRecovery()).recovered).toEqual(['fam']);
    const r = (await engine.collect()).get('fam');
    expect((r?.data as FakeReading<number>).value).toBe(3);
    expect(r?.recoveredFrom?.code).toBe('TIMEOUT');
    expect(engine.stats().collectors[0]).toMatchObject({ source: 'fake-fam', timeouts: { read: 1 }, recovery: { recoveries: 1, recoveredFrom: 'TIMEOUT', lastAttempts: 1 } });
    await engine.close();
  });

  it('close() ends a recovery waiting between attempts; no init starts after it', async () => {
    const fake = fakePlugin('fam', 1);
    fake.failInit(100, broken());
    const engine = createEngine({ plugins: [fake.plugin], config: { initAttempts: 1, recovery: { attempts: 5, baseDelayMs: 60_000 } }, logger: silent });
    await engine.start();
    const recovering = engine.attemptRecovery();
    while (fake.inits() < 2) await new Promise((r) => setImmediate(r)); // the first attempt failed: now it waits a minute
    await engine.close();
    const outcome = await recovering;
    expect(outcome.recovered).toEqual([]);
    expect(outcome.failing.map((f) => f.family)).toEqual(['fam']);
    expect(fake.inits()).toBe(2);
    await expect(engine.attemptRecovery()).rejects.toThrow('closed');
  });

  it('rejects bad recovery settings with their path', () => {
    expect(() => createEngine({ config: { recovery: { attempts: 0 } } })).toThrow('invalid config at recovery.attempts: got 0, expected an integer from 1 to 100');
    expect(() => createEngine({ config: { recovery: { baseDelayMs: -5 } } })).toThrow('recovery.baseDelayMs');
    expect(() => createEngine({ config: { recovery: { tries: 2 } as never } })).toThrow('recovery.tries');
  });
});
