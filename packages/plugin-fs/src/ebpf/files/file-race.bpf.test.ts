// The file part under concurrent first touches: P processes of T threads each open, read and
// close the same N new files in the same order at once, so that several CPUs race to start
// tracking a file (one slot of the file table wins, the others are given back) and the
// threads of one process race to start its (file, process) record. Every file must come out
// once, with exactly P × T of each operation, and its processes once each, exact.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compileOnce } from '../../../../../test/compile-c.js';
import { describeKernel } from '../../../../../test/real-kernel.js';
import { filePart, initContext } from '../../../test/file-part.js';
import type { FilePart } from './file-part.js';

const SOURCE = String.raw`
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *dir;
static long n;

static void *work(void *arg) {
	char path[4096], buf[256];
	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/f%ld", dir, i);
		int fd = open(path, O_RDONLY);
		if (fd < 0 || read(fd, buf, sizeof buf) != 64 || close(fd)) exit(3);
	}
	return arg;
}

/* argv: dir N threads; prints ready, waits for a line, runs, prints done, waits for EOF. */
int main(int argc, char **argv) {
	char line[16];
	pthread_t t[16];
	if (argc != 4) return 2;
	dir = argv[1];
	n = atol(argv[2]);
	int threads = atoi(argv[3]);
	if (threads < 1 || threads > 16) return 2;
	setvbuf(stdin, NULL, _IONBF, 0);
	if (write(1, "ready\n", 6) != 6 || !fgets(line, sizeof line, stdin)) return 4;
	for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, work, NULL);
	for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
	if (write(1, "done\n", 5) != 5) return 5;
	while (fgets(line, sizeof line, stdin)) {}
	return 0;
}
`;

const N = 2000;
const P = 3;
const T = 4;

interface Racer {
  child: ChildProcessWithoutNullStreams;
  next(): Promise<string>;
}

function startRacer(binary: string, dir: string): Racer {
  const child = spawn(binary, [dir, String(N), String(T)]);
  const lines: string[] = [];
  const waiting: Array<(l: string) => void> = [];
  createInterface({ input: child.stdout }).on('line', (l) => (waiting.shift() ?? ((x: string) => lines.push(x)))(l));
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w(`exit ${code}`);
  });
  return { child, next: () => (lines.length > 0 ? Promise.resolve(lines.shift()!) : new Promise((resolve) => waiting.push(resolve))) };
}

describeKernel('fs file part: concurrent first touches of the same files, exact', () => {
  let dir: string;
  let part: FilePart;
  const racers: Racer[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bpfscope-fsr-'));
    for (let i = 0; i < N; i++) writeFileSync(join(dir, `f${i}`), Buffer.alloc(64, 1));
    const binary = compileOnce(SOURCE, 'bpfscope-fsr-bin-', ['-pthread']);
    for (let i = 0; i < P; i++) racers.push(startRacer(binary, dir));
    for (const r of racers) expect(await r.next()).toBe('ready');
    part = filePart({ files: true, maxTrackedFiles: 65536, maxFiles: 1_000_000, topProcesses: P });
    await part.init(initContext());
    expect(await part.pushdown({ pids: racers.map((r) => r.child.pid!) })).toEqual(['pids']);
  });
  afterAll(async () => {
    for (const r of racers) r.child.kill('SIGKILL');
    await part?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('each file once, with P × T opens, reads and closes, and each of its P processes once with T of each', async () => {
    for (const r of racers) r.child.stdin.write('go\n');
    for (const r of racers) expect(await r.next()).toBe('done');
    const reading = await part.read(Date.now());
    const mine = reading.files.filter((f) => f.path?.startsWith(`${dir}/`));
    expect(mine.map((f) => f.path).sort()).toEqual(Array.from({ length: N }, (_, i) => join(dir, `f${i}`)).sort());
    const pids = racers.map((r) => r.child.pid!).sort((a, b) => a - b);
    for (const f of mine) {
      expect({ opens: f.opens, reads: f.reads, closes: f.closes, bytesRead: f.bytesRead, writes: f.writes, fsyncs: f.fsyncs }).toEqual({ opens: P * T, reads: P * T, closes: P * T, bytesRead: 64 * P * T, writes: 0, fsyncs: 0 });
      expect(f.topProcesses.map((p) => p.pid).sort((a, b) => a - b)).toEqual(pids);
      for (const p of f.topProcesses) expect({ bytes: p.bytes, operations: p.operations }).toEqual({ bytes: 64 * T, operations: 3 * T });
    }
    expect(reading.filesLeftOut).toBe(0);
  });
});
