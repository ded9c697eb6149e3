// KeptFiles: a live procfs file is read through one kept descriptor and each read is what
// a read by path gives now (a process stopped between two reads is seen stopped; one that
// exited is gone, as by path); a tree that is not procfs/sysfs/cgroupfs keeps nothing;
// sweep closes the files not read since the last, close closes all; a read under another
// identity (what the caller says the path names) opens the path anew.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DataUnavailable } from '../errors/taxonomy.js';
import { KeptFiles } from './kept-files.js';
import { procReadErrorCode } from './read-proc-file.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfscope-keptfiles-'));
const children: ChildProcess[] = [];
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** The descriptors of this process that name `path`. */
const fdsOn = (path: string): number => readdirSync('/proc/self/fd').filter((fd) => {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`) === path;
  } catch {
    return false; // the listing's own descriptor, closed by now
  }
}).length;

/** The state letter of a /proc/<pid>/stat text. */
const state = (stat: string): string => stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);

/** Reads /proc/<pid>/stat by path until its state is `want` (a signal is delivered when the kernel gets to it). */
async function untilState(pid: number, want: string): Promise<void> {
  while (state(readFileSync(`/proc/${pid}/stat`, 'utf8')) !== want) await new Promise((r) => setTimeout(r, 5));
}

describe('KeptFiles', () => {
  it('a PID\'s stat through one kept descriptor follows the process: running, stopped, running again', async () => {
    const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
    children.push(child);
    const pid = child.pid!;
    const kept = new KeptFiles('/proc');
    await untilState(pid, 'S');
    expect(state(kept.read(`${pid}/stat`))).toBe('S');
    expect(kept.size).toBe(1);
    expect(fdsOn(`/proc/${pid}/stat`)).toBe(1);
    child.kill('SIGSTOP');
    await untilState(pid, 'T');
    expect(state(kept.read(`${pid}/stat`))).toBe('T');
    child.kill('SIGCONT');
    await untilState(pid, 'S');
    expect(state(kept.read(`${pid}/stat`))).toBe('S');
    // The same descriptor all along: none was opened beside it.
    expect(kept.size).toBe(1);
    expect(fdsOn(`/proc/${pid}/stat`)).toBe(1);
    kept.close();
    expect(fdsOn(`/proc/${pid}/stat`)).toBe(0);
  });

  it('a process that exited and was reaped: the kept read fails as a read by path does (ENOENT), and nothing stays open', async () => {
    const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
    const pid = child.pid!;
    const kept = new KeptFiles('/proc');
    expect(kept.read(`${pid}/status`)).toMatch(/^Name:\t/m);
    child.kill('SIGKILL');
    await once(child, 'exit');
    let error: unknown = null;
    try {
      kept.read(`${pid}/status`);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DataUnavailable);
    expect(procReadErrorCode(error)).toBe('ENOENT');
    expect((error as DataUnavailable).details.path).toBe(`/proc/${pid}/status`);
    expect(kept.size).toBe(0);
  });

  it('a file of many records (a stopped process\'s smaps, several pages) is read whole, as by path', async () => {
    const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
    children.push(child);
    const pid = child.pid!;
    await untilState(pid, 'S');
    child.kill('SIGSTOP');
    await untilState(pid, 'T');
    const kept = new KeptFiles('/proc');
    const byPath = readFileSync(`/proc/${pid}/smaps`, 'utf8');
    // One read of a seq_file stops at its page-sized buffer: this file takes several.
    expect(byPath.length).toBeGreaterThan(8192);
    expect(kept.read(`${pid}/smaps`)).toBe(byPath);
    expect(kept.read(`${pid}/smaps`)).toBe(byPath);
    kept.close();
  });

  it('sweep closes what was not read since the last sweep; close closes the rest', () => {
    const kept = new KeptFiles('/proc');
    const self = process.pid;
    kept.read(`${self}/stat`);
    kept.read(`${self}/status`);
    kept.sweep();
    expect(kept.size).toBe(2);
    kept.read(`${self}/stat`);
    kept.sweep();
    expect(kept.size).toBe(1);
    expect(fdsOn(`/proc/${self}/status`)).toBe(0);
    expect(fdsOn(`/proc/${self}/stat`)).toBe(1);
    kept.close();
    expect(kept.size).toBe(0);
    expect(fdsOn(`/proc/${self}/stat`)).toBe(0);
  });

  it('identity: the same keeps the descriptor; another closes it and opens the path anew under the new one; null reads by path and keeps nothing', () => {
    const kept = new KeptFiles('/proc');
    const rel = `${process.pid}/stat`;
    const path = `/proc/${process.pid}/stat`;
    const inodeOfFd = (): number[] => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === path;
      } catch {
        return false;
      }
    }).map(Number);
    expect(kept.read(rel, undefined, 7)).toMatch(new RegExp(`^${process.pid} `));
    const [first] = inodeOfFd();
    kept.read(rel, undefined, 7);
    expect(inodeOfFd()).toEqual([first]);
    kept.read(rel, undefined, 8);
    expect(kept.size).toBe(1);
    expect(fdsOn(path)).toBe(1);
    kept.read(rel, undefined, 8);
    expect(fdsOn(path)).toBe(1);
    expect(kept.read(rel, undefined, null)).toMatch(new RegExp(`^${process.pid} `));
    expect(kept.size).toBe(0);
    expect(fdsOn(path)).toBe(0);
  });

  it('a tree that is not procfs, sysfs or cgroupfs is read by path: a file replaced by another is the new one, nothing kept', () => {
    writeFileSync(join(dir, 'limit'), '100\n');
    const kept = new KeptFiles(dir);
    expect(kept.read('limit')).toBe('100\n');
    writeFileSync(join(dir, 'limit.new'), '200\n');
    renameSync(join(dir, 'limit.new'), join(dir, 'limit'));
    expect(kept.read('limit')).toBe('200\n');
    expect(kept.size).toBe(0);
    expect(() => kept.read('missing')).toThrow(DataUnavailable);
  });

  it('past `max`, files are read by path and not kept', () => {
    const kept = new KeptFiles('/proc', 1);
    const self = process.pid;
    expect(kept.read(`${self}/status`)).toMatch(/^Pid:\t\d+$/m);
    expect(kept.read(`${self}/stat`)).toMatch(new RegExp(`^${self} `));
    expect(kept.size).toBe(1);
    kept.close();
  });
});
