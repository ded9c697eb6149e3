// MissedProcesses on the live procfs keeps the files of the processes it reads at every
// reading open (kept descriptors): each reading is still what a read by path gives now. A
// child of this test stands for a process the iterator missed (it is left out of `seen`):
// stopped between two readings it is read stopped; frozen, two readings give the record a
// read by path gives; once reaped it is gone and its files are closed.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { readContext, readProcess } from '../procfs/read-process.js';
import { MissedProcesses } from './missed-processes.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** This process's descriptors on files of /proc/<pid>. */
const fdsOf = (pid: number): number => readdirSync('/proc/self/fd').filter((fd) => {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`).startsWith(`/proc/${pid}/`);
  } catch {
    return false;
  }
}).length;

const stateOf = (pid: number): string => {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3);
};

/** Waits until the kernel has put the process in `want` (a signal is delivered when the kernel gets to it). */
async function untilState(pid: number, want: string): Promise<void> {
  while (stateOf(pid) !== want) await new Promise((r) => setTimeout(r, 5));
}

describe('MissedProcesses with kept files, on the live procfs', () => {
  it('a missed process stopped between two readings is read stopped; frozen, a reading equals a read by path; reaped, it is gone and its files closed', async () => {
    const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
    children.push(child);
    const pid = child.pid!;
    const options = { sysRoot: '/sys', bootTime: null };
    const m = new MissedProcesses('/proc', readContext('/proc', options), null);
    const only = new Set([pid]);
    await untilState(pid, 'S');
    const first = m.fill([], 0, only);
    expect(first.records.map((r) => [r.pid, r.state, r.source])).toEqual([[pid, 'S', 'procfs']]);
    // stat, status, io and cgroup stay open (the namespace links are links, read by path).
    expect(fdsOf(pid)).toBe(4);
    child.kill('SIGSTOP');
    await untilState(pid, 'T');
    const stopped = m.fill([], 0, only);
    expect(stopped.records.map((r) => [r.pid, r.state])).toEqual([[pid, 'T']]);
    // Stopped, nothing of it moves: the kept reading, a second one and a read by path agree.
    const byPath = readProcess('/proc', pid, options);
    expect(m.fill([], 0, only).records).toEqual([byPath.status === 'ok' ? byPath.record : null]);
    expect(stopped.records).toEqual(m.fill([], 0, only).records);
    expect(fdsOf(pid)).toBe(4);
    child.kill('SIGKILL');
    await once(child, 'exit');
    const gone = m.fill([], 0, only);
    expect([gone.records, gone.vanished]).toEqual([[], 0]);
    expect(fdsOf(pid)).toBe(0);
  });

  it('a process no longer missed (the iterator has it again): its files are closed at that reading; close() closes the rest', async () => {
    const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
    children.push(child);
    const pid = child.pid!;
    const m = new MissedProcesses('/proc', readContext('/proc', { sysRoot: '/sys', bootTime: null }), null);
    const only = new Set([pid]);
    expect(m.fill([], 0, only).records.map((r) => r.pid)).toEqual([pid]);
    expect(fdsOf(pid)).toBe(4);
    expect(m.fill([{ pid }], 0, only).records).toEqual([]);
    expect(fdsOf(pid)).toBe(0);
    expect(m.fill([], 0, only).records.map((r) => r.pid)).toEqual([pid]);
    expect(fdsOf(pid)).toBe(4);
    m.close();
    expect(fdsOf(pid)).toBe(0);
  });
});
