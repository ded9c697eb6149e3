import type { LoadedBpfObject } from '@bpfscope/native';

/** Both tables are read on the engine's thread while each last output was at most this (about 500 TCP sockets). */
const INLINE_MAX_BYTES = 64 * 1024;

/**
 * The buffers the socket iterators are read into, kept from reading to reading: a table of
 * thousands of sockets is megabytes, and a fresh buffer per read costs its growth, page
 * faults and a garbage collection. While both tables are small they are read on the
 * calling thread (no hand-off to a pool thread and back, which wakes two threads); large
 * ones on the pool. The outputs are lent to a callback; a read while another holds the
 * buffers gets buffers of its own.
 * @internal
 */
export class TableBuffers {
  /** The kept buffers (tcp, udp); null while a read uses them. */
  #kept: [Uint8Array, Uint8Array] | null = [new Uint8Array(1 << 16), new Uint8Array(1 << 12)];
  /** The last outputs' sizes, or null before the first read. */
  #last: [number, number] | null = null;
  /** Larger buffers for the next read, made by a read whose output outgrew the kept ones. */
  #next: [Uint8Array, Uint8Array] | null = null;
  #inline = 0;
  #pool = 0;

  /**
   * Reads both iterators (`net_iter_tcp`, `net_iter_udp`) and hands their outputs to `use`,
   * which must be done with them when it returns: the next read reuses their buffers.
   * @param obj - the loaded object
   * @param use - what is done with the TCP and UDP tables (decoding them)
   * @returns what `use` returned
   */
  async read<T>(obj: LoadedBpfObject['object'], use: (tables: [Uint8Array, Uint8Array]) => T): Promise<T> {
    const kept = this.#kept;
    // A read while another holds the buffers (on the pool, or inside its use).
    if (kept === null) return use(await Promise.all([obj.readIterator('net_iter_tcp'), obj.readIterator('net_iter_udp')]));
    this.#kept = null;
    try {
      const last = this.#last;
      if (last !== null && last[0] <= INLINE_MAX_BYTES && last[1] <= INLINE_MAX_BYTES) {
        this.#inline++;
        return use(this.#sized(kept, [obj.readIteratorIntoSync('net_iter_tcp', kept[0]), obj.readIteratorIntoSync('net_iter_udp', kept[1])]));
      }
      this.#pool++;
      return use(this.#sized(kept, await Promise.all([obj.readIteratorInto('net_iter_tcp', kept[0]), obj.readIteratorInto('net_iter_udp', kept[1])])));
    } finally {
      this.#kept = this.#next ?? kept;
      this.#next = null;
    }
  }

  /** How many readings read the tables on the calling thread and on the pool. */
  counts(): { inlineReads: number; poolReads: number } {
    return { inlineReads: this.#inline, poolReads: this.#pool };
  }

  /** Notes the outputs' sizes and, for an output that did not fit, the buffer with room for it that the next read gets. */
  #sized(kept: [Uint8Array, Uint8Array], out: [Uint8Array, Uint8Array]): [Uint8Array, Uint8Array] {
    this.#last = [out[0].length, out[1].length];
    const next: [Uint8Array, Uint8Array] = [roomy(out[0], kept[0]), roomy(out[1], kept[1])];
    if (next[0] !== kept[0] || next[1] !== kept[1]) this.#next = next;
    return out;
  }
}

/**
 * The buffer to keep after a read into `kept`: `kept` when the output fit, else a new one a
 * quarter larger than the output (one of exactly its size would overflow again at the next
 * read of the same table: a read that fills its buffer is moved to a new one).
 */
function roomy(out: Uint8Array, kept: Uint8Array): Uint8Array {
  return out.buffer === kept.buffer ? kept : new Uint8Array(out.length + (out.length >> 2));
}
