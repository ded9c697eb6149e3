// Workloads with known memory behaviour for the real-kernel tests: C programs compiled by
// the test (gcc) into a temp dir. Each prints a line when it is ready and waits for a line
// on stdin before it acts, so the test can take its readings first.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';

// memhog STEP_BYTES INTERVAL_MS: after "go", maps and writes STEP_BYTES more every
// INTERVAL_MS, without bound (huge pages off: every page is charged as it is touched).
const MEMHOG = `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
int main(int argc, char **argv) {
  size_t step = strtoull(argv[1], 0, 10);
  long ms = atol(argv[2]);
  char line[16];
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  printf("ready\\n");
  fflush(stdout);
  if (!fgets(line, sizeof line, stdin)) return 2;
  for (;;) {
    char *p = mmap(0, step, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 3;
    madvise(p, step, MADV_NOHUGEPAGE);
    memset(p, 1, step);
    nanosleep(&ts, 0);
  }
}
`;

// toucher N: after "go", touches N fresh pages (one byte each): 40% in a thread that then
// exits, 30% in a thread that stays, 30% in the main thread; prints "done" and waits for a
// line before it exits.
const TOUCHER = `
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
static long page;
static pthread_mutex_t hold = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t touched;
static void touch(long n) {
  char *p = mmap(0, n * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) exit(3);
  madvise(p, n * page, MADV_NOHUGEPAGE);
  for (long i = 0; i < n; i++) p[i * page] = 1;
}
static void *dies(void *n) { touch((long)n); return 0; }
static void *stays(void *n) { touch((long)n); pthread_barrier_wait(&touched); pthread_mutex_lock(&hold); pthread_mutex_unlock(&hold); return 0; }
int main(int argc, char **argv) {
  long n = atol(argv[1]);
  char line[16];
  pthread_t a, b;
  page = sysconf(_SC_PAGESIZE);
  printf("ready\\n");
  fflush(stdout);
  if (!fgets(line, sizeof line, stdin)) return 2;
  pthread_mutex_lock(&hold);
  pthread_barrier_init(&touched, 0, 2);
  pthread_create(&a, 0, dies, (void *)(n * 4 / 10));
  pthread_join(a, 0);
  pthread_create(&b, 0, stays, (void *)(n * 3 / 10));
  touch(n - n * 4 / 10 - n * 3 / 10);
  pthread_barrier_wait(&touched);
  printf("done\\n");
  fflush(stdout);
  if (!fgets(line, sizeof line, stdin)) return 2;
  pthread_mutex_unlock(&hold);
  pthread_join(b, 0);
  return 0;
}
`;

const built = new Map<string, string>();

/** Compile one of the workloads once per test process. */
export function workloadBinary(name: 'memhog' | 'toucher'): string {
  const hit = built.get(name);
  if (hit) return hit;
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-mem-'));
  writeFileSync(join(dir, `${name}.c`), name === 'memhog' ? MEMHOG : TOUCHER);
  execFileSync('gcc', ['-O1', '-pthread', '-o', join(dir, name), join(dir, `${name}.c`)]);
  built.set(name, join(dir, name));
  return join(dir, name);
}

/** A started workload, waiting for its go. */
export interface Workload {
  /** Its PID (the shell exec()s it: the PID stays). */
  pid: number;
  /** The child process (the shell that exec()ed the workload). */
  child: ChildProcess;
  /** The next line it prints. */
  line(): Promise<string>;
  /** Send a line (the go, or the end). */
  send(text: string): void;
  /** Its exit: code and signal. */
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/**
 * Start a workload, optionally moved into a cgroup first (`cgroupProcs`: the cgroup's
 * cgroup.procs file), and wait until it is ready.
 */
export async function startWorkload(binary: string, args: string[], cgroupProcs?: string): Promise<Workload> {
  const exec = `exec ${[binary, ...args].map((a) => `'${a}'`).join(' ')}`;
  const script = cgroupProcs ? `echo $$ > '${cgroupProcs}' && ${exec}` : exec;
  const child = spawn('/bin/sh', ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.on('error', () => undefined); // EPIPE once the workload is killed
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const rl: Interface = createInterface({ input: child.stdout });
  const lines: string[] = [];
  const waiting: Array<(l: string) => void> = [];
  rl.on('line', (l) => {
    const w = waiting.shift();
    if (w) w(l);
    else lines.push(l);
  });
  const line = (): Promise<string> => {
    const l = lines.shift();
    return l !== undefined ? Promise.resolve(l) : new Promise((resolve) => waiting.push(resolve));
  };
  const ready = await Promise.race([line(), exited.then(([code, signal]) => `exited ${code ?? signal}`)]);
  if (ready !== 'ready') throw new Error(`workload ${binary} did not start: ${ready}`);
  return { pid: child.pid!, child, line, send: (t) => void child.stdin.write(`${t}\n`), exited };
}
