import type { LoadedBpfObject } from '@bpfscope/native';

/**
 * The buffers the socket iterators are read into, kept from reading to reading: a table of
 * thousands of sockets is megabytes, and a fresh buffer per read costs its growth, page
 * faults and a garbage collection. A read while another is under way gets buffers of its own.
 * @internal
 */
export class TableBuffers {
  /** The kept buffers (tcp, udp); null while a read uses them. */
  #kept: [Uint8Array, Uint8Array] | null = [new Uint8Array(1 << 16), new Uint8Array(1 << 12)];

  /**
   * Both iterators' outputs (`net_iter_tcp`, `net_iter_udp`): views of the kept buffers, valid
   * until the next read.
   * @param obj - the loaded object
   * @returns the TCP and UDP tables
   */
  async read(obj: LoadedBpfObject['object']): Promise<[Uint8Array, Uint8Array]> {
    const kept = this.#kept;
    if (kept === null) return Promise.all([obj.readIterator('net_iter_tcp'), obj.readIterator('net_iter_udp')]);
    this.#kept = null;
    let out: [Uint8Array, Uint8Array] | undefined;
    try {
      out = await Promise.all([obj.readIteratorInto('net_iter_tcp', kept[0]), obj.readIteratorInto('net_iter_udp', kept[1])]);
      return out;
    } finally {
      // A view of a kept buffer, or a larger one to keep instead.
      this.#kept = out === undefined ? kept : [wholeBuffer(out[0], kept[0]), wholeBuffer(out[1], kept[1])];
    }
  }
}

/** The buffer to keep after a read into `kept`: `kept` when the output fit, else the larger one holding it. */
function wholeBuffer(out: Uint8Array, kept: Uint8Array): Uint8Array {
  return out.buffer === kept.buffer ? kept : new Uint8Array(out.buffer);
}
