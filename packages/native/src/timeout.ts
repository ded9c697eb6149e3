// A promise raced against a time limit.
import { Timeout } from '@bpfscope/core';

/**
 * `pending`, or a {@link @bpfscope/core!Timeout} after `ms` (then `onTimeout` runs).
 * @internal
 * @throws RangeError for a limit that is not a positive number
 */
export async function withTimeout<T>(pending: Promise<T>, ms: number, what: string, onTimeout?: () => void): Promise<T> {
  if (!(Number.isFinite(ms) && ms > 0)) throw new RangeError(`load(): timeoutMs must be a positive number, got ${ms}`);
  pending.catch(() => undefined); // settled after a timeout: nobody waits for it any more
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new Timeout(what, ms));
    }, ms);
  });
  try {
    return await Promise.race([pending, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
