// The parser fuzz loop: case i of seed s goes to target i mod (number of targets),
// with a fixture file and mutations drawn from Prng.forCase(s, i).
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { btfTarget } from './btf-target.js';
import { FAILURE_DIR, saveFailure, type FuzzFailure } from './failures.js';
import { fixtureFiles } from './fixture-files.js';
import { mutateText } from './mutate-text.js';
import { mutatingReader } from './mutating-reader.js';
import { outcomeOf, type Outcome } from './outcome.js';
import { TEXT_TARGETS, TREE_TARGETS } from './parser-targets.js';
import { Prng } from './prng.js';

export const REPO = new URL('../..', import.meta.url).pathname;

/** Per target: cases ending valid, and ending in each error code. */
export type ParserCounts = Record<string, { lenient: boolean; valid: number; typed: Record<string, number>; bad: number }>;

interface Loaded {
  name: string;
  lenient: boolean;
  /** Runs case `rng`; returns the outcome, what was done, and the input to save. */
  run: (rng: Prng) => { outcome: Outcome; steps: string[]; input: string | Uint8Array };
}

/** The targets with their fixture files read once. Throws if a target has no fixture. */
export function loadParserTargets(): Loaded[] {
  const text: Loaded[] = TEXT_TARGETS.map((t) => {
    const files = fixtureFiles(REPO, t.files).map((f) => ({ path: f.slice(REPO.length), bytes: new Uint8Array(readFileSync(f)) }));
    if (files.length === 0) throw new Error(`fuzz target ${t.name}: no fixture matches ${t.files.join(', ')}`);
    return {
      name: t.name,
      lenient: t.lenient === true,
      run: (rng: Prng) => {
        const file = rng.pick(files);
        const m = mutateText(rng, file.bytes, rng.pick(files).bytes);
        return { outcome: outcomeOf(() => t.run(m.text, file.path)), steps: [file.path, ...m.steps], input: m.text };
      },
    };
  });
  const tree: Loaded[] = TREE_TARGETS.map((t) => ({
    name: t.name,
    lenient: t.lenient === true,
    run: (rng: Prng) => {
      const steps: string[] = [t.root];
      const outcome = outcomeOf(() => t.run(mutatingReader(join(REPO, t.root), rng, steps)));
      return { outcome, steps, input: steps.join('\n') };
    },
  }));
  const btf = btfTarget(REPO);
  const binary: Loaded = {
    name: btf.name,
    lenient: false,
    run: (rng: Prng) => {
      const c = btf.run(rng);
      return { outcome: outcomeOf(c.run), steps: c.steps, input: c.input };
    },
  };
  return [...text, ...tree, binary];
}

/** Runs `cases` cases from `seed`; every failure's input is saved. */
export async function runParserFuzz(seed: number, cases: number, first = 0): Promise<{ counts: ParserCounts; failures: FuzzFailure[] }> {
  const targets = loadParserTargets();
  const counts: ParserCounts = Object.fromEntries(targets.map((t) => [t.name, { lenient: t.lenient, valid: 0, typed: {}, bad: 0 }]));
  const failures: FuzzFailure[] = [];
  // The cases run in this process: one that hangs or exhausts the heap takes the run down
  // before it can report. This file names the case running; it is removed when all end.
  mkdirSync(FAILURE_DIR, { recursive: true });
  const runningPath = join(FAILURE_DIR, `parsers-running-seed${seed}.json`);
  const running = openSync(runningPath, 'w');
  for (let index = first; index < first + cases; index++) {
    // Let the test runner's own messages through now and then (a long synchronous loop
    // makes vitest's worker miss its RPC deadline).
    if (index % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
    const target = targets[index % targets.length]!;
    ftruncateSync(running);
    writeSync(running, `{"target":${JSON.stringify(target.name)},"seed":${seed},"index":${index},"again":"npm run fuzz -- --target parsers --seed ${seed} --from ${index} --cases 1"}\n`, 0);
    const { outcome, steps, input } = target.run(Prng.forCase(seed, index));
    const c = counts[target.name]!;
    if (outcome.kind === 'valid') c.valid++;
    else if (outcome.kind === 'typed') c.typed[outcome.code] = (c.typed[outcome.code] ?? 0) + 1;
    else {
      c.bad++;
      failures.push(saveFailure({ target: target.name, seed, index, why: outcome.why, steps }, input, typeof input === 'string' ? 'txt' : 'bpf.o'));
    }
  }
  closeSync(running);
  rmSync(runningPath);
  return { counts, failures };
}
