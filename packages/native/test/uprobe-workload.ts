// A uprobe workload with a known number of calls: a shared library exporting
// bpfscope_probe_target(int x) { return 3 * x + 1; } and a caller that, after
// a handshake, calls it for x = 1..N. Compiled with gcc into a temp dir.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TARGET_FUNCTION = 'bpfscope_probe_target';

/** Sum of the arguments of N calls (x = 1..N). */
export const argSum = (n: number): bigint => (BigInt(n) * BigInt(n + 1)) / 2n;
/** Sum of the return values of N calls (3x + 1 for x = 1..N). */
export const returnSum = (n: number): bigint => 3n * argSum(n) + BigInt(n);

const LIBRARY_C = `
__attribute__((noinline, visibility("default"))) int ${TARGET_FUNCTION}(int x) { return 3 * x + 1; }
`;

// Prints "ready", waits for one line on stdin, makes argv[1] calls, prints
// "done <sum of returns>", exits. The handshake lets the test attach (to this
// pid) before the first call.
const CALLER_C = `
#include <stdio.h>
#include <stdlib.h>
int ${TARGET_FUNCTION}(int x);
int main(int argc, char **argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
  char line[16];
  printf("ready\\n");
  fflush(stdout);
  if (!fgets(line, sizeof line, stdin)) return 2;
  long long sum = 0;
  for (long i = 1; i <= n; i++) sum += ${TARGET_FUNCTION}((int)i);
  printf("done %lld\\n", sum);
  return 0;
}
`;

/** The compiled library and caller; `remove()` deletes them. */
export interface UprobeWorkload {
  /** Absolute path of libbpfscope_probe.so. */
  library: string;
  /** Absolute path of the caller executable. */
  caller: string;
  remove(): void;
}

export function buildUprobeWorkload(): UprobeWorkload {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-uprobe-'));
  writeFileSync(join(dir, 'lib.c'), LIBRARY_C);
  writeFileSync(join(dir, 'caller.c'), CALLER_C);
  const library = join(dir, 'libbpfscope_probe.so');
  const caller = join(dir, 'caller');
  execFileSync('gcc', ['-O2', '-shared', '-fPIC', '-o', library, join(dir, 'lib.c')]);
  execFileSync('gcc', ['-O2', '-o', caller, join(dir, 'caller.c'), `-L${dir}`, '-lbpfscope_probe', `-Wl,-rpath,${dir}`]);
  return { library, caller, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A started caller, waiting at its handshake. */
export interface Caller {
  pid: number;
  /** Lets it make its calls; resolves with the sum of returns it printed once it exited 0. */
  go(): Promise<bigint>;
}

/** Starts the caller for `calls` calls and resolves once it printed "ready". */
export function startCaller(workload: UprobeWorkload, calls: number): Promise<Caller> {
  const child = spawn(workload.caller, [String(calls)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.stdout.on('data', (d: Buffer) => {
      const wasReady = out.includes('ready\n');
      out += d.toString();
      if (!wasReady && out.includes('ready\n')) {
        resolve({
          pid: child.pid ?? -1,
          go: async () => {
            child.stdin.end('go\n');
            const code = await exited;
            const sum = /done (\d+)/.exec(out)?.[1];
            if (code !== 0 || sum === undefined) throw new Error(`caller exited ${code} with output ${JSON.stringify(out)}`);
            return BigInt(sum);
          },
        });
      }
    });
  });
}
