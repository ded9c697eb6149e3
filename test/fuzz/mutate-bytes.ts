// Mutations that know nothing of the format: bit and byte flips, truncation,
// splices from the same or another input, inserted and deleted runs.
import type { Prng } from './prng.js';

/** Boundary values that break size and offset arithmetic. */
export const INTERESTING_U32: readonly number[] = [0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** Flips 1–8 random bits, or overwrites 1–4 bytes with random or boundary bytes. */
export function flipBytes(rng: Prng, input: Uint8Array): Uint8Array {
  if (input.length === 0) return input;
  const out = Uint8Array.from(input);
  if (rng.chance(0.5)) {
    for (let n = rng.between(1, 8); n > 0; n--) {
      const i = rng.below(out.length);
      out[i] = (out[i] as number) ^ (1 << rng.below(8));
    }
  } else {
    const at = rng.below(out.length);
    for (let i = at; i < Math.min(out.length, at + rng.between(1, 4)); i++) out[i] = rng.pick([0, 0xff, 0x7f, 0x80, rng.below(256)]);
  }
  return out;
}

/** Cuts the input at a random point (sometimes to nothing). */
export function truncate(rng: Prng, input: Uint8Array): Uint8Array {
  return input.slice(0, rng.chance(0.05) ? 0 : rng.below(input.length + 1));
}

/** Copies a run of bytes from `donor` (another input, or this one) over or into the input. */
export function splice(rng: Prng, input: Uint8Array, donor: Uint8Array): Uint8Array {
  if (donor.length === 0 || input.length === 0) return input;
  const from = rng.below(donor.length);
  const len = Math.min(donor.length - from, rng.between(1, 256));
  const chunk = donor.subarray(from, from + len);
  const at = rng.below(input.length);
  if (rng.chance(0.5)) {
    const out = Uint8Array.from(input);
    out.set(chunk.subarray(0, Math.min(chunk.length, out.length - at)), at);
    return out;
  }
  const out = new Uint8Array(input.length + chunk.length);
  out.set(input.subarray(0, at));
  out.set(chunk, at);
  out.set(input.subarray(at), at + chunk.length);
  return out;
}

/** Deletes a run of bytes, or inserts a run of zeros or 0xff. */
export function insertOrDelete(rng: Prng, input: Uint8Array): Uint8Array {
  const at = rng.below(input.length + 1);
  const len = rng.between(1, 64);
  if (rng.chance(0.5) && input.length > 0) {
    const out = new Uint8Array(input.length - Math.min(len, input.length - at));
    out.set(input.subarray(0, at));
    out.set(input.subarray(at + len), at);
    return out;
  }
  const out = new Uint8Array(input.length + len);
  out.set(input.subarray(0, at));
  out.fill(rng.chance(0.5) ? 0 : 0xff, at, at + len);
  out.set(input.subarray(at), at + len);
  return out;
}
