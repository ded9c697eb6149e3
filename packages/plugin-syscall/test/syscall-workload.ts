// A C program with known system calls, compiled by the tests (gcc) into a temp dir.
// It prints its PID, waits for a line on stdin (so the test can set filters first),
// then makes exactly the calls it was asked for. startWorkload returns once it is
// blocked in that read.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { waitBlocked } from '../../../test/blocked.js';
import { compileOnce } from '../../../test/compile-c.js';

const SOURCE = `
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
int main(int argc, char **argv) {
  long n = atol(argv[1]), m = atol(argv[2]), k = argc > 3 ? atol(argv[3]) : 0;
  char line[16];
  printf("%d\\n", getpid());
  fflush(stdout);
  if (!fgets(line, sizeof line, stdin)) return 2;
  for (long i = 0; i < n; i++) syscall(SYS_getppid);
  for (long i = 0; i < m; i++) syscall(SYS_close, -1); /* fails: EBADF */
  if (k > 0) {
    pid_t c = fork();
    if (c == 0) {
      for (long i = 0; i < k; i++) syscall(SYS_getppid);
      printf("%d\\n", getpid());
      fflush(stdout);
      _exit(0);
    }
    waitpid(c, NULL, 0);
  }
  return 0;
}
`;

/** Compile the workload once per test process. */
export function workloadBinary(): string {
  return compileOnce(SOURCE, 'bpfscope-sc-');
}

/** A started workload: its PID, a function that lets it run, and its end (with a forked child's PID). */
export interface Workload {
  pid: number;
  /** The process spawned (the wrapper's, when `wrapper` forks the workload; else `pid`). */
  spawnedPid: number;
  go(): Promise<{ code: number | null; childPid: number | null }>;
}

/**
 * Start the workload: `getppid` × n, failing `close(-1)` × m, and optionally a forked
 * child making `getppid` × k. `binary` runs a copy of the workload under another name (its comm);
 * `wrapper` runs it under a command such as `['unshare', '-m']`.
 */
export async function startWorkload(n: number, m: number, k = 0, binary = workloadBinary(), wrapper: readonly string[] = []): Promise<Workload> {
  const args = [binary, String(n), String(m), String(k)];
  const child: ChildProcessWithoutNullStreams = spawn(wrapper[0] ?? args[0]!, [...wrapper.slice(1), ...(wrapper.length > 0 ? args : args.slice(1))]);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  const pid = Number(first.value);
  // Its start-up calls (the printf's write, stdin's fstat) are over only once it sits in
  // read(0): a filter the test sets after this sees none of them, even mid-change.
  await waitBlocked(pid);
  return {
    pid,
    spawnedPid: child.pid!,
    go: async () => {
      child.stdin.write('go\n');
      const second = k > 0 ? await lines.next() : null;
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      return { code, childPid: second && !second.done ? Number(second.value) : null };
    },
  };
}
