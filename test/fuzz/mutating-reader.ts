// A ProcfsReader over a fixture tree whose files come back mutated: each read is
// mutated with some probability, in read order, from the case's PRNG, so a case is
// reproducible from (seed, index).
import { createProcfsReader, type ProcfsReader } from '@bpfscope/core';
import { join } from 'node:path';
import { mutateText } from './mutate-text.js';
import type { Prng } from './prng.js';

const enc = new TextEncoder();

/**
 * @param root - fixture tree with proc/ and sys/
 * @param rng - the case's generator
 * @param steps - receives `path: mutations` for each file changed
 */
export function mutatingReader(root: string, rng: Prng, steps: string[]): ProcfsReader {
  const real = createProcfsReader(join(root, 'proc'), join(root, 'sys'));
  let last = '';
  const mutate = (rel: string, text: string): string => {
    const donor = last;
    last = text;
    if (!rng.chance(0.35)) return text;
    const m = mutateText(rng, enc.encode(text), enc.encode(donor));
    steps.push(`${rel}: ${m.steps.join(', ')}`);
    return m.text;
  };
  return {
    ...real,
    readProc: (rel, reasons) => mutate(`proc/${rel}`, real.readProc(rel, reasons)),
    readSys: (rel, reasons) => mutate(`sys/${rel}`, real.readSys(rel, reasons)),
  };
}
