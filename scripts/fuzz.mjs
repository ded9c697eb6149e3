#!/usr/bin/env node
// npm run fuzz [-- --cases N --seed S --from I --target loader|parsers|all]: the fuzz tests
// (test/fuzz-parsers.test.ts, packages/native/src/object-fuzz.native.test.ts) run for
// longer than CI runs them, from a seed drawn now unless given. The seed is printed;
// a failing case is reported with its seed and index and its input is saved in
// .tmp/fuzz-failures/; `--seed S --from I --cases 1` runs that one case again. The
// loader target needs root (it loads into the kernel).
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const FAILURE_DIR = join(new URL('..', import.meta.url).pathname, '.tmp', 'fuzz-failures');

const TARGETS = {
  parsers: { file: 'test/fuzz-parsers.test.ts', cases: 100_000 },
  loader: { file: 'packages/native/src/object-fuzz.native.test.ts', cases: 3_000 },
};

function parseArgs(argv) {
  const out = { target: 'all', seed: randomInt(0, 2 ** 32), cases: undefined, from: 0 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--target' && (value === 'all' || value in TARGETS)) out.target = value;
    else if (flag === '--seed' && /^\d+$/.test(value ?? '') && Number(value) < 2 ** 32) out.seed = Number(value);
    else if (flag === '--from' && /^\d+$/.test(value ?? '')) out.from = Number(value);
    else if (flag === '--cases' && /^[1-9]\d*$/.test(value ?? '')) out.cases = Number(value);
    else {
      console.error(`npm run fuzz: bad argument ${flag} ${value ?? ''}\nusage: npm run fuzz -- [--cases N] [--seed 0..2^32-1] [--from I] [--target loader|parsers|all]`);
      process.exit(2);
    }
    i++;
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));
const chosen = args.target === 'all' ? Object.keys(TARGETS) : [args.target];
let failed = false;
for (const name of chosen) {
  const { file, cases } = TARGETS[name];
  const n = args.cases ?? cases;
  console.log(`fuzz ${name}: seed ${args.seed}, cases ${args.from}..${args.from + n - 1} (again: npm run fuzz -- --target ${name} --seed ${args.seed} --from ${args.from} --cases ${n})`);
  const env = { ...process.env, FUZZ_SEED: String(args.seed), FUZZ_CASES: String(n), FUZZ_FIRST: String(args.from) };
  const r = spawnSync('npx', ['vitest', 'run', file], { stdio: 'inherit', env });
  if (r.status !== 0) failed = true;
  // A parser case that hung or ran out of heap took its process down before it could report.
  const running = join(FAILURE_DIR, `parsers-running-seed${args.seed}.json`);
  if (name === 'parsers' && existsSync(running)) console.error(`the run died in the case ${readFileSync(running, 'utf8')}`);
}
process.exit(failed ? 1 : 0);
