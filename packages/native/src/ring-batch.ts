/** One record of a {@link RingBatch}. */
export interface RingRecord {
  /** Name of the ring buffer map it came from. */
  readonly map: string;
  /** The record's bytes: a view into the batch's buffer (no copy). */
  readonly data: Uint8Array;
}

/**
 * The records of one crossing from the native consumer: one ArrayBuffer
 * holding every record, read through views (nothing is copied). Records are
 * in the order they were taken from the rings; within one map, in the order
 * the kernel committed them.
 *
 * The allocation-free way through a batch reads fields at {@link RingBatch.offset}:
 * @example
 * ```ts
 * consumer.onBatch((batch) => {
 *   const view = batch.view;
 *   for (let i = 0; i < batch.length; i++) total += view.getBigUint64(batch.offset(i), true);
 * });
 * ```
 */
export class RingBatch implements Iterable<RingRecord> {
  /** The batch's one buffer: the records, then the index. */
  readonly buffer: ArrayBuffer;
  /** Number of records. */
  readonly length: number;
  readonly #index: Uint32Array;
  readonly #maps: readonly string[];
  readonly #dataBytes: number;
  #view: DataView | undefined;

  /** @internal Batches come from a {@link RingBufferConsumer}. */
  constructor(buffer: ArrayBuffer, count: number, indexOffset: number, maps: readonly string[]) {
    this.buffer = buffer;
    this.length = count;
    this.#dataBytes = indexOffset;
    this.#index = new Uint32Array(buffer, indexOffset, count * 3);
    this.#maps = maps;
  }

  /** A DataView over the records (offsets from {@link RingBatch.offset} apply to it). */
  get view(): DataView {
    this.#view ??= new DataView(this.buffer, 0, this.#dataBytes);
    return this.#view;
  }

  /**
   * Where record `i` starts in {@link RingBatch.buffer} (a multiple of 8).
   * @param i - record number, 0 to length - 1
   * @throws RangeError for a record number out of range
   */
  offset(i: number): number {
    return this.#index[this.#slot(i)] as number;
  }

  /**
   * Size of record `i` in bytes, as the BPF program reserved it.
   * @param i - record number
   */
  size(i: number): number {
    return this.#index[this.#slot(i) + 1] as number;
  }

  /**
   * Name of the map record `i` came from.
   * @param i - record number
   */
  map(i: number): string {
    return this.#maps[this.#index[this.#slot(i) + 2] as number] as string;
  }

  /**
   * The bytes of record `i`, as a view into the batch buffer.
   * @param i - record number
   */
  data(i: number): Uint8Array {
    const slot = this.#slot(i);
    return new Uint8Array(this.buffer, this.#index[slot] as number, this.#index[slot + 1] as number);
  }

  /**
   * Record `i` with its map name.
   * @param i - record number
   */
  at(i: number): RingRecord {
    return { map: this.map(i), data: this.data(i) };
  }

  /** Every record, in order. */
  toArray(): RingRecord[] {
    return Array.from(this);
  }

  /** Iterates over the records in order. */
  *[Symbol.iterator](): Iterator<RingRecord> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }

  #slot(i: number): number {
    if (!(Number.isInteger(i) && i >= 0 && i < this.length)) throw new RangeError(`record ${i} is out of range: the batch has ${this.length}`);
    return i * 3;
  }
}
