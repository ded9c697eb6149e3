/**
 * Wait for `work` unless `signal` aborts first. On abort it rejects at once with the
 * signal's reason and calls `release` (close what the work is making, e.g. an object
 * whose load is still running), so nothing the work produces outlives the abort; a
 * later rejection of `work` is discarded. For a source's `init` and `read`, which get
 * the engine's signal.
 *
 * @param work - the pending operation
 * @param signal - the engine's signal from `SourceContext` or `ReadContext`
 * @param release - frees what the work produced or is producing; called once, on abort
 * @returns the work's value when it settled first
 * @throws the signal's reason (a `Timeout` at the engine's time limit) when it aborted first
 * @example
 * ```ts
 * const obj = BpfObject.open(bytes);
 * await awaitOrAbort(obj.load(), ctx.signal, () => obj.close());
 * ```
 */
export function awaitOrAbort<T>(work: Promise<T>, signal: AbortSignal, release?: () => void): Promise<T> {
  let released = false;
  const free = (): void => {
    if (released) return;
    released = true;
    release?.();
  };
  if (signal.aborted) {
    free();
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      free();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
