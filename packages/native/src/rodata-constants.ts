// Load-time constants: `const volatile` globals of an object's .rodata,
// written into the map's initial value before load. Each variable's offset
// and size come from the BTF DATASEC of .rodata as libbpf finalized it at
// open, never from counting.
import { ConfigError } from '@bpfscope/core';
import { describeType, type StructField } from './btf-layout.js';
import { KIND, typeAt, type BtfTypes } from './btf-parse.js';

/** A value for a `const volatile` variable: integers as number or bigint, `bool` as boolean, anything (arrays, structs) as its exact bytes. */
export type ConstantValue = number | bigint | boolean | Uint8Array;

/** A `const volatile` variable of an object's .rodata. */
export interface ConstantInfo {
  /** Variable name. */
  name: string;
  /** Offset in .rodata. */
  offset: number;
  /** Size in bytes. */
  size: number;
  /** C type, e.g. `__u32`, `bool`, `char[8]`. */
  type: string;
}

/** @internal */
export interface RodataVariable extends ConstantInfo {
  field: StructField;
}

/** The variables of the DATASEC `.rodata`, by name. @internal */
export function rodataVariables(btf: BtfTypes | undefined): Map<string, RodataVariable> {
  const out = new Map<string, RodataVariable>();
  const sec = btf?.types.find((t) => t?.kind === KIND.DATASEC && t.name === '.rodata');
  if (!btf || !sec?.vars) return out;
  for (const v of sec.vars) {
    const variable = typeAt(btf, v.type);
    if (variable.kind !== KIND.VAR) continue;
    const field = describeType(btf, variable.sizeOrType, v.offset);
    out.set(variable.name, { name: variable.name, offset: v.offset, size: v.size, type: field.type, field });
  }
  return out;
}

/**
 * Writes `value` into `rodata` (the whole .rodata initial value) at the variable's offset.
 * @internal
 * @throws {@link @bpfscope/core!ConfigError} for an unknown name, a wrong size or type, or an integer out of range
 */
export function encodeConstant(rodata: Uint8Array, variables: ReadonlyMap<string, RodataVariable>, name: string, value: ConstantValue, object: string): void {
  const path = `constants.${name}`;
  const v = variables.get(name);
  if (v === undefined) {
    const names = [...variables.keys()];
    throw new ConfigError(path, value, names.length > 0 ? `the name of a const volatile variable of ${object}: ${names.join(', ')}` : `nothing: ${object} has no const volatile (.rodata) variables`, {
      details: { object, known: names },
    });
  }
  if (v.offset + v.size > rodata.length) {
    throw new ConfigError(path, value, `a variable inside .rodata (${v.name} at ${v.offset}+${v.size} is past its ${rodata.length} bytes)`, { details: { object } });
  }
  const view = new DataView(rodata.buffer, rodata.byteOffset + v.offset, v.size);
  if (value instanceof Uint8Array) {
    if (value.length !== v.size) throw new ConfigError(path, `${value.length} bytes`, `exactly ${v.size} bytes (${v.type})`, { details: { object } });
    rodata.set(value, v.offset);
    return;
  }
  const { kind } = v.field;
  if (kind === 'bool' && (typeof value === 'boolean' || value === 0 || value === 1)) {
    writeInt(view, v.size, BigInt(Number(value)));
    return;
  }
  if ((kind === 'uint' || kind === 'int') && (typeof value === 'number' || typeof value === 'bigint') && [1, 2, 4, 8].includes(v.size)) {
    const bits = BigInt(v.size * 8);
    const [min, max] = kind === 'int' ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
    const range = `an integer from ${min} to ${max} (${v.type})`;
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new ConfigError(path, value, `${range}; use a bigint beyond 2^53`, { details: { object } });
    const big = BigInt(value);
    if (big < min || big > max) throw new ConfigError(path, typeof value === 'bigint' ? `${value}n` : value, range, { details: { object } });
    writeInt(view, v.size, big);
    return;
  }
  if (kind === 'float' && typeof value === 'number' && (v.size === 4 || v.size === 8)) {
    if (v.size === 4) view.setFloat32(0, value, true);
    else view.setFloat64(0, value, true);
    return;
  }
  const expected = kind === 'bool' ? 'a boolean' : kind === 'uint' || kind === 'int' ? 'a number or bigint' : kind === 'float' ? 'a number' : `a Uint8Array of ${v.size} bytes`;
  throw new ConfigError(path, typeof value === 'bigint' ? `${value}n` : value, `${expected} (${v.type}, ${v.size} bytes)`, { details: { object } });
}

function writeInt(view: DataView, size: number, value: bigint): void {
  const unsigned = BigInt.asUintN(size * 8, value);
  if (size === 8) view.setBigUint64(0, unsigned, true);
  else if (size === 4) view.setUint32(0, Number(unsigned), true);
  else if (size === 2) view.setUint16(0, Number(unsigned), true);
  else view.setUint8(0, Number(unsigned));
}
