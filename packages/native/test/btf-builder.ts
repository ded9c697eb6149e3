// Hand-made raw BTF for the tests of the BTF check and parser.
import { KIND } from '../src/btf-parse.js';

// Raw BTF from type records (u32 words each) and a string section.
export function btf(types: number[][], strings = '\0int\0s\0m\0', patch: (v: DataView) => void = () => {}): Uint8Array {
  const words = types.flat();
  const str = new TextEncoder().encode(strings);
  const out = new Uint8Array(24 + words.length * 4 + str.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, 0xeb9f, true);
  v.setUint8(2, 1);
  v.setUint32(4, 24, true);
  v.setUint32(8, 0, true);
  v.setUint32(12, words.length * 4, true);
  v.setUint32(16, words.length * 4, true);
  v.setUint32(20, str.length, true);
  words.forEach((w, i) => v.setUint32(24 + i * 4, w >>> 0, true));
  out.set(str, 24 + words.length * 4);
  patch(v);
  return out;
}
export const info = (kind: number, vlen = 0): number => ((kind << 24) | vlen) >>> 0;
export const INT = [1, info(KIND.INT), 4, 32]; // [1] int
export const STRUCT = (memberType: number, nameOff = 7): number[] => [5, info(KIND.STRUCT, 1), 4, nameOff, memberType, 0]; // struct s { int m; }

