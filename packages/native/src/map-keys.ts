/**
 * The key bytes of an array map's index (or any `__u32` key): 4 bytes, little-endian, as
 * {@link BpfMap.lookup} and {@link BpfMap.update} take them.
 * @param n - the index, 0 to 2³² − 1 (other numbers are taken modulo 2³²)
 * @returns a new 4-byte key
 * @example
 * ```ts
 * obj.map('cpu_times').lookup(u32Key(0));
 * ```
 */
export function u32Key(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}
