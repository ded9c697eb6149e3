import { Closed } from '@bpfscope/core';
import type { ProcessNode } from './tree-types.js';

type Waiter = { resolve: (n: ProcessNode) => void; reject: (e: unknown) => void };

/** Pending {@link ProcessTree.waitForExit} calls, by PID. @internal */
export class ExitWaiters {
  readonly #byPid = new Map<number, Set<Waiter>>();

  /** A promise settled by {@link ExitWaiters.exited} for `pid`, by the signal, or by {@link ExitWaiters.closeAll}. */
  wait(pid: number, signal: AbortSignal | undefined): Promise<ProcessNode> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      let set = this.#byPid.get(pid);
      if (set === undefined) this.#byPid.set(pid, (set = new Set()));
      const w: Waiter = {
        resolve: (node) => {
          signal?.removeEventListener('abort', abort);
          resolve(node);
        },
        reject,
      };
      const abort = (): void => {
        set.delete(w);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', abort, { once: true });
      set.add(w);
    });
  }

  /** The process has exited: resolve its waits. */
  exited(n: ProcessNode): void {
    for (const w of this.#byPid.get(n.pid) ?? []) w.resolve(n);
    this.#byPid.delete(n.pid);
  }

  /** The tree closed: reject every wait with {@link Closed}. */
  closeAll(): void {
    for (const [pid, set] of this.#byPid) for (const w of set) w.reject(new Closed(`process tree (waiting for ${pid})`));
    this.#byPid.clear();
  }
}
