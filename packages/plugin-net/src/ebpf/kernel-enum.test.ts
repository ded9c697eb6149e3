import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readKernelEnum } from './kernel-enum.js';

/** A raw BTF blob: an int, a struct of one member, and the enum `name` with `values`. */
function btf(name: string, values: ReadonlyArray<[string, number]>): Buffer {
  const strings = ['', 'int', 'pair', 'a', name, ...values.map(([n]) => n)];
  const off = (s: string): number => strings.slice(0, strings.indexOf(s)).reduce((n, x) => n + Buffer.byteLength(x) + 1, 0);
  const words: number[] = [
    off('int'), 1 << 24, 4, 32, // INT, 32 bits
    off('pair'), (4 << 24) | 1, 4, off('a'), 1, 0, // STRUCT with one member
    off(name), (6 << 24) | values.length, 4, ...values.flatMap(([n, v]) => [off(n), v]), // ENUM
  ];
  const types = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => types.writeUInt32LE(w >>> 0, i * 4));
  const strs = Buffer.from(strings.map((s) => `${s}\0`).join(''), 'latin1');
  const hdr = Buffer.alloc(24);
  hdr.writeUInt16LE(0xeb9f, 0);
  hdr.writeUInt8(1, 2);
  hdr.writeUInt32LE(24, 4);
  hdr.writeUInt32LE(0, 8);
  hdr.writeUInt32LE(types.length, 12);
  hdr.writeUInt32LE(types.length, 16);
  hdr.writeUInt32LE(strs.length, 20);
  return Buffer.concat([hdr, types, strs]);
}

describe('readKernelEnum', () => {
  const dir = mkdtempSync(join(tmpdir(), 'net-enum-'));
  afterAll(() => rmSync(dir, { recursive: true }));
  const file = (name: string, data: Buffer | string): string => {
    writeFileSync(join(dir, name), data);
    return join(dir, name);
  };

  it('reads the enum past other types, by value, without the common prefix', () => {
    const path = file('ok', btf('skb_drop_reason', [['SKB_DROP_REASON_NOT_SPECIFIED', 2], ['SKB_DROP_REASON_NETFILTER_DROP', 13]]));
    expect(readKernelEnum('skb_drop_reason', 'SKB_DROP_REASON_', path)).toEqual(new Map([[2, 'NOT_SPECIFIED'], [13, 'NETFILTER_DROP']]));
  });

  it('gives null for another enum name, a file that is not BTF, or no file', () => {
    expect(readKernelEnum('skb_drop_reason', '', file('other', btf('skb_drop_reasons', [['X', 1]])))).toBeNull();
    expect(readKernelEnum('skb_drop_reason', '', file('junk', 'not btf at all, long enough'))).toBeNull();
    expect(readKernelEnum('skb_drop_reason', '', join(dir, 'missing'))).toBeNull();
  });
});
