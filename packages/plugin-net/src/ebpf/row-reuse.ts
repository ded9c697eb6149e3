import type { NetConnection } from '../records.js';

/** While rows are not kept, one reading in this many keeps them all again. @internal */
export const PROBE_EVERY = 16;

interface Kept {
  /** The row's bytes as 32-bit words when it was decoded. */
  words: Int32Array;
  conn: NetConnection;
  /** The reading that last saw the socket. */
  seen: number;
}

/**
 * Connections decoded at earlier readings, by socket cookie, with the bytes they were
 * decoded from: a row whose bytes did not change since (an idle connection: same state,
 * counters, queues and owner) decodes to the same connection, so the earlier object is
 * handed out again instead of building one more: one reading's connection may be the next
 * one's too, so they are read-only to their users (not frozen: freezing 10,000 objects per
 * reading cost more than it saved). Sockets gone from the table are forgotten.
 * @internal
 */
export class RowReuse {
  readonly #rows = new Map<number, Kept>();
  #reading = 0;
  #seen = 0;
  #reused = 0;
  #rowsRead = 0;
  /**
   * Whether decoded rows are kept. Keeping costs where rows change (each new object outlives
   * a young-generation collection and is copied): when fewer than half of a reading's rows
   * were reused, the next readings keep none, and every {@link PROBE_EVERY}th one keeps all
   * again to see whether the table has gone quiet.
   */
  #keeping = true;
  /** Whether this reading had kept rows to compare with (the first, and one after none were kept, had not). */
  #comparing = false;

  /** Rows of the last reading whose connection was handed out again. */
  get reused(): number {
    return this.#reused;
  }

  /** Starts a reading. */
  begin(): void {
    this.#reading++;
    this.#seen = 0;
    this.#reused = 0;
    this.#rowsRead = 0;
    if (!this.#keeping && this.#reading % PROBE_EVERY === 0) this.#keeping = true;
    this.#comparing = this.#rows.size > 0;
  }

  /** Whether rows of this reading are kept (false while most rows change from reading to reading). */
  get keeping(): boolean {
    return this.#keeping;
  }

  /**
   * The connection decoded earlier from the same bytes as the row at `at` (4-byte aligned,
   * `size` a multiple of 4), if any. Called once for each row of the reading.
   * @param cookie - the socket's cookie (0: none, never reused)
   */
  get(cookie: number, words: Int32Array, at: number, size: number): NetConnection | undefined {
    this.#rowsRead++;
    if (cookie === 0) return undefined;
    const k = this.#rows.get(cookie);
    if (k === undefined) return undefined;
    const w = k.words;
    const base = at >> 2;
    for (let i = 0, n = size >> 2; i < n; i++) if (w[i] !== words[base + i]) return undefined;
    if (k.seen !== this.#reading) this.#seen++;
    k.seen = this.#reading;
    this.#reused++;
    return k.conn;
  }

  /**
   * Keeps a connection just decoded from the row at `at`, and returns it.
   * @param cookie - the socket's cookie (0: not kept)
   */
  keep(cookie: number, words: Int32Array, at: number, size: number, conn: NetConnection): NetConnection {
    if (cookie === 0 || !this.#keeping) return conn;
    let k = this.#rows.get(cookie);
    if (k === undefined) {
      this.#rows.set(cookie, (k = { words: new Int32Array(size >> 2), conn, seen: this.#reading }));
      this.#seen++;
    } else if (k.seen !== this.#reading) this.#seen++;
    // Copied word by word: no view to allocate per row.
    const w = k.words;
    const base = at >> 2;
    for (let i = 0, n = size >> 2; i < n; i++) w[i] = words[base + i]!;
    k.conn = conn;
    k.seen = this.#reading;
    return conn;
  }

  /** Ends a reading: forgets the sockets it did not see. */
  end(): void {
    if (this.#comparing && this.#reused * 2 < this.#rowsRead) {
      this.#keeping = false;
      this.#rows.clear();
      return;
    }
    if (this.#comparing) this.#keeping = true;
    if (this.#rows.size === this.#seen) return;
    for (const [cookie, k] of this.#rows) if (k.seen !== this.#reading) this.#rows.delete(cookie);
  }
}
