// The BTF of an opened object as libbpf finalized it, parsed once and shared
// by every handle on the object: struct layouts and .rodata variables.
import { requireStruct, structLayoutsOf, type StructLayout } from './btf-layout.js';
import { parseBtf, type BtfTypes } from './btf-parse.js';
import type { RawBpfObject } from './raw-binding.js';
import { rodataVariables, type RodataVariable } from './rodata-constants.js';

/** @internal */
export class ObjectBtf {
  readonly #raw: RawBpfObject;
  readonly #name: string;
  #types: BtfTypes | undefined | null = null;
  #layouts: Map<string, StructLayout> | undefined;
  #rodata: Map<string, RodataVariable> | undefined;

  constructor(raw: RawBpfObject, name: string) {
    this.#raw = raw;
    this.#name = name;
  }

  /** The parsed BTF, or undefined for an object without any. */
  types(): BtfTypes | undefined {
    if (this.#types === null) {
      const bytes = this.#raw.btf();
      this.#types = bytes === undefined ? undefined : parseBtf(new Uint8Array(bytes), this.#name);
    }
    return this.#types;
  }

  /** Every struct by name (each laid out when first read), or undefined for an object without BTF. */
  layouts(): Map<string, StructLayout> | undefined {
    const types = this.types();
    if (types === undefined) return undefined;
    this.#layouts ??= structLayoutsOf(types);
    return this.#layouts;
  }

  /** A named struct; LoadFailed listing the structs when absent. */
  struct(name: string): StructLayout {
    return requireStruct(this.layouts() ?? new Map<string, StructLayout>(), name, {});
  }

  /** The `const volatile` variables of .rodata. */
  rodata(): Map<string, RodataVariable> {
    this.#rodata ??= rodataVariables(this.types());
    return this.#rodata;
  }
}
