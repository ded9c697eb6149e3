import { endianness } from 'node:os';

// /proc/net/{tcp,udp}6? print each address as 32-bit words with %08X of the word as it sits
// in memory, so on a little-endian machine the bytes of every word come out reversed.
const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * The bytes of an address as /proc/net/tcp, tcp6, udp and udp6 print it (8 or 32 hex digits,
 * one `%08X` per 32-bit word in the machine's byte order).
 * @param hex - the hex digits (already checked to be 8 or 32 of them)
 * @returns the address bytes in network order
 * @internal
 */
export function kernelAddressBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let w = 0; w < hex.length / 8; w++) {
    const word = Number.parseInt(hex.slice(w * 8, w * 8 + 8), 16);
    for (let b = 0; b < 4; b++) out[w * 4 + b] = LITTLE_ENDIAN ? (word >>> (8 * b)) & 0xff : (word >>> (24 - 8 * b)) & 0xff;
  }
  return out;
}

/**
 * An address's text form: dotted IPv4, or IPv6 by RFC 5952 (lower case, the longest run of
 * two or more zero groups as `::`, a v4-mapped address as `::ffff:a.b.c.d`), as `ss` prints them.
 * @param bytes - 4 or 16 bytes in network order
 * @returns the text
 * @internal
 */
export function formatAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `::ffff:${Array.from(bytes.subarray(12)).join('.')}`;
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestAt, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestAt < 0) return hex.join(':');
  return `${hex.slice(0, bestAt).join(':')}::${hex.slice(bestAt + bestLen).join(':')}`;
}
