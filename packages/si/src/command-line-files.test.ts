// The command-line descriptors si keeps from call to call, against real processes: each
// read gives what a read by path gives at that moment (argv rewritten meanwhile included),
// a process that exited or a PID with another start is never read through an old descriptor.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandLineFiles } from './process-details.js';

// A child that answers each line on stdin by setting its title to that line (Node rewrites
// its argv area), then says "ok".
const TITLE = `require('readline').createInterface({ input: process.stdin }).on('line', (l) => { process.title = l; console.log('ok'); });console.log('ready');`;
const children: ChildProcessWithoutNullStreams[] = [];

async function child(): Promise<{ c: ChildProcessWithoutNullStreams; say: (line: string) => Promise<void> }> {
  const c = spawn(process.execPath, ['-e', TITLE, 'first-arg']);
  children.push(c);
  const lines = createInterface({ input: c.stdout })[Symbol.asyncIterator]();
  expect((await lines.next()).value).toBe('ready');
  return { c, say: async (line) => { c.stdin.write(`${line}\n`); expect((await lines.next()).value).toBe('ok'); } };
}

const byPath = (pid: number): string => readFileSync(`/proc/${pid}/cmdline`, 'latin1');
/** Descriptors of this process open on some /proc/<pid>/cmdline. */
function openFds(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (/^\/proc\/\d+\/cmdline$/.test(readlinkSync(`/proc/self/fd/${fd}`))) n++;
    } catch {
      // closed between the listing and the readlink
    }
  }
  return n;
}

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('CommandLineFiles', () => {
  it('reads through one kept descriptor what a read by path gives, argv rewritten meanwhile included', async () => {
    const { c, say } = await child();
    const files = new CommandLineFiles();
    const fds = openFds();
    const first = files.read('/proc', c.pid!, 100);
    expect(first).toBe(byPath(c.pid!));
    expect(first).toContain('first-arg');
    expect(files.size).toBe(1);
    expect(openFds()).toBe(fds + 1);
    await say('rewritten-title');
    const second = files.read('/proc', c.pid!, 100);
    expect(second).toBe(byPath(c.pid!));
    expect(second).toMatch(/^rewritten-title/);
    expect(files.size).toBe(1);
    expect(openFds()).toBe(fds + 1);
    files.close();
    expect(openFds()).toBe(fds);
  });

  it('a process that exited reads as a read by path does (null) and its descriptor is closed; another start opens anew', async () => {
    const a = await child();
    const b = await child();
    const files = new CommandLineFiles();
    const fds = openFds();
    expect(files.read('/proc', a.c.pid!, 1)).toBe(byPath(a.c.pid!));
    expect(files.read('/proc', b.c.pid!, 1)).toBe(byPath(b.c.pid!));
    expect(openFds()).toBe(fds + 2);
    a.c.kill('SIGKILL');
    await once(a.c, 'exit');
    expect(files.read('/proc', a.c.pid!, 1)).toBeNull();
    expect(files.size).toBe(1);
    // The same PID with another start time (a reused PID): not the kept descriptor's process.
    expect(files.read('/proc', b.c.pid!, 2)).toBe(byPath(b.c.pid!));
    expect(files.size).toBe(1);
    expect(openFds()).toBe(fds + 1);
    files.close();
  });

  it('sweep closes what was not read since the last sweep; past max, files are read by path and not kept', async () => {
    const a = await child();
    const b = await child();
    const files = new CommandLineFiles(1);
    const fds = openFds();
    expect(files.read('/proc', a.c.pid!, 1)).toBe(byPath(a.c.pid!));
    expect(files.read('/proc', b.c.pid!, 1)).toBe(byPath(b.c.pid!));
    expect(files.size).toBe(1);
    expect(openFds()).toBe(fds + 1);
    files.sweep(); // both were read: a's stays
    expect(files.size).toBe(1);
    files.sweep(); // not read since: closed
    expect(files.size).toBe(0);
    expect(openFds()).toBe(fds);
  });
});
