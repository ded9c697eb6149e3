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

const sharedBuilt = new Map<string, string>();

/**
 * Compiles the C file at `sourcePath` into a shared library called `fileName`
 * (gcc -O1 -shared -fPIC, plus `flags`, e.g. `-DVARIANT`) in a temp dir of its own,
 * once per test process: stand-ins for vendor libraries that the code under test dlopens.
 * @returns the library's path
 */
export function compileSharedLibrary(sourcePath: string, fileName: string, flags: readonly string[] = []): string {
  const key = `${sourcePath}\n${fileName}\n${flags.join(' ')}`;
  const known = sharedBuilt.get(key);
  if (known) return known;
  const out = join(mkdtempSync(join(tmpdir(), 'bpfscope-so-')), fileName);
  execFileSync('gcc', ['-O1', '-Wall', '-Werror', '-shared', '-fPIC', ...flags, '-o', out, sourcePath]);
  sharedBuilt.set(key, out);
  return out;
}
