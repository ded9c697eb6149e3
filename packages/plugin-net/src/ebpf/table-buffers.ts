import { IteratorTable, type LoadedBpfObject } from '@bpfscope/native';

/**
 * The socket tables (`net_iter_tcp`, `net_iter_udp`), each an {@link IteratorTable} read
 * into a buffer kept from reading to reading: a table of thousands of sockets is megabytes,
 * and a fresh buffer per read costs its growth, page faults and a garbage collection. The
 * two are read on the calling thread while both are small (no hand-off to a pool thread
 * and back, which wakes two threads), else both on the pool. The outputs are lent to a
 * callback; a read while another holds the buffers gets buffers of its own.
 * @internal
 */
export class TableBuffers {
  // Both tables are read on the engine's thread while each last output was at most 64 KiB (about 500 TCP sockets).
  readonly #tcp = new IteratorTable('net_iter_tcp');
  readonly #udp = new IteratorTable('net_iter_udp');

  /**
   * Reads both iterators and hands their outputs to `use`, which must be done with them
   * when it returns: the next read reuses their buffers.
   * @param obj - the loaded object
   * @param use - what is done with the TCP and UDP tables (decoding them)
   * @returns what `use` returned
   */
  async read<T>(obj: LoadedBpfObject['object'], use: (tables: [Uint8Array, Uint8Array]) => T): Promise<T> {
    const where = this.#tcp.inlineNext && this.#udp.inlineNext ? 'inline' : 'pool';
    return this.#tcp.read(obj, (tcp) => this.#udp.read(obj, (udp) => use([tcp, udp]), where), where);
  }

  /** How many readings read the tables (into their kept buffers) on the calling thread and on the pool: the TCP table's reads, as both go together. */
  counts(): { inlineReads: number; poolReads: number } {
    const { inlineReads, poolReads } = this.#tcp.stats();
    return { inlineReads, poolReads };
  }
}
