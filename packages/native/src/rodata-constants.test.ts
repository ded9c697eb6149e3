import { describe, expect, it } from 'vitest';
import { ConfigError } from '@bpfscope/core';
import { encodeConstant, type RodataVariable } from './rodata-constants.js';

const variable = (name: string, offset: number, size: number, kind: RodataVariable['field']['kind'], type: string): RodataVariable => ({
  name,
  offset,
  size,
  type,
  field: { offset, size, kind, type },
});

const vars = new Map(
  [
    variable('u8v', 0, 1, 'uint', '__u8'),
    variable('s16v', 2, 2, 'int', '__s16'),
    variable('u32v', 4, 4, 'uint', '__u32'),
    variable('u64v', 8, 8, 'uint', '__u64'),
    variable('s64v', 16, 8, 'int', '__s64'),
    variable('flag', 24, 1, 'bool', 'bool'),
    variable('tag', 25, 4, 'string', 'char[4]'),
    variable('ratio', 32, 8, 'float', 'double'),
  ].map((v) => [v.name, v]),
);

describe('encodeConstant', () => {
  it('writes each value little-endian at the variable offset and nowhere else', () => {
    const rodata = new Uint8Array(40);
    const set = (name: string, value: number | bigint | boolean | Uint8Array): void => encodeConstant(rodata, vars, name, value, 'obj');
    set('u8v', 255);
    set('s16v', -2);
    set('u32v', 0xdeadbeef);
    set('u64v', 2n ** 64n - 1n);
    set('s64v', -3n);
    set('flag', true);
    set('tag', new Uint8Array([65, 66, 67, 0]));
    set('ratio', 0.5);
    const v = new DataView(rodata.buffer);
    expect(v.getUint8(0)).toBe(255);
    expect(v.getUint8(1)).toBe(0); // padding untouched
    expect(v.getInt16(2, true)).toBe(-2);
    expect(v.getUint32(4, true)).toBe(0xdeadbeef);
    expect(v.getBigUint64(8, true)).toBe(2n ** 64n - 1n);
    expect(v.getBigInt64(16, true)).toBe(-3n);
    expect(v.getUint8(24)).toBe(1);
    expect(Array.from(rodata.subarray(25, 29))).toEqual([65, 66, 67, 0]);
    expect(v.getFloat64(32, true)).toBe(0.5);
  });

  it('refuses what does not fit with a ConfigError naming the variable, its type and the allowed range', () => {
    const rodata = new Uint8Array(40);
    const error = (name: string, value: number | bigint | boolean | Uint8Array): ConfigError => {
      try {
        encodeConstant(rodata, vars, name, value, 'obj');
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return e as ConfigError;
      }
      throw new Error('accepted');
    };
    expect(error('nope', 1).message).toMatch(/constants\.nope.*u8v, s16v, u32v, u64v, s64v, flag, tag, ratio/);
    expect(error('u8v', 256).message).toMatch(/from 0 to 255 \(__u8\)/);
    expect(error('s16v', -32769).message).toMatch(/from -32768 to 32767/);
    expect(error('u32v', 1.5).message).toMatch(/constants\.u32v/);
    expect(error('tag', new Uint8Array(3)).message).toMatch(/exactly 4 bytes \(char\[4\]\)/);
    expect(error('tag', 'ABC' as unknown as number).message).toMatch(/a Uint8Array of 4 bytes/);
    expect(error('flag', 'yes' as unknown as boolean).message).toMatch(/a boolean/);
    expect(rodata.every((b) => b === 0)).toBe(true); // nothing written
    expect(() => encodeConstant(new Uint8Array(0), new Map(), 'x', 1, 'empty')).toThrow(/has no const volatile/);
  });
});
