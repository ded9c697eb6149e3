import { existsSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';
import { describeFailures } from '../../../test/fuzz/failures.js';
import { fuzzCases, fuzzFirst, fuzzSeed } from '../../../test/fuzz/prng.js';
import { runLoaderFuzz } from '../../../test/fuzz/run-loader.js';

// Fixed in CI so that the run is the same every time; `npm run fuzz -- --target loader` draws a new one.
const SEED = fuzzSeed(0x0b1e_c717);
// 500 cases: measured on the 2-core machine (see docs/reliability.md, Fuzzed inputs); npm run fuzz runs more.
const CASES = fuzzCases(500);
// Not a speed assertion: a case with no answer by then is reported as a hang (the verifier
// of a mutated program is bounded; a loaded machine may still take seconds).
const CASE_LIMIT_MS = 30_000;

describeKernel('fuzzed .bpf.o objects: the loader ends every case in a taxonomy error or a loaded object', () => {
  it(`${CASES} mutated objects in a child process, seed ${SEED}`, { timeout: 60_000 + CASES * CASE_LIMIT_MS }, async () => {
    console.log(`loader fuzz: seed ${SEED}, ${CASES} cases`);
    const { counts, failures } = await runLoaderFuzz({ seed: SEED, cases: CASES, first: fuzzFirst(), timeoutMs: CASE_LIMIT_MS });
    console.log(JSON.stringify(counts));
    expect(failures, describeFailures(failures)).toEqual([]);
    // The mutations reach past the first check: some cases are refused at load (by libbpf or
    // the verifier), and some still load. (Not asked of a rerun of a few cases.)
    if (CASES < 100) return;
    expect(counts.load?.['typed:LOAD_FAILED'] ?? 0).toBeGreaterThan(0);
    expect(counts.load?.valid ?? 0).toBeGreaterThan(0);
  });

  // The harness itself: a crash, a hang and an uncaught non-taxonomy error in the child are
  // each a failure with the seed, index and saved input, and the run goes on after them (in a
  // new child after a crash). The hang case runs alone: its short limit would be a timing
  // assumption for a real case on a loaded machine.
  it.each([
    ['crash', /the child died \(SIGSEGV\)/, { first: 0, cases: 3, timeoutMs: CASE_LIMIT_MS }, 2],
    ['hang', /hang: no answer in 3000 ms/, { first: 1, cases: 1, timeoutMs: 3000 }, 0],
    ['throw', /load: threw a non-taxonomy TypeError: injected/, { first: 0, cases: 3, timeoutMs: CASE_LIMIT_MS }, 3],
  ] as const)('a %s in the child is a failure, reported and saved', async (fault, why, run, answered) => {
    const { counts, failures } = await runLoaderFuzz({ seed: 99, ...run, label: `harness-${fault}`, childEnv: { FUZZ_CHILD_FAULT: `${fault}:1` } });
    expect(failures.map((f) => [f.seed, f.index])).toEqual([[99, 1]]);
    expect(failures[0]!.why).toMatch(why);
    expect(existsSync(failures[0]!.saved)).toBe(true);
    expect(readFileSync(failures[0]!.saved).length).toBeGreaterThan(0);
    // Cases 0 and 2 ran before and after the fault, and answered.
    expect(Object.values(counts.open ?? {}).reduce((a, b) => a + b, 0)).toBe(answered);
  });
});
