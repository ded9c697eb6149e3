import { describe, expect, it } from 'vitest';
import { awaitOrAbort } from './await-or-abort.js';

describe('awaitOrAbort', () => {
  it('returns the work’s value when it settles first and never releases', async () => {
    let released = 0;
    const c = new AbortController();
    await expect(awaitOrAbort(Promise.resolve(4), c.signal, () => released++)).resolves.toBe(4);
    c.abort(new Error('late'));
    expect(released).toBe(0);
  });

  it('rejects with the abort reason at once and releases exactly once; a later rejection of the work is discarded', async () => {
    let released = 0;
    let fail: (e: Error) => void = () => undefined;
    const work = new Promise<number>((_, reject) => { fail = reject; });
    const c = new AbortController();
    const reason = new Error('time limit');
    const waiting = awaitOrAbort(work, c.signal, () => released++);
    c.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    fail(new Error('closed during load'));
    await new Promise((r) => setImmediate(r));
    expect(released).toBe(1);
  });

  it('an already aborted signal releases and rejects without waiting', async () => {
    let released = 0;
    const c = new AbortController();
    c.abort('gone');
    await expect(awaitOrAbort(new Promise(() => undefined), c.signal, () => released++)).rejects.toBe('gone');
    expect(released).toBe(1);
  });

  it('the work’s own failure passes through untouched', async () => {
    const e = new Error('verifier');
    await expect(awaitOrAbort(Promise.reject(e), new AbortController().signal)).rejects.toBe(e);
  });
});
