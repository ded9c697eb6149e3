// Test workloads are small C programs compiled by the tests themselves.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const built = new Map<string, string>();

/**
 * Compiles `source` with gcc -O1 (plus `flags`) once per test process.
 * @param prefix - name prefix of the temp dir it is built in
 * @param flags - more gcc flags, e.g. `-static`
 * @returns the binary's path
 */
export function compileOnce(source: string, prefix: string, flags: readonly string[] = []): string {
  const key = `${flags.join(' ')}\n${source}`;
  const known = built.get(key);
  if (known) return known;
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'w.c'), source);
  execFileSync('gcc', ['-O1', ...flags, '-o', join(dir, 'w'), join(dir, 'w.c')]);
  built.set(key, join(dir, 'w'));
  return join(dir, 'w');
}
