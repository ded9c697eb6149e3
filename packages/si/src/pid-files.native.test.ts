// PidFiles against the real procfs: a kept descriptor reads what a read by path reads
// (a title rewritten in place included), never another process, and only what a listing
// still shows stays open.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { PidFiles } from './pid-files.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** A node child that sets its title to each line it reads and answers "ok". */
async function titled(): Promise<{ child: ChildProcess; title: (t: string) => Promise<void> }> {
  const child = spawn(process.execPath, ['-e', "process.stdin.on('data', (d) => { process.title = String(d).trim(); process.stdout.write('ok'); }); process.stdout.write('up');"], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  await once(child.stdout!, 'data');
  return {
    child,
    title: async (t) => {
      child.stdin!.write(`${t}\n`);
      await once(child.stdout!, 'data');
    },
  };
}

/** Descriptors of this process open on `path`. */
const openOn = (path: string): number => readdirSync('/proc/self/fd').filter((fd) => {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`) === path;
  } catch {
    return false;
  }
}).length;

describe('PidFiles on procfs', () => {
  it('keeps one descriptor per process, reads a title rewritten in place, and closes what a listing no longer shows', async () => {
    const files = new PidFiles('/proc', 'cmdline');
    const { child, title } = await titled();
    const pid = child.pid!;
    const first = files.read(pid, 1);
    expect(first).toBe(readFileSync(`/proc/${pid}/cmdline`, 'latin1'));
    expect(files.size).toBe(1);
    expect(openOn(`/proc/${pid}/cmdline`)).toBe(1);
    await title('bpfscope-title-test');
    // The same descriptor, read again: the new title, as a read by path gives it.
    expect(files.read(pid, 1)).toBe(readFileSync(`/proc/${pid}/cmdline`, 'latin1'));
    expect(files.read(pid, 1)).toMatch(/^bpfscope-title-test/);
    expect(openOn(`/proc/${pid}/cmdline`)).toBe(1);
    files.sweep(); // read since the last sweep: kept
    expect(files.size).toBe(1);
    files.sweep(); // not read since: closed
    expect(files.size).toBe(0);
    expect(openOn(`/proc/${pid}/cmdline`)).toBe(0);
    files.close();
  });

  it('a process that exited reads as null and its descriptor is closed; another start under the PID opens the path anew', async () => {
    const files = new PidFiles('/proc', 'cmdline');
    const { child } = await titled();
    const pid = child.pid!;
    expect(files.read(pid, 1)).not.toBeNull();
    // Another start: the kept descriptor is not read, the path is opened again (one descriptor still).
    expect(files.read(pid, 2)).toBe(readFileSync(`/proc/${pid}/cmdline`, 'latin1'));
    expect(files.size).toBe(1);
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(files.read(pid, 2)).toBeNull();
    expect(files.size).toBe(0);
    expect(openOn(`/proc/${pid}/cmdline`)).toBe(0);
    files.close();
  });

  it('a tree that is not procfs is read by path every time and keeps nothing', () => {
    const root = mkdtempSync(join(tmpdir(), 'pid-files-'));
    try {
      mkdirSync(join(root, '5'));
      writeFileSync(join(root, '5/comm'), 'kworker/R-one\n');
      const files = new PidFiles(root, 'comm');
      expect(files.read(5, 1)).toBe('kworker/R-one\n');
      expect(files.size).toBe(0);
      writeFileSync(join(root, '5/comm'), 'kworker/R-two\n');
      expect(files.read(5, 1)).toBe('kworker/R-two\n');
      expect(files.read(6, 1)).toBeNull();
      files.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
