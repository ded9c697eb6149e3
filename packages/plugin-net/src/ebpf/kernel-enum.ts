import { readFileSync } from 'node:fs';

// BTF kinds whose records carry data after the 12-byte header (linux/btf.h), and its size.
const INT = 1, ARRAY = 3, STRUCT = 4, UNION = 5, ENUM = 6, VAR = 14, DATASEC = 15, FUNC_PROTO = 13, DECL_TAG = 17, ENUM64 = 19;

function extra(kind: number, vlen: number): number {
  switch (kind) {
    case INT: case VAR: case DECL_TAG: return 4;
    case ARRAY: return 12;
    case STRUCT: case UNION: case DATASEC: case ENUM64: return vlen * 12;
    case ENUM: case FUNC_PROTO: return vlen * 8;
    default: return 0;
  }
}

/**
 * The values of one enum of the running kernel, by value, read from its BTF
 * (/sys/kernel/btf/vmlinux): e.g. `skb_drop_reason`, whose names are what kfree_skb drops
 * are counted by. Only the type records are walked; only the wanted enum's names are decoded.
 * @param name - the enum's name
 * @param path - the BTF file
 * @returns value → name (without a common `SKB_DROP_REASON_`-style prefix), or null when the
 *   file cannot be read, is not BTF, or has no such enum
 * @internal
 */
export function readKernelEnum(name: string, prefix = '', path = '/sys/kernel/btf/vmlinux'): Map<number, string> | null {
  let btf: Buffer;
  try {
    btf = readFileSync(path);
  } catch {
    return null;
  }
  if (btf.length < 24 || btf.readUInt16LE(0) !== 0xeb9f) return null;
  const hdr = btf.readUInt32LE(4);
  const typeOff = hdr + btf.readUInt32LE(8);
  const typeEnd = typeOff + btf.readUInt32LE(12);
  const strOff = hdr + btf.readUInt32LE(16);
  const strEnd = strOff + btf.readUInt32LE(20);
  if (typeEnd > btf.length || strEnd > btf.length) return null;
  const want = Buffer.from(`${name}\0`, 'latin1');
  const str = (off: number): string => {
    const start = strOff + off;
    const end = btf.indexOf(0, start);
    return btf.toString('latin1', start, end < 0 || end > strEnd ? strEnd : end);
  };
  for (let p = typeOff; p + 12 <= typeEnd; ) {
    const nameOff = btf.readUInt32LE(p);
    const info = btf.readUInt32LE(p + 4);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const body = p + 12;
    if (kind === ENUM && btf.compare(want, 0, want.length, strOff + nameOff, strOff + nameOff + want.length) === 0) {
      const out = new Map<number, string>();
      for (let i = 0; i < vlen; i++) {
        const n = str(btf.readUInt32LE(body + i * 8));
        out.set(btf.readInt32LE(body + i * 8 + 4), n.startsWith(prefix) ? n.slice(prefix.length) : n);
      }
      return out;
    }
    p = body + extra(kind, vlen);
  }
  return null;
}
