// Instrumentation for the abort tests of the eBPF sources: abort a signal right after a
// real native operation has started on the pool, then see that nothing is left behind.
import { setTimeout as sleep } from 'node:timers/promises';
import { createConsoleLogger, validateConfig, type Source } from '@bpfscope/core';
import { BpfObject } from '../src/index.js';
import { bpfFdCount } from './helpers.js';

type Patched = 'load' | 'readIteratorInto' | 'readIteratorIntoSync';

/**
 * While installed, every call of `BpfObject.prototype[method]` starts the real operation
 * (or, for a synchronous one, makes it) and then aborts `controller` with `reason`.
 * `restore()` puts the method back.
 */
export function abortWhenCalled(method: Patched, controller: AbortController, reason: unknown): { calls(): number; restore(): void } {
  const original = BpfObject.prototype[method] as (...args: unknown[]) => unknown;
  let calls = 0;
  (BpfObject.prototype as unknown as Record<Patched, unknown>)[method] = function (this: BpfObject, ...args: unknown[]) {
    const pending = original.apply(this, args);
    calls++;
    controller.abort(reason);
    return pending;
  };
  return {
    calls: () => calls,
    restore: () => void ((BpfObject.prototype as unknown as Record<Patched, unknown>)[method] = original),
  };
}

/** Polls until this process holds `baseline` BPF fds again (a load on the pool finishes on its own time). */
export async function settleBpfFds(baseline: number): Promise<number> {
  for (let i = 0; i < 500 && bpfFdCount() !== baseline; i++) await sleep(10);
  return bpfFdCount();
}

/**
 * Initialise `source` with a signal that aborts (with `reason`) right after its object's
 * real load has started on the pool.
 * @returns what init rejected with (null if it resolved) and how many loads started
 */
export async function initAbortedDuringLoad(source: Pick<Source, 'init'>, reason: unknown): Promise<{ rejection: unknown; loads: number }> {
  const controller = new AbortController();
  const load = abortWhenCalled('load', controller, reason);
  try {
    const context = { config: validateConfig({}), options: {}, logger: createConsoleLogger('silent'), signal: controller.signal };
    const rejection = await source.init(context).then(() => null, (e: unknown) => e);
    return { rejection, loads: load.calls() };
  } finally {
    load.restore();
  }
}
