// A process's optional files (io, the ns links) that procfs refused to read (EACCES, EPERM:
// another user's process, or one this process may not trace), remembered per process for a
// while: the few processes read from procfs at every reading (those the task iterator
// misses) then cost no failing system call and no error object per reading. A refusal is
// kept only for the same process (PID and start) and asked again once `ttlMs` has passed,
// so a permission that changes shows within that time.

/** Codes of a read refused for permission. @internal */
export const REFUSAL_CODES: ReadonlySet<string> = new Set(['EACCES', 'EPERM']);

interface Refusal {
  start: number;
  reason: string;
  at: number;
}

/** @internal */
export class Refusals {
  readonly #kept = new Map<string, Refusal>();

  /**
   * @param ttlMs - how long a refusal stands before the file is asked again
   * @param now - the clock, ms
   */
  constructor(
    readonly ttlMs = 30_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Refusals kept now. */
  get size(): number {
    return this.#kept.size;
  }

  /**
   * The reason a file of this process was refused, while the refusal stands.
   * @param pid - the process
   * @param start - its start (tells a reused PID apart)
   * @param file - the file below /proc/&lt;pid&gt;, e.g. `io`, `ns/mnt`
   * @returns the reason, or null when the file is to be read
   */
  get(pid: number, start: number, file: string): string | null {
    const key = `${pid}/${file}`;
    const r = this.#kept.get(key);
    if (r === undefined) return null;
    if (r.start === start && this.now() - r.at < this.ttlMs) return r.reason;
    this.#kept.delete(key);
    return null;
  }

  /** Remember that a file of this process was refused, with the reason read then. */
  set(pid: number, start: number, file: string, reason: string): void {
    this.#kept.set(`${pid}/${file}`, { start, reason, at: this.now() });
  }

  /** Forget the refusals that no longer stand. */
  sweep(): void {
    const now = this.now();
    for (const [key, r] of this.#kept) if (now - r.at >= this.ttlMs) this.#kept.delete(key);
  }
}
