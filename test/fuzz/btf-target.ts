// The TypeScript readers of an object's BTF (struct layouts, .rodata constants, type
// names), fed mutated objects in-process: they run before libbpf and after it, on the
// file's own .BTF section, so they get the same fuzz as the parsers of /proc.
import { readFileSync } from 'node:fs';
import { isBpfscopeError } from '@bpfscope/core';
import { basename } from 'node:path';
import { checkBtf } from '../../packages/native/src/btf-check.js';
import { readStructLayouts } from '../../packages/native/src/btf-layout.js';
import { parseBtf, typeName } from '../../packages/native/src/btf-parse.js';
import { elfSection } from '../../packages/native/src/elf-check.js';
import { rodataVariables } from '../../packages/native/src/rodata-constants.js';
import { fixtureFiles } from './fixture-files.js';
import { editField, mutateObject, objectSeed, type ObjectSeed } from './mutate-object.js';
import type { Prng } from './prng.js';

/**
 * Reads everything the package reads of the object's BTF: the layouts through the
 * checked path, then the section parsed without the structural check (the parser must
 * hold on its own). A taxonomy error of one part does not stop the next.
 */
function readAll(image: Uint8Array, btfSection: Uint8Array | undefined): unknown {
  const parts: (() => unknown)[] = [() => [...readStructLayouts(image, 'fuzz').entries()]];
  if (btfSection !== undefined) {
    parts.push(() => checkBtf(btfSection));
    parts.push(() => {
      const types = parseBtf(btfSection, 'fuzz');
      return { rodata: [...rodataVariables(types).values()], names: types.types.map((_, id) => typeName(types, id)) };
    });
  }
  const results: unknown[] = [];
  let typed: unknown;
  for (const part of parts) {
    try {
      results.push(part());
    } catch (e) {
      if (!isBpfscopeError(e)) throw e;
      typed ??= e;
    }
  }
  if (typed !== undefined && results.length < 2) throw typed;
  return results;
}

/** A target over the committed objects; most mutations are edits of .BTF header and type fields. */
export function btfTarget(repo: string): { name: string; run: (rng: Prng) => { run: () => unknown; steps: string[]; input: Uint8Array } } {
  const seeds: ObjectSeed[] = fixtureFiles(repo, ['packages/*/bpf/*.bpf.o', 'packages/native/test/fixtures/*.bpf.o']).map((f) => objectSeed(basename(f), new Uint8Array(readFileSync(f))));
  const btfFields = new Map(seeds.map((s) => [s, s.fields.filter((f) => f.name.startsWith('btf.'))]));
  return {
    name: 'native BTF readers',
    run: (rng) => {
      const seed = rng.pick(seeds);
      let bytes: Uint8Array;
      let steps: string[];
      if (rng.chance(0.7) && btfFields.get(seed)!.length > 0) {
        steps = [`from ${seed.name}`];
        bytes = seed.image;
        for (let n = rng.between(1, 3); n > 0; n--) {
          const r = editField(rng, bytes, btfFields.get(seed)!);
          bytes = r.bytes;
          steps.push(r.step);
        }
      } else {
        ({ bytes, steps } = mutateObject(rng, seed, seeds));
      }
      // The section where the unmutated image has it (the mutated headers may not say so any more).
      const at = elfSection(seed.image, '.BTF');
      const section = at === undefined ? undefined : bytes.subarray(at.byteOffset - seed.image.byteOffset, at.byteOffset - seed.image.byteOffset + at.length);
      return { run: () => readAll(bytes, section), steps, input: bytes };
    },
  };
}
