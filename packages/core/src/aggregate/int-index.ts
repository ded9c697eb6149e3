/**
 * Row numbers of integer keys (pids, ids), for decoders that keep their rows in typed
 * arrays: row `r` of a reading is the r-th key inserted since {@link IntIndex.clear}.
 * It is reused from reading to reading: clearing costs nothing (a stamp moves on) and
 * nothing is allocated unless it outgrows its table, where a `Map` cleared and refilled
 * every reading would allocate its table again each time.
 * @internal
 */
export class IntIndex {
  #keys: Int32Array;
  #rows: Int32Array;
  #stamps: Uint32Array;
  #stamp = 1;
  #size = 0;

  /** @param capacity - keys it holds before it grows */
  constructor(capacity = 64) {
    let slots = 16;
    while (slots < capacity * 2) slots *= 2;
    this.#keys = new Int32Array(slots);
    this.#rows = new Int32Array(slots);
    this.#stamps = new Uint32Array(slots);
  }

  /** Keys inserted since the last clear. */
  get size(): number {
    return this.#size;
  }

  /** Forget every key. */
  clear(): void {
    this.#size = 0;
    if (++this.#stamp === 0xffffffff) {
      this.#stamps.fill(0);
      this.#stamp = 1;
    }
  }

  /**
   * @param key - an integer from -2^31 to 2^31-1
   * @returns the key's row, or -1 when it was not inserted since the last clear
   */
  get(key: number): number {
    const mask = this.#keys.length - 1;
    for (let i = Math.imul(key, 0x9e3779b1) >>> 0 & mask; this.#stamps[i] === this.#stamp; i = (i + 1) & mask) {
      if (this.#keys[i] === key) return this.#rows[i]!;
    }
    return -1;
  }

  /**
   * The key's row, inserting it (as row {@link IntIndex.size}) when it is new.
   * @param key - an integer from -2^31 to 2^31-1
   * @returns its row
   */
  add(key: number): number {
    if ((this.#size + 1) * 2 > this.#keys.length) this.#grow();
    const mask = this.#keys.length - 1;
    let i = Math.imul(key, 0x9e3779b1) >>> 0 & mask;
    for (; this.#stamps[i] === this.#stamp; i = (i + 1) & mask) {
      if (this.#keys[i] === key) return this.#rows[i]!;
    }
    this.#stamps[i] = this.#stamp;
    this.#keys[i] = key;
    this.#rows[i] = this.#size;
    return this.#size++;
  }

  #grow(): void {
    const [keys, rows, stamps, stamp] = [this.#keys, this.#rows, this.#stamps, this.#stamp];
    const slots = keys.length * 2;
    this.#keys = new Int32Array(slots);
    this.#rows = new Int32Array(slots);
    this.#stamps = new Uint32Array(slots);
    this.#stamp = 1;
    const mask = slots - 1;
    for (let j = 0; j < keys.length; j++) {
      if (stamps[j] !== stamp) continue;
      let i = Math.imul(keys[j]!, 0x9e3779b1) >>> 0 & mask;
      while (this.#stamps[i] === 1) i = (i + 1) & mask;
      this.#stamps[i] = 1;
      this.#keys[i] = keys[j]!;
      this.#rows[i] = rows[j]!;
    }
  }
}
