// The workload of the file part's real-eBPF tests: a static C program (no dynamic loader, so
// no file I/O of its own before main) that does exactly the file operations it is told to,
// driven line by line over stdin/stdout (pipes: no regular-file I/O) so that the test knows
// where it is. Its pid is the child's, so the test's own I/O cannot mix into its counts.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

const SOURCE = String.raw`
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static char line[64];
static void say(const char *s) { if (write(1, s, strlen(s)) < 0) exit(3); }
/* One line from stdin (a pipe); EOF ends the program. */
static void wait_line(void) { if (!fgets(line, sizeof line, stdin)) exit(0); }

/* argv: path K W J R name unlink(0|1) hang(0|1) */
int main(int argc, char **argv) {
	if (argc != 9) return 2;
	const char *path = argv[1];
	long k = atol(argv[2]), w = atol(argv[3]), j = atol(argv[4]), r = atol(argv[5]);
	int unlink_it = atoi(argv[7]), hang = atoi(argv[8]);
	static char buf[1 << 20];
	prctl(PR_SET_NAME, argv[6], 0, 0, 0);
	setvbuf(stdin, NULL, _IONBF, 0);
	memset(buf, 'x', sizeof buf);
	say("ready\n");
	wait_line();
	int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (fd < 0) return 4;
	for (long i = 0; i < k; i++) {
		long n = w / k + (i < w % k);
		if (write(fd, buf, n) != n) return 5;
	}
	if (fsync(fd)) return 6;
	if (unlink_it && unlink(path)) return 7;
	if (lseek(fd, 0, SEEK_SET)) return 8;
	for (long i = 0; i < j; i++) {
		long n = r / j + (i < r % j);
		if (read(fd, buf, n) != n) return 9;
	}
	say("done\n");
	if (hang) { for (;;) wait_line(); }
	wait_line();
	if (close(fd)) return 10;
	say("closed\n");
	wait_line();
	return 0;
}
`;

/** What the workload does: K writes of W bytes in all, an fsync, J reads of R bytes in all. */
export interface FileWork {
  path: string;
  k: number;
  w: number;
  j: number;
  r: number;
  /** Its command name (at most 15 bytes). */
  name: string;
  /** Unlink the file after the fsync, before the reads (the descriptor stays open). */
  unlink?: boolean;
  /** After the reads, block in read(2) of stdin until killed (no close). */
  hang?: boolean;
}

/** A running workload. */
export interface FileWorkload {
  readonly pid: number;
  /** Tell it to go on to the next step; resolves with the line it answers. */
  step(): Promise<string>;
  /** The next line it prints. */
  line(): Promise<string>;
  /** End it (SIGKILL) and wait for its exit. */
  kill(): Promise<void>;
  /** Let it finish (stdin closed) and wait for its exit code. */
  end(): Promise<number | null>;
}

let binary: string | null = null;

/** Start the workload; it prints `ready` and waits. */
export async function startFileWork(work: FileWork): Promise<FileWorkload> {
  if (binary === null) {
    const dir = mkdtempSync(join(tmpdir(), 'bpfscope-fsf-bin-'));
    writeFileSync(join(dir, 'w.c'), SOURCE);
    execFileSync('gcc', ['-O1', '-static', '-o', join(dir, 'w'), join(dir, 'w.c')]);
    binary = join(dir, 'w');
  }
  const child: ChildProcessWithoutNullStreams = spawn(binary, [work.path, String(work.k), String(work.w), String(work.j), String(work.r), work.name, work.unlink ? '1' : '0', work.hang ? '1' : '0']);
  const lines: string[] = [];
  const waiting: Array<(l: string) => void> = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((c) => {
    exitCode = c;
    for (const w of waiting.splice(0)) w(`exit ${c}`);
  });
  createInterface({ input: child.stdout }).on('line', (l) => {
    const w = waiting.shift();
    if (w) w(l);
    else lines.push(l);
  });
  const line = (): Promise<string> => {
    const l = lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    if (exitCode !== undefined) return Promise.resolve(`exit ${exitCode}`);
    return new Promise((resolve) => waiting.push(resolve));
  };
  const first = await line();
  if (first !== 'ready') throw new Error(`file workload: expected ready, got ${first}`);
  return {
    pid: child.pid!,
    line,
    step: () => {
      child.stdin.write('go\n');
      return line();
    },
    kill: async () => {
      if (exitCode === undefined) child.kill('SIGKILL');
      await exited;
    },
    end: async () => {
      child.stdin.end();
      return exited;
    },
  };
}

/** Remove the compiled workload (call once, in afterAll). */
export function removeFileWorkBinary(): void {
  if (binary !== null) rmSync(dirname(binary), { recursive: true, force: true });
  binary = null;
}
