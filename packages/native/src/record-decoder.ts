// Decodes packed C structs (a batch read, an iterator's output) into JS
// records, with offsets and types from a BTF layout. The decoder of a layout
// is generated once as straight-line code (one object literal per record, one
// DataView read per member), so a batch decodes in one pass without per-member
// dispatch.
import { EventProcessingFailed } from '@bpfscope/core';
import type { StructField, StructLayout } from './btf-layout.js';

/** A decoded member: see {@link FieldKind} for which kind gives which type. */
export type DecodedValue = number | bigint | boolean | string | Uint8Array | DecodedValue[] | DecodedRecord;

/** One decoded struct: member name → value. */
export interface DecodedRecord {
  /** A member of the struct. */
  [field: string]: DecodedValue;
}

/** Options of {@link decodeRecords} and {@link createRecordDecoder}. */
export interface DecodeOptions {
  /**
   * How 8-byte integers and pointers decode: `bigint` (exact), or `number`
   * (faster; a value beyond Number.MAX_SAFE_INTEGER still comes back as a
   * bigint, so nothing is ever rounded).
   * @defaultValue `'bigint'`
   */
  u64?: 'bigint' | 'number';
  /** Decode only these members. @defaultValue every named member */
  fields?: readonly string[];
}

/** Options of {@link decodeRecords}. */
export interface DecodeRecordsOptions extends DecodeOptions {
  /** Bytes from one record to the next. @defaultValue the layout's size */
  stride?: number;
  /** Number of records; by default as many as fill the bytes, which must then be a whole number of records. */
  count?: number;
  /** Append the records to this array (e.g. across the chunks of {@link BpfMap.lookupBatches}) and return it. */
  into?: DecodedRecord[];
}

/** Decodes the record that starts at byte `offset` of `bytes`. */
export type RecordDecoder = (bytes: Uint8Array, offset: number) => DecodedRecord;

type Compiled = (view: DataView, u8: Uint8Array, base: number) => DecodedRecord;

const utf8 = new TextDecoder();

/**
 * A NUL-terminated `char[len]` starting at byte `at`: ASCII without a decoder call,
 * anything else as UTF-8. For decoders of records with C strings (`comm`).
 * @param u8 - the bytes
 * @param at - offset of the first char
 * @param len - the array's length (the string ends at the first NUL or here)
 * @returns the string
 */
export function decodeCString(u8: Uint8Array, at: number, len: number): string {
  const stop = at + len;
  let end = at;
  let ascii = true;
  while (end < stop) {
    const c = u8[end] as number;
    if (c === 0) break;
    if (c > 127) ascii = false;
    end++;
  }
  if (!ascii) return utf8.decode(u8.subarray(at, end));
  let s = '';
  for (let i = at; i < end; i++) s += String.fromCharCode(u8[i] as number);
  return s;
}

const helpers = {
  str: decodeCString,
  // The common small value returns the u32 itself, which V8 keeps unboxed
  // (a Smi) where `hi * 2^32 + lo` would allocate a heap number.
  u64n(view: DataView, at: number): number | bigint {
    const hi = view.getUint32(at + 4, true);
    if (hi === 0) return view.getUint32(at, true);
    return hi < 0x200000 ? hi * 4294967296 + view.getUint32(at, true) : view.getBigUint64(at, true);
  },
  s64n(view: DataView, at: number): number | bigint {
    const hi = view.getInt32(at + 4, true);
    return hi >= -0x200000 && hi < 0x200000 ? hi * 4294967296 + view.getUint32(at, true) : view.getBigInt64(at, true);
  },
};

const cache = new WeakMap<StructLayout, Map<string, Compiled>>();

/**
 * A decoder for one layout, generated once per layout and options.
 *
 * @param layout - from {@link BpfMap.valueLayout}, {@link readStructLayouts} or {@link BpfObject.structLayout}
 * @param options - u64 decoding and the members to decode
 * @throws {@link @bpfscope/core!EventProcessingFailed} for a member it cannot decode (a bitfield) or an unknown name in `fields`
 */
