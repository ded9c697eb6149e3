// Sizes V8 gives values on 64-bit Node without pointer compression (Node's default build).
const POINTER = 8;
const OBJECT_HEADER = 24; // map, properties, elements
const ARRAY_HEADER = 32 + 16; // the JSArray and its elements store's header
const STRING_HEADER = 16;
const HEAP_NUMBER = 16;
const BIGINT_HEADER = 16;
const SMI_MIN = -(2 ** 31);
const SMI_MAX = 2 ** 31 - 1;

const round8 = (n: number): number => Math.ceil(n / 8) * 8;

function stringBytes(s: string): number {
  // Latin-1 strings take one byte per character, others two.
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return STRING_HEADER + round8(s.length * 2);
  return STRING_HEADER + round8(s.length);
}

function leafBytes(v: unknown): number {
  switch (typeof v) {
    case 'number':
      return Number.isInteger(v) && v >= SMI_MIN && v <= SMI_MAX ? 0 : HEAP_NUMBER;
    case 'string':
      return stringBytes(v);
    case 'bigint': {
      let digits = 1;
      for (let x = v < 0n ? -v : v; x >= 1n << 64n; x >>= 64n) digits++;
      return BIGINT_HEADER + 8 * digits;
    }
    default:
      return 0; // booleans, null, undefined: shared constants
  }
}

/**
 * Estimated bytes a value holds on the JavaScript heap, from its shape: an object 24 B
 * plus 8 B per property, an array 48 B plus 8 B per element, a string 16 B plus its length
 * (twice that when not Latin-1), a number outside the small-integer range 16 B, a bigint
 * 16 B plus 8 B per 64 bits, typed arrays their bytes plus 64 B; an object reached twice
 * counts once. An estimate, not a measurement: V8's real layout varies (hidden classes,
 * dictionary-mode objects, over-allocated arrays). One pass over the value. @internal
 * @param value - the value
 * @returns the estimated bytes
 */
export function estimateBytes(value: unknown): number {
  if (value === null || typeof value !== 'object') return leafBytes(value);
  const seen = new Set<object>([value]);
  const stack: object[] = [value];
  let bytes = 0;
  // Primitives are sized where they are met; objects go on the stack once.
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object') bytes += leafBytes(v);
    else if (!seen.has(v)) {
      seen.add(v);
      stack.push(v);
    }
  };
  while (stack.length > 0) {
    const o = stack.pop()!;
    if (ArrayBuffer.isView(o)) {
      bytes += o.byteLength + 64;
    } else if (Array.isArray(o)) {
      bytes += ARRAY_HEADER + POINTER * o.length;
      for (let i = 0; i < o.length; i++) visit(o[i]);
    } else if (o instanceof Map) {
      bytes += OBJECT_HEADER + 3 * POINTER * o.size;
      for (const [k, e] of o) {
        visit(k);
        visit(e);
      }
    } else if (o instanceof Set) {
      bytes += OBJECT_HEADER + 2 * POINTER * o.size;
      for (const e of o) visit(e);
    } else if (o instanceof Date) {
      bytes += OBJECT_HEADER + HEAP_NUMBER;
    } else {
      let n = 0;
      for (const k in o) {
        if (!Object.hasOwn(o, k)) continue;
        n++;
        visit((o as Record<string, unknown>)[k]);
      }
      bytes += OBJECT_HEADER + POINTER * n;
    }
  }
  return bytes;
}
