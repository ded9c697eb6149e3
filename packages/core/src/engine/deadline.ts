import { Timeout } from '../errors/taxonomy.js';

/** What the engine learns about work that passed its deadline. @internal */
export interface Overrun {
  /** True when the work settled within one turn of the event loop after the abort (it honoured the signal). */
  readonly settled: boolean;
  /** The work itself; it may still settle later (its result is discarded). */
  readonly pending: Promise<unknown>;
}

/** Resolves after the current turn of the event loop (its timers, I/O and microtasks). @internal */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Run `work` with a signal that aborts after `ms` (or when `outer` aborts). When the
 * deadline passes first, the signal is aborted with the {@link Timeout} that `timeout`
 * makes (only then: an error and its stack cost more than a quick read), the work gets one
 * turn of the event loop to settle, `onOverrun` runs (the caller closes a source that did
 * not settle), and the call rejects with the Timeout. A late result is never returned.
 * @internal
 */
export async function runWithDeadline<T>(
  ms: number,
  timeout: () => Timeout,
  work: (signal: AbortSignal) => Promise<T>,
  options: { outer?: AbortSignal; onOverrun: (overrun: Overrun) => Promise<void> },
): Promise<T> {
  const { outer, onOverrun } = options;
  const controller = new AbortController();
  const onOuter = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) onOuter();
  else outer?.addEventListener('abort', onOuter, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const pending = (async () => work(controller.signal))();
  pending.catch(() => undefined); // a late rejection is discarded, never unhandled
  try {
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), ms);
    });
    const first = await Promise.race([pending.then(() => 'done' as const, () => 'done' as const), expired]);
    if (first === 'done') return await pending;
    const error = timeout();
    controller.abort(error);
    const settled = await Promise.race([pending.then(() => true, () => true), nextTurn().then(() => false)]);
    await onOverrun({ settled, pending });
    throw error;
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
  }
}

/** Waits `ms`, or less when `signal` aborts. @internal */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
