// Workloads for the counts-only mode's per-CPU runs of calls (sc_cpu, each moved to the
// per-process table when a call of another process or syscall needs its place): a C program compiled by the tests (gcc) into a temp dir. Like
// syscall-workload.ts it prints its PID and waits for a line on stdin (so the test can
// set filters first), then makes exactly the calls it was asked for.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { compileOnce } from '../../../test/compile-c.js';

const SOURCE = `
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static void getppids(long n) { for (long i = 0; i < n; i++) syscall(SYS_getppid); }

int main(int argc, char **argv) {
  const char *mode = argv[1];
  long r = atol(argv[2]), a = atol(argv[3]), b = atol(argv[4]);
  char line[16];
  printf("%d\\n", getpid());
  fflush(stdout);
  if (!fgets(line, sizeof line, stdin)) return 2;
  if (!strcmp(mode, "interleave")) {
    /* r runs of a getppid then b failing close(-1), sleeping between runs so that the
     * process is switched out (and may move to the other CPU). */
    for (long i = 0; i < r; i++) {
      getppids(a);
      for (long j = 0; j < b; j++) syscall(SYS_close, -1);
      usleep(200);
    }
    return 0;
  }
  if (!strcmp(mode, "pair")) {
    /* Parent and child pinned to one CPU, both runnable: the scheduler takes turns
     * between them in the middle of their getppid loops (a calls in the parent, b in
     * the child), so each switch leaves a run of getppid pending on that CPU. They
     * start together once both are pinned (a pipe closed by the parent). */
    cpu_set_t set;
    int ready[2];
    char c;
    CPU_ZERO(&set);
    CPU_SET(sched_getcpu(), &set);
    if (sched_setaffinity(0, sizeof set, &set) || pipe(ready)) return 3;
    pid_t child = fork();
    if (child == 0) {
      close(ready[1]);
      if (read(ready[0], &c, 1) != 0) _exit(4);
      getppids(b);
      _exit(0);
    }
    close(ready[1]);
    getppids(a);
    int status;
    waitpid(child, &status, 0);
    printf("%d\\n", child);
    fflush(stdout);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 5;
  }
  if (!strcmp(mode, "rotate")) {
    /* r rounds, each one call of each of 12 syscalls that only read the caller's ids (by
     * number: syscall() never answers from a cache), on one CPU: more syscalls in turn
     * than a slot keeps runs for on a CPU, so every call replaces a run. */
    static const long ids[] = { SYS_getppid, SYS_getpid, SYS_gettid, SYS_getuid, SYS_geteuid, SYS_getgid,
                                SYS_getegid, SYS_getpgrp, SYS_getsid, SYS_getpgid, SYS_getpriority, SYS_umask };
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(sched_getcpu(), &set);
    if (sched_setaffinity(0, sizeof set, &set)) return 3;
    mode_t m = umask(0);
    umask(m);
    for (long i = 0; i < r; i++)
      for (unsigned j = 0; j < sizeof ids / sizeof ids[0]; j++) {
        if (ids[j] == SYS_getpriority) syscall(ids[j], PRIO_PROCESS, 0);
        else if (ids[j] == SYS_umask) syscall(ids[j], m);
        else syscall(ids[j], 0);
      }
    return 0;
  }
  if (!strcmp(mode, "block")) {
    /* a getppid, then blocked in pause() (one call, until the test kills it). */
    getppids(a);
    pause();
    return 0;
  }
  if (!strcmp(mode, "spin")) {
    /* Pinned to its CPU at real-time priority (the test's own processes cannot preempt
     * it there): a getppid, then the byte at offset 0 of a shared file mapping set to 1
     * (no system call), then spinning without another system call until the test sets
     * that byte to 2 (or a bounded time passes): its run of getppid stays pending on
     * its CPU while the test reads. */
    cpu_set_t set;
    struct sched_param rt = { .sched_priority = 1 };
    int fd = open(argv[5], O_RDWR);
    volatile char *flag = fd < 0 ? MAP_FAILED : mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (flag == MAP_FAILED) return 3;
    CPU_ZERO(&set);
    CPU_SET(sched_getcpu(), &set);
    /* Never outlive the test, even if it dies. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL)) return 3;
    if (sched_setaffinity(0, sizeof set, &set) || sched_setscheduler(0, SCHED_FIFO, &rt)) return 3;
    getppids(a);
    flag[0] = 1;
    for (volatile unsigned long i = 0; flag[0] != 2 && i < 20000000000ul; i++) {}
    return flag[0] == 2 ? 0 : 6;
  }
  return 1;
}
`;

/** Compile the workload once per test process. */
function runsBinary(): string {
  return compileOnce(SOURCE, 'bpfscope-sc-runs-');
}

/** A started workload: its PID, the lines it prints after its PID, and its controls. */
export interface RunsWorkload {
  pid: number;
  /** Let it make its calls. */
  go(): void;
  /** The next line it prints (null at the end of its output). */
  line(): Promise<string | null>;
  /** Its exit code. */
  exited: Promise<number | null>;
  /** Kill it (the end of every test, in case it is still there). */
  kill(): void;
}

/**
 * Start the workload in one of its modes: `interleave` (r runs of a getppid and b
 * failing close), `rotate` (r rounds of one call each of 12 id-reading syscalls, pinned), `pair` (a getppid in it and b in a forked child, both on one CPU at
 * once), `block` (a getppid, then one pause() that blocks), `spin` (at real-time priority, a
 * getppid, then the byte at offset 0 of `flagFile` set to 1, then spinning until the
 * test sets it to 2). With `cpu`, it starts on that CPU (taskset).
 */
export async function startRuns(mode: 'interleave' | 'rotate' | 'pair' | 'block' | 'spin', r: number, a: number, b: number, flagFile = '', cpu?: number): Promise<RunsWorkload> {
  const args = [mode, String(r), String(a), String(b), flagFile];
  // On one given CPU: taskset execs the workload (the same pid), which then pins itself there.
  const child = cpu === undefined ? spawn(runsBinary(), args) : spawn('taskset', ['-c', String(cpu), runsBinary(), ...args]);
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<string | null> => {
    const l = await lines.next();
    return l.done ? null : String(l.value);
  };
  const pid = Number(await next());
  return {
    pid,
    go: () => child.stdin.write('go\n'),
    line: next,
    exited,
    kill: () => child.kill('SIGKILL'),
  };
}
