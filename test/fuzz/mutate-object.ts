// One fuzz case of an eBPF object: 1–3 mutations stacked on a fixture, most of
// them integer edits at known ELF/BTF offsets (elf-fields.ts), the rest blind.
import { elfFields, type Field } from './elf-fields.js';
import { flipBytes, insertOrDelete, INTERESTING_U32, splice, truncate } from './mutate-bytes.js';
import type { Prng } from './prng.js';

/** A fixture object and its fields, computed once. */
export interface ObjectSeed {
  name: string;
  image: Uint8Array;
  fields: readonly Field[];
  /** The same fields by part (ELF header, section headers, symbols, relocations, .BTF, .BTF.ext). */
  groups: readonly (readonly Field[])[];
}

const part = (f: Field): string =>
  f.name.startsWith('ehdr.') ? 'ehdr' : f.name.startsWith('shdr[') ? 'shdr' : f.name.startsWith('btf_ext.') ? 'btf_ext' : f.name.startsWith('btf.') ? 'btf' : f.name.includes('.r_') ? 'rel' : 'sym';

/** The fields of `image`, for {@link mutateObject}. */
export function objectSeed(name: string, image: Uint8Array): ObjectSeed {
  const fields = elfFields(image);
  const groups = new Map<string, Field[]>();
  for (const f of fields) {
    const key = part(f);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(f);
  }
  return { name, image, fields, groups: [...groups.values()] };
}

/** The mutated bytes, with a line per mutation for the failure report. */
export interface MutatedCase {
  bytes: Uint8Array;
  steps: string[];
}

const read = (view: DataView, f: Field): bigint =>
  f.size === 1 ? BigInt(view.getUint8(f.offset)) : f.size === 2 ? BigInt(view.getUint16(f.offset, true)) : f.size === 4 ? BigInt(view.getUint32(f.offset, true)) : view.getBigUint64(f.offset, true);

function write(view: DataView, f: Field, v: bigint): void {
  const masked = BigInt.asUintN(f.size * 8, v);
  if (f.size === 1) view.setUint8(f.offset, Number(masked));
  else if (f.size === 2) view.setUint16(f.offset, Number(masked), true);
  else if (f.size === 4) view.setUint32(f.offset, Number(masked), true);
  else view.setBigUint64(f.offset, masked, true);
}

/** A new value for a field: a boundary, a neighbour of the old value, a bit flipped, the file's length. */
function newValue(rng: Prng, old: bigint, size: number, length: number): bigint {
  switch (rng.below(7)) {
    case 0: return BigInt(rng.pick(INTERESTING_U32));
    case 1: return old + BigInt(rng.between(-16, 16));
    case 2: return old ^ (1n << BigInt(rng.below(size * 8)));
    case 3: return BigInt(length + rng.between(-8, 8));
    case 4: return (1n << BigInt(size * 8)) - 1n;
    case 5: return old * 2n + 1n;
    default: return BigInt(rng.u32());
  }
}

/** Edits one known field of the image (when it lies inside the image, which earlier mutations may have cut). */
export function editField(rng: Prng, bytes: Uint8Array, fields: readonly Field[]): { bytes: Uint8Array; step: string } {
  const f = rng.pick(fields);
  if (f.offset + f.size > bytes.length) return { bytes, step: `field ${f.name}: beyond the (cut) image, left` };
  const out = Uint8Array.from(bytes);
  const view = new DataView(out.buffer);
  const old = read(view, f);
  const v = newValue(rng, old, f.size, bytes.length);
  write(view, f, v);
  return { bytes: out, step: `field ${f.name} @${f.offset}: ${old} -> ${BigInt.asUintN(f.size * 8, v)}` };
}

/**
 * Mutates `seed.image` 1–3 times. `donors` are the other fixtures, spliced from.
 * @returns the bytes and what was done
 */
export function mutateObject(rng: Prng, seed: ObjectSeed, donors: readonly ObjectSeed[]): MutatedCase {
  let bytes = seed.image;
  const steps: string[] = [`from ${seed.name}`];
  for (let n = rng.between(1, 3); n > 0; n--) {
    const op = rng.below(10);
    if (op < 6) {
      // A part first, then a field in it: .BTF has thousands of fields to the ELF header's 15,
      // and the header, relocations and .BTF.ext deserve as many edits.
      const r = editField(rng, bytes, rng.pick(seed.groups));
      bytes = r.bytes;
      steps.push(r.step);
    } else if (op === 6) {
      bytes = flipBytes(rng, bytes);
      steps.push('byte flips');
    } else if (op === 7) {
      bytes = truncate(rng, bytes);
      steps.push(`truncated to ${bytes.length}`);
    } else if (op === 8) {
      const donor = rng.pick(donors.length > 0 ? donors : [seed]);
      bytes = splice(rng, bytes, donor.image);
      steps.push(`splice from ${donor.name}`);
    } else {
      bytes = insertOrDelete(rng, bytes);
      steps.push(`insert/delete, now ${bytes.length} bytes`);
    }
  }
  return { bytes, steps };
}
