// A process that vanishes in the middle of a reading, on the real kernel: the victim is
// started under a shell that waits for it (so it is reaped at once when killed, whatever
// PID 1 does), does a known amount of work, and then waits. A hook on node:fs (through
// syncBuiltinESMExports, so every module's named imports see it) kills it the first time a
// reading touches a path of it under /proc (its stat, comm, io, fd, ...) and lets the read
// go on only once /proc/<pid> is gone: whatever the family listed it from (a /proc listing,
// a kernel map, a socket table), every read of it after that point finds it vanished.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { compileOnce } from './compile-c.js';

const SOURCE = `
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
/* argv: calls file bytes. Waits for a line on stdin, makes <calls> getppid calls, writes
 * <bytes> bytes to <file> in 4 KiB writes (then fsync), listens on a TCP port of 127.0.0.1,
 * prints "ready <port>", and waits in pause(). */
int main(int argc, char **argv) {
  char line[16], buf[4096];
  long calls = atol(argv[1]), bytes = atol(argv[3]);
  memset(buf, 'x', sizeof buf);
  if (!fgets(line, sizeof line, stdin)) return 2;
  for (long i = 0; i < calls; i++) syscall(SYS_getppid);
  int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return 3;
  for (long done = 0; done < bytes; done += sizeof buf)
    if (write(fd, buf, bytes - done < (long)sizeof buf ? bytes - done : (long)sizeof buf) < 0) return 4;
  fsync(fd);
  close(fd);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  socklen_t len = sizeof a;
  if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 1) || getsockname(s, (struct sockaddr *)&a, &len)) return 5;
  printf("ready %d\\n", ntohs(a.sin_port));
  fflush(stdout);
  pause();
  return 0;
}
`;

/** A started victim, blocked until {@link Victim.go}. */
export interface Victim {
  /** Its pid (the shell's child). */
  readonly pid: number;
  /** Lets it do its work; resolves with the port it listens on once it waits. */
  go(): Promise<number>;
  /** From now on, the first touch of /proc/<pid> makes it vanish. */
  arm(): void;
  /** The first /proc path a reading touched of it once armed (what made it vanish), or null. */
  touched(): string | null;
  /** Removes the hook, kills it if it still lives, and waits for its shell. */
  stop(): Promise<void>;
}

const HOOKED = ['readFileSync', 'readdirSync', 'readlinkSync', 'statSync', 'lstatSync', 'openSync', 'existsSync'] as const;

/**
 * Starts a victim that will make `calls` getppid calls and write `bytes` bytes to `file`,
 * and hooks node:fs so that, once armed, it vanishes when a reading first touches /proc/<its pid>.
 */
export async function startVictim(calls: number, file: string, bytes: number): Promise<Victim> {
  const binary = compileOnce(SOURCE, 'bpfscope-victim-');
  // The shell reads nothing; the victim's stdin is fd 3 (a background job's fd 0 is /dev/null).
  const sh: ChildProcess = spawn('sh', ['-c', `"$0" "$@" <&3 & echo $!; wait`, binary, String(calls), file, String(bytes)], { stdio: ['ignore', 'pipe', 'inherit', 'pipe'] });
  const lines = createInterface({ input: sh.stdout! })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const r = await lines.next();
    if (r.done) throw new Error('the victim ended early');
    return r.value as string;
  };
  const shellExit = new Promise<void>((resolve) => sh.once('exit', () => resolve()));
  const pid = Number(await next());
  const original = Object.fromEntries(HOOKED.map((name) => [name, fs[name]])) as Record<(typeof HOOKED)[number], (...a: unknown[]) => unknown>;
  const mine = new RegExp(`^/proc/${pid}(/|$)`);
  let touched: string | null = null;
  let armed = false;
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const vanish = (path: unknown): void => {
    if (!armed || touched !== null || typeof path !== 'string' || !mine.test(path)) return;
    touched = path;
    process.kill(pid, 'SIGKILL');
    // Its shell reaps it; wait (no time limit) until /proc has no trace of it.
    while (original.existsSync(`/proc/${pid}`)) Atomics.wait(gate, 0, 0, 1);
  };
  const hooked: Record<string, unknown> = {};
  for (const name of HOOKED) {
    hooked[name] = (...args: unknown[]) => {
      vanish(args[0]);
      return original[name](...args);
    };
  }
  Object.assign(fs, hooked);
  syncBuiltinESMExports();
  let unhooked = false;
  const unhook = (): void => {
    if (unhooked) return;
    unhooked = true;
    Object.assign(fs, original);
    syncBuiltinESMExports();
  };
  return {
    pid,
    async go() {
      (sh.stdio[3] as Writable).write('go\n');
      const ready = /^ready (\d+)$/.exec(await next());
      if (!ready) throw new Error('the victim said something else than ready');
      return Number(ready[1]);
    },
    arm: () => void (armed = true),
    touched: () => touched,
    async stop() {
      unhook();
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
      await shellExit;
    },
  };
}
