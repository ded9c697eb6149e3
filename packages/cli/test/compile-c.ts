// The cli tests' C workloads, built with the shared compile helper.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileOnce } from '../../../test/compile-c.js';

/** Compiles `source` statically (no dynamic loader calls) once per test process; returns the binary's path. */
export function compileStatic(source: string): string {
  return compileOnce(source, 'bpfscope-cli-', ['-static']);
}

/**
 * `w N M`: N one-byte reads from /dev/zero, M two-byte writes to /dev/null, N getppid
 * calls; then it reads its own /proc/self/io with one read() and writes what it read to
 * stdout with one write(): the figures it prints are its own up to those two calls.
 */
export const EXACT_CALLS = `
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(int argc, char **argv) {
  long n = atol(argv[1]), m = atol(argv[2]);
  char c, buf[4096];
  int in = open("/dev/zero", O_RDONLY), out = open("/dev/null", O_WRONLY);
  for (long i = 0; i < n; i++) if (read(in, &c, 1) != 1) return 1;
  for (long i = 0; i < m; i++) if (write(out, "ab", 2) != 2) return 1;
  for (long i = 0; i < n; i++) syscall(SYS_getppid);
  int io = open("/proc/self/io", O_RDONLY);
  long len = read(io, buf, sizeof buf);
  if (len <= 0 || write(1, buf, len) != len) return 1;
  return 0;
}
`;

/** The /proc/self/io figures the EXACT_CALLS workload printed, plus its last read() and write() of `bytes` each. */
export function finalIo(printed: string): { rchar: number; wchar: number; syscr: number; syscw: number } {
  const v = (k: string): number => Number(new RegExp(`^${k}: (\\d+)$`, 'm').exec(printed)?.[1] ?? NaN);
  const bytes = Buffer.byteLength(printed);
  return { rchar: v('rchar') + bytes, wchar: v('wchar') + bytes, syscr: v('syscr') + 1, syscw: v('syscw') + 1 };
}

/** Per-call counts of `strace -f -c` for a command. */
export function straceCounts(argv: string[]): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-strace-'));
  const out = join(dir, 'counts');
  execFileSync('strace', ['-f', '-c', '-o', out, ...argv], { stdio: 'ignore' });
  const counts: Record<string, number> = {};
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5 || !/^\d+$/.test(f[3] ?? '') || f.at(-1) === 'total') continue;
    counts[f.at(-1)!] = Number(f[3]);
  }
  return counts;
}
