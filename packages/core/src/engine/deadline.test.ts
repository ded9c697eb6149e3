import { describe, expect, it } from 'vitest';
import { Timeout } from '../errors/taxonomy.js';
import { KeptController, runWithDeadline } from './deadline.js';

const noOverrun = async (): Promise<void> => undefined;
const timeout = (): Timeout => new Timeout('test read', 5);

describe('runWithDeadline with a kept controller', () => {
  it('successive runs share one signal until a run aborts it; runs at once get signals of their own', async () => {
    const kept = new KeptController();
    const seen: AbortSignal[] = [];
    const take = (signal: AbortSignal): Promise<number> => Promise.resolve(seen.push(signal));
    expect(await runWithDeadline(1000, timeout, take, { onOverrun: noOverrun, kept })).toBe(1);
    expect(await runWithDeadline(1000, timeout, take, { onOverrun: noOverrun, kept })).toBe(2);
    expect(seen[1]).toBe(seen[0]);
    // Two at once: the second finds the kept one in use.
    await Promise.all([runWithDeadline(1000, timeout, take, { onOverrun: noOverrun, kept }), runWithDeadline(1000, timeout, take, { onOverrun: noOverrun, kept })]);
    expect(seen[2]).toBe(seen[0]);
    expect(seen[3]).not.toBe(seen[0]);
    // A run past its deadline aborts its signal with the Timeout; the next run gets a new signal, not aborted.
    let overruns = 0;
    const hang = (signal: AbortSignal): Promise<never> => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    const late = runWithDeadline(5, timeout, (signal) => (seen.push(signal), hang(signal)), { onOverrun: async ({ settled }) => void (settled && overruns++), kept });
    await expect(late).rejects.toBeInstanceOf(Timeout);
    expect(overruns).toBe(1);
    const aborted = seen[seen.length - 1]!;
    expect(aborted.aborted).toBe(true);
    await runWithDeadline(1000, timeout, take, { onOverrun: noOverrun, kept });
    const next = seen[seen.length - 1]!;
    expect(next).not.toBe(aborted);
    expect(next.aborted).toBe(false);
  });

  it('an outer abort reaches the shared signal, which is then not kept', async () => {
    const kept = new KeptController();
    const outer = new AbortController();
    const seen: AbortSignal[] = [];
    const hang = (signal: AbortSignal): Promise<never> => {
      seen.push(signal);
      outer.abort(new Error('stopped'));
      return new Promise((_, reject) => (signal.aborted ? reject(signal.reason) : signal.addEventListener('abort', () => reject(signal.reason), { once: true })));
    };
    await expect(runWithDeadline(1000, timeout, hang, { outer: outer.signal, onOverrun: noOverrun, kept })).rejects.toThrow('stopped');
    expect(seen[0]?.aborted).toBe(true);
    expect(kept.take().signal).not.toBe(seen[0]);
  });

  it('a work that throws at once rejects with its error and leaves the signal kept', async () => {
    const kept = new KeptController();
    let first: AbortSignal | null = null;
    await expect(runWithDeadline(1000, timeout, (signal) => { first = signal; throw new Error('bad'); }, { onOverrun: noOverrun, kept })).rejects.toThrow('bad');
    expect(kept.take().signal).toBe(first);
  });

  it('a work that returns a plain value resolves with it; a timeout maker that throws rejects the run', async () => {
    expect(await runWithDeadline(1000, timeout, () => 7 as unknown as Promise<number>, { onOverrun: noOverrun })).toBe(7);
    expect(await runWithDeadline(1000, timeout, () => undefined as unknown as Promise<void>, { onOverrun: noOverrun })).toBeUndefined();
    const broken = (): Timeout => {
      throw new Error('no timeout');
    };
    await expect(runWithDeadline(5, broken, () => new Promise<never>(() => undefined), { onOverrun: noOverrun })).rejects.toThrow('no timeout');
  });
});
