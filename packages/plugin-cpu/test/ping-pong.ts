// A context-switch load for the overhead governor's test: a parent and a child pinned to one
// CPU pass a byte back and forth through two pipes until killed, so that each round is a
// wake-up and a context switch of each (the cpu family's programs run at every one).
import { spawn, type ChildProcess } from 'node:child_process';
import { compileOnce } from '../../../test/compile-c.js';

const SOURCE = `
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <unistd.h>
#include <sys/prctl.h>

int main(void) {
  int ab[2], ba[2];
  char c = 0;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(sched_getcpu(), &set);
  if (sched_setaffinity(0, sizeof set, &set) || pipe(ab) || pipe(ba)) return 3;
  if (fork() == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (;;) if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1) _exit(0);
  }
  for (;;) if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1) return 0;
}
`;

/** Starts the ping-pong; kill the returned process to stop it (its child dies with it). */
export function pingPong(): ChildProcess {
  return spawn(compileOnce(SOURCE, 'bpfscope-cpu-pingpong-'), [], { stdio: 'ignore' });
}
