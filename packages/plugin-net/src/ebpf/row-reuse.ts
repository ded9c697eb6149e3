import type { NetConnection } from '../records.js';

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
 * handed out again instead of building one more. Those objects are frozen: one reading's
 * connection may be the next one's too. Sockets gone from the table are forgotten.
 * @internal
 */
export class RowReuse {
  readonly #rows = new Map<number, Kept>();
  #reading = 0;
  #seen = 0;
  #reused = 0;

  /** Rows of the last reading whose connection was handed out again. */
  get reused(): number {
    return this.#reused;
  }

  /** Starts a reading. */
  begin(): void {
    this.#reading++;
    this.#seen = 0;
    this.#reused = 0;
  }

  /**
   * The connection decoded earlier from the same bytes as the row at `at` (4-byte aligned, `size` a multiple of 4), if any.
   * @param cookie - the socket's cookie (0: none, never reused)
   */
  get(cookie: number, words: Int32Array, at: number, size: number): NetConnection | undefined {
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
   * Keeps a connection just decoded from the row at `at`, frozen, and returns it.
   * @param cookie - the socket's cookie (0: not kept)
   */
  keep(cookie: number, words: Int32Array, at: number, size: number, conn: NetConnection): NetConnection {
    Object.freeze(conn.pids);
    Object.freeze(conn);
    if (cookie === 0) return conn;
    const rowWords = words.subarray(at >> 2, (at + size) >> 2);
    const k = this.#rows.get(cookie);
    if (k === undefined) {
      this.#rows.set(cookie, { words: rowWords.slice(), conn, seen: this.#reading });
      this.#seen++;
      return conn;
    }
    if (k.seen !== this.#reading) this.#seen++;
    k.words.set(rowWords);
    k.conn = conn;
    k.seen = this.#reading;
    return conn;
  }

  /** Ends a reading: forgets the sockets it did not see. */
  end(): void {
    if (this.#rows.size === this.#seen) return;
    for (const [cookie, k] of this.#rows) if (k.seen !== this.#reading) this.#rows.delete(cookie);
  }
}
