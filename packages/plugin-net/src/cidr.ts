import { ConfigError } from '@bpfscope/core';
import { isIPv4, isIPv6 } from 'node:net';

/** A parsed CIDR block: its network bits and prefix length. @internal */
export interface Cidr {
  /** The block as given, e.g. `10.0.0.0/8`. */
  readonly text: string;
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** The network address as an integer (32 or 128 bits). */
  readonly network: bigint;
  /** The prefix length (0 to 32 or 128). */
  readonly prefix: number;
}

const V4_MAPPED = 0xffff_0000_0000n;

/**
 * An IP address as an integer, with its family; a v4-mapped IPv6 address (`::ffff:a.b.c.d`)
 * is returned as IPv4 so that v4 blocks match it.
 * @param address - dotted IPv4 or any IPv6 text form
 * @returns the address, or null when it is not an address
 * @internal
 */
export function addressValue(address: string): { family: 4 | 6; value: bigint } | null {
  if (isIPv4(address)) return { family: 4, value: v4Value(address) };
  if (!isIPv6(address)) return null;
  const v = v6Value(address);
  return v >> 32n === V4_MAPPED >> 32n ? { family: 4, value: v & 0xffff_ffffn } : { family: 6, value: v };
}

function v4Value(a: string): bigint {
  return a.split('.').reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function v6Value(a: string): bigint {
  let text = a;
  let tail: bigint[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    // Trailing dotted quad: two 16-bit groups.
    const v4 = v4Value(text.slice(lastColon + 1));
    tail = [v4 >> 16n, v4 & 0xffffn];
    const head = text.slice(0, lastColon + 1); // `::ffff:` or `::` or `64:ff9b::`
    text = head.endsWith('::') ? head : head.slice(0, -1);
  }
  const [head, rest] = text.includes('::') ? text.split('::') as [string, string] : [text, null];
  const groups = (s: string): bigint[] => (s === '' ? [] : s.split(':').map((g) => BigInt(Number.parseInt(g, 16))));
  const h = groups(head);
  const r = rest === null ? [] : groups(rest);
  const fill = 8 - h.length - r.length - tail.length;
  const all = [...h, ...Array.from({ length: rest === null ? 0 : fill }, () => 0n), ...r, ...tail];
  return all.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/**
 * Parse a CIDR block (`10.0.0.0/8`, `fd00::/8`, or a bare address for one host).
 * @param path - the option path, for the error
 * @param text - the block
 * @returns the block, host bits cleared
 * @throws {@link ConfigError} when it is not an address with a prefix in range
 * @internal
 */
export function parseCidr(path: string, text: unknown): Cidr {
  const allowed = 'an IPv4 or IPv6 CIDR block, e.g. 10.0.0.0/8, fd00::/8 or 127.0.0.1';
  if (typeof text !== 'string') throw new ConfigError(path, text, allowed);
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const family = isIPv4(addr) ? 4 : isIPv6(addr) ? 6 : 0;
  if (family === 0) throw new ConfigError(path, text, allowed);
  const bits = family === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(bits) : text.slice(slash + 1);
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : -1;
  if (prefix < 0 || prefix > bits) throw new ConfigError(path, text, `${allowed}, with a prefix length from 0 to ${bits}`);
  const value = family === 4 ? v4Value(addr) : v6Value(addr);
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  return { text, family, network: value & mask, prefix };
}

/**
 * Whether an address lies in one of the blocks.
 * @param blocks - parsed blocks
 * @param address - the address's text
 * @returns true when one block holds it
 * @internal
 */
export function inCidrs(blocks: readonly Cidr[], address: string): boolean {
  const a = addressValue(address);
  if (a === null) return false;
  return blocks.some((b) => {
    if (b.family !== a.family) return false;
    const bits = b.family === 4 ? 32 : 128;
    const shift = BigInt(bits - b.prefix);
    return a.value >> shift === b.network >> shift;
  });
}
