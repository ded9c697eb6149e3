const SLOTS = 64;

/**
 * Task names (`comm`, 16 bytes, NUL-padded) decoded from ring records, remembered by their
 * bytes: a flood of events comes from a few threads, and decoding a name costs more than
 * the rest of the event. Direct-mapped, 64 entries; a hit compares the 16 bytes. @internal
 */
export class CommCache {
  readonly #keys = new Uint32Array(SLOTS * 4);
  readonly #names: Array<string | undefined> = new Array<string | undefined>(SLOTS).fill(undefined);

  /**
   * The name at byte `at` of a batch.
   * @param view - a view over the batch's buffer
   * @param bytes - the same buffer as bytes
   * @param at - where the 16 bytes of comm start
   */
  get(view: DataView, bytes: Uint8Array, at: number): string {
    const a = view.getUint32(at, true);
    const b = view.getUint32(at + 4, true);
    const c = view.getUint32(at + 8, true);
    const d = view.getUint32(at + 12, true);
    const slot = (Math.imul(a ^ Math.imul(b, 0x9e3779b1) ^ Math.imul(c, 0x85ebca6b) ^ Math.imul(d, 0xc2b2ae35), 0x27d4eb2f) >>> 26) & (SLOTS - 1);
    const k = this.#keys;
    const i = slot * 4;
    const known = this.#names[slot];
    if (known !== undefined && k[i] === a && k[i + 1] === b && k[i + 2] === c && k[i + 3] === d) return known;
    const name = decodeComm(bytes, at);
    k[i] = a;
    k[i + 1] = b;
    k[i + 2] = c;
    k[i + 3] = d;
    this.#names[slot] = name;
    return name;
  }
}

/** Up to 16 bytes to the first NUL, as UTF-8 (as the kernel stores it). */
function decodeComm(bytes: Uint8Array, at: number): string {
  let end = at;
  while (end < at + 16 && bytes[end] !== 0) end++;
  return Buffer.from(bytes.buffer, bytes.byteOffset + at, end - at).toString('utf8');
}
