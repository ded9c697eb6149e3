// Test workloads are small C programs compiled by the tests themselves.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const built = new Map<string, string>();

/** Compiles `source` with gcc -O1 once per test process; returns the binary's path. */
export function compileOnce(source: string, prefix: string): string {
  const known = built.get(source);
  if (known) return known;
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'w.c'), source);
  execFileSync('gcc', ['-O1', '-o', join(dir, 'w'), join(dir, 'w.c')]);
  built.set(source, join(dir, 'w'));
  return join(dir, 'w');
}
