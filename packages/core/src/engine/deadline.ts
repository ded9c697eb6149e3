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
 * An AbortController that successive runs of one caller share while none of them aborts
 * it: a family's reads would otherwise make a controller (and its signal, an EventTarget)
 * per read. A run that finds the kept one in use (two at once) gets a fresh one. @internal
 */
export class KeptController {
  #free: AbortController | null = null;

  /** The kept controller when it is free and not aborted, else a new one. */
  take(): AbortController {
    const kept = this.#free;
    this.#free = null;
    return kept !== null && !kept.signal.aborted ? kept : new AbortController();
  }

  /** Gives a controller back after its run settled: kept for the next run unless it aborted. */
  give(controller: AbortController): void {
    if (!controller.signal.aborted) this.#free = controller;
  }
}

/**
 * Run `work` with a signal that aborts after `ms` (or when `outer` aborts). When the
 * deadline passes first, the signal is aborted with the {@link Timeout} that `timeout`
 * makes (only then: an error and its stack cost more than a quick read), the work gets one
 * turn of the event loop to settle, `onOverrun` runs (the caller closes a source that did
 * not settle), and the call rejects with the Timeout. A late result is never returned.
 * With `kept`, the signal is that of a controller kept from the caller's last run, which
 * its work must not hold on to after it settles (a later run may abort it).
 * @internal
 */
export function runWithDeadline<T>(
  ms: number,
  timeout: () => Timeout,
  work: (signal: AbortSignal) => Promise<T>,
  options: { outer?: AbortSignal; onOverrun: (overrun: Overrun) => Promise<void>; kept?: KeptController },
): Promise<T> {
  const { outer, onOverrun, kept } = options;
  const controller = kept?.take() ?? new AbortController();
  const onOuter = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) onOuter();
  else outer?.addEventListener('abort', onOuter, { once: true });
  let pending: Promise<T>;
  try {
    // A plain value (a JavaScript source whose init returns nothing) settles as a promise would.
    pending = Promise.resolve(work(controller.signal));
  } catch (e) {
    pending = Promise.reject(e);
  }
  // One settlement each way, no race of promises: whichever of the work and the timer comes first.
  return new Promise<T>((resolve, reject) => {
    let over = false;
    const finish = (): void => {
      over = true;
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
      kept?.give(controller);
    };
    const timer = setTimeout(() => {
      if (over) return;
      over = true;
      outer?.removeEventListener('abort', onOuter);
      let error: Timeout;
      try {
        error = timeout();
      } catch (e) {
        reject(e);
        return;
      }
      controller.abort(error);
      void Promise.race([pending.then(() => true, () => true), nextTurn().then(() => false)])
        .then((settled) => onOverrun({ settled, pending }))
        .then(() => reject(error), reject);
    }, ms);
    pending.then(
      (value) => {
        if (over) return; // a late result is discarded
        finish();
        resolve(value);
      },
      (e: unknown) => {
        if (over) return; // a late rejection is discarded, never unhandled
        finish();
        reject(e);
      },
    );
  });
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