export function createRecordDecoder(layout: StructLayout, options: DecodeOptions = {}): RecordDecoder {
  const compiled = compile(layout, options);
  let last: Uint8Array | undefined;
  let view: DataView = new DataView(new ArrayBuffer(0));
  return (bytes, offset) => {
    if (bytes !== last) {
      last = bytes;
      view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    if (!Number.isInteger(offset) || offset < 0 || offset + layout.size > bytes.length) {
      throw new EventProcessingFailed(`struct ${layout.name} at offset ${offset} runs past the ${bytes.length} bytes given`, { details: { struct: layout.name, offset } });
    }
    return compiled(view, bytes, offset);
  };
}

/**
 * Decodes packed records, e.g. the values of a batch read or an iterator's
 * output, into JS objects: integers as numbers (8-byte ones as bigints unless
 * `u64: 'number'`), `char` arrays as strings up to the first NUL, other arrays
 * as arrays, nested structs as objects.
 *
 * @param bytes - the packed records
 * @param layout - their layout (from BTF)
 * @param options - stride, count, u64 decoding, members to decode
 * @returns one record per struct
 * @throws {@link @bpfscope/core!EventProcessingFailed} when the bytes are not a whole number of records, or a member cannot be decoded
 * @example
 * ```ts
 * const batch = await map.lookupBatch();
 * const values = decodeRecords(batch.values, map.valueLayout(), { u64: 'number' });
 * ```
 */
export function decodeRecords(bytes: Uint8Array | ArrayBuffer, layout: StructLayout, options: DecodeRecordsOptions = {}): DecodedRecord[] {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const stride = options.stride ?? layout.size;
  if (!Number.isInteger(stride) || stride < layout.size || stride <= 0) {
    throw new EventProcessingFailed(`stride ${stride} is smaller than struct ${layout.name} (${layout.size} bytes)`, { details: { struct: layout.name, stride } });
  }
  let count = options.count;
  if (count === undefined) {
    if (u8.length % stride !== 0) {
      throw new EventProcessingFailed(`${u8.length} bytes are not a whole number of ${stride}-byte struct ${layout.name} records (${layout.source})`, {
        details: { struct: layout.name, bytes: u8.length, stride },
      });
    }
    count = u8.length / stride;
  } else if (!Number.isInteger(count) || count < 0 || (count > 0 && (count - 1) * stride + layout.size > u8.length)) {
    throw new EventProcessingFailed(`${count} records of struct ${layout.name} do not fit in ${u8.length} bytes`, { details: { struct: layout.name, bytes: u8.length, count } });
  }
  const compiled = compile(layout, options);
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const whole = new Uint8Array(u8.buffer, u8.byteOffset, u8.byteLength);
  const into = options.into;
  if (into !== undefined) {
    for (let i = 0, at = 0; i < count; i++, at += stride) into.push(compiled(view, whole, at));
    return into;
  }
  const out = new Array<DecodedRecord>(count);
  for (let i = 0, at = 0; i < count; i++, at += stride) out[i] = compiled(view, whole, at);
  return out;
}

function compile(layout: StructLayout, options: DecodeOptions): Compiled {
  const key = `${options.u64 ?? 'bigint'}|${options.fields?.join(',') ?? '*'}`;
  let perLayout = cache.get(layout);
  const known = perLayout?.get(key);
  if (known) return known;
  const subs: Compiled[] = [];
  const body = `return ${structExpr(layout, 'base', options, subs, options.fields)};`;
  // Names only reach the code through JSON.stringify and numbers through
  // Number(): the layout cannot inject anything.
  const make = new Function('h', 'subs', `return function decode(view, u8, base) { ${body} };`) as (h: typeof helpers, subs: Compiled[]) => Compiled;
  const fn = make(helpers, subs);
  if (!perLayout) cache.set(layout, (perLayout = new Map()));
  perLayout.set(key, fn);
  return fn;
}

function structExpr(layout: StructLayout, base: string, options: DecodeOptions, subs: Compiled[], only?: readonly string[]): string {
  const names = only ?? Object.keys(layout.fields);
  const parts = names.map((name) => {
    const field = layout.fields[name];
    if (field === undefined) {
      throw new EventProcessingFailed(`struct ${layout.name} has no member ${name} (members: ${Object.keys(layout.fields).join(', ')})`, { details: { struct: layout.name, field: name } });
    }
    return `${JSON.stringify(name)}: ${fieldExpr(field, `${base} + ${Number(field.offset)}`, options, subs, `${layout.name}.${name}`)}`;
  });
  return `{ ${parts.join(', ')} }`;
}

function fieldExpr(field: StructField, at: string, options: DecodeOptions, subs: Compiled[], path: string): string {
  if (field.bitSize !== undefined) {
    throw new EventProcessingFailed(`${path} is a ${field.bitSize}-bit bitfield, which the record decoder does not read; leave it out with the fields option`, { details: { field: path } });
  }
  const size = Number(field.size);
  const numbers = options.u64 === 'number';
  switch (field.kind) {
    case 'uint': case 'int': case 'pointer': {
      const signed = field.kind === 'int';
      if (size === 1) return signed ? `view.getInt8(${at})` : `u8[${at}]`;
      if (size === 2) return `view.get${signed ? 'Int' : 'Uint'}16(${at}, true)`;
      if (size === 4) return `view.get${signed ? 'Int' : 'Uint'}32(${at}, true)`;
      if (size === 8) return numbers ? `h.${signed ? 's' : 'u'}64n(view, ${at})` : `view.get${signed ? 'BigInt' : 'BigUint'}64(${at}, true)`;
      return bytesExpr(at, size);
    }
    case 'bool':
      return size === 1 ? `u8[${at}] !== 0` : `(${fieldExpr({ ...field, kind: 'uint' }, at, options, subs, path)}) != 0`;
    case 'float':
      return size === 4 ? `view.getFloat32(${at}, true)` : size === 8 ? `view.getFloat64(${at}, true)` : bytesExpr(at, size);
    case 'string':
      return `h.str(u8, ${at}, ${size})`;
    case 'struct':
      return field.layout ? structExpr(field.layout, `(${at})`, options, subs) : bytesExpr(at, size);
    case 'array': {
      const element = field.element;
      const length = Number(field.length ?? 0);
      if (!element || length === 0) return bytesExpr(at, size);
      const step = Number(element.size);
      if (length <= 16) {
        return `[${Array.from({ length }, (_, i) => fieldExpr(element, `${at} + ${i * step}`, options, subs, `${path}[${i}]`)).join(', ')}]`;
      }
      const one = new Function('h', 'subs', `return function (view, u8, base) { return ${fieldExpr(element, 'base', options, subs, `${path}[]`)}; };`)(helpers, subs) as Compiled;
      subs.push(one);
      const index = subs.length - 1;
      return `(() => { const a = new Array(${length}); for (let i = 0; i < ${length}; i++) a[i] = subs[${index}](view, u8, ${at} + i * ${step}); return a; })()`;
    }
    default:
      return bytesExpr(at, size);
  }
}

function bytesExpr(at: string, size: number): string {
  return `u8.slice(${at}, ${at} + ${size})`;
}
