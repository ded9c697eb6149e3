// Where a failing case's input is kept: .tmp/fuzz-failures/ (git-ignored), one file
// with the input's bytes and one .json with the seed, index and what went wrong.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const FAILURE_DIR = join(new URL('../..', import.meta.url).pathname, '.tmp', 'fuzz-failures');

/** A failing case, as reported and saved. */
export interface FuzzFailure {
  target: string;
  seed: number;
  index: number;
  why: string;
  steps: readonly string[];
  /** The saved input. */
  saved: string;
}

/** Saves the input and its description; returns the failure with the input's path. */
export function saveFailure(f: Omit<FuzzFailure, 'saved'>, input: Uint8Array | string, ext: string): FuzzFailure {
  mkdirSync(FAILURE_DIR, { recursive: true });
  const base = join(FAILURE_DIR, `${f.target.replace(/[^a-z0-9]+/gi, '-')}-seed${f.seed}-case${f.index}`);
  const saved = `${base}.${ext}`;
  writeFileSync(saved, input);
  const failure = { ...f, saved };
  writeFileSync(`${base}.json`, `${JSON.stringify(failure, null, 2)}\n`);
  return failure;
}

/** One line per failure for an assertion message. */
export function describeFailures(failures: readonly FuzzFailure[]): string {
  return failures.map((f) => `${f.target} seed ${f.seed} case ${f.index}: ${f.why} [${f.steps.join('; ')}] input saved in ${f.saved}`).join('\n');
}
