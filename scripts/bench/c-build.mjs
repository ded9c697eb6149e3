// Compiles a C reference of scripts/bench/c/ with libbpf into a temp dir, at
// bench time, and runs it with JSON output.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const C_DIR = new URL('./c/', import.meta.url).pathname;

/** Builds `c/<name>.c` and returns { run(args) → parsed JSON, cleanup() }. */
export function buildC(name) {
  const dir = mkdtempSync(join(tmpdir(), `bpfscope-bench-${name}-`));
  const exe = join(dir, name);
  const cc = process.env.CC ?? 'gcc';
  try {
    execFileSync(cc, ['-O2', '-Wall', '-o', exe, join(C_DIR, `${name}.c`), '-lbpf'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`building the C reference ${name}.c with ${cc} -lbpf failed (apt-get install gcc libbpf-dev): ${e.stderr?.toString() ?? e}`);
  }
  return {
    run: (args) => JSON.parse(execFileSync(exe, args.map(String), { encoding: 'utf8' })),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
