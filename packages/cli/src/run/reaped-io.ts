import { closeSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import { parsePidIo } from '@bpfscope/plugin-proc';

/** Read-class and write-class figures of /proc/&lt;pid&gt;/io. @internal */
export interface IoFigures {
  rchar: number;
  wchar: number;
  syscr: number;
  syscw: number;
}

const ZERO: IoFigures = { rchar: 0, wchar: 0, syscr: 0, syscw: 0 };
const buf = Buffer.alloc(4096);

/** One file read with exactly one read() call (procfs gives a small file whole): the bytes it returned are known. */
function readOnce(path: string): { io: IoFigures; bytes: number } {
  const fd = openSync(path, 'r');
  try {
    const bytes = readSync(fd, buf, 0, buf.length, 0);
    return { io: parsePidIo(buf.toString('latin1', 0, bytes), path), bytes };
  } finally {
    closeSync(fd);
  }
}

function add(a: IoFigures, b: IoFigures, sign = 1): IoFigures {
  return { rchar: a.rchar + sign * b.rchar, wchar: a.wchar + sign * b.wchar, syscr: a.syscr + sign * b.syscr, syscw: a.syscw + sign * b.syscw };
}

/**
 * The I/O this process has collected from the children it reaped. When a process
 * reaps a child, the kernel adds the child's I/O counters, which hold those of every
 * descendant the child reaped in turn, to the reaper's process-wide counters
 * (`/proc/self/io`); a thread's own counters (`/proc/self/task/<tid>/io`) do not get
 * them. So the process-wide figures minus the sum over this process's threads are
 * the reaped children's, plus the threads of this process that exited (a baseline
 * taken before the command starts removes those exited earlier).
 *
 * The reads are ordered so that the figure is exact while no other thread of this
 * process does I/O: the calling thread's own file is read last among the threads, and
 * the one read() of the process-wide file that follows is the only call counted in
 * one and not the other.
 * @param procRoot - procfs root
 * @returns cumulative read-class/write-class figures of reaped children
 * @internal
 */
export function reapedChildrenIo(procRoot = '/proc'): IoFigures {
  const self = `${procRoot}/self`;
  const own = readlinkSync(`${procRoot}/thread-self`).split('/').at(-1)!;
  let threads = ZERO;
  for (const tid of readdirSync(`${self}/task`).filter((t) => t !== own)) {
    try {
      threads = add(threads, readOnce(`${self}/task/${tid}/io`).io);
    } catch {
      // A thread that exited meanwhile: its counters moved to the process-wide ones and
      // stay in the difference, as exited threads do.
    }
  }
  const mine = readOnce(`${self}/task/${own}/io`);
  const whole = readOnce(`${self}/io`).io;
  // The read() of our own thread's file is in `whole` but not in `mine`.
  const ownRead: IoFigures = { rchar: mine.bytes, wchar: 0, syscr: 1, syscw: 0 };
  return add(add(whole, add(threads, mine.io), -1), ownRead, -1);
}

/** Figures of `b` minus `a`. @internal */
export function ioSince(a: IoFigures, b: IoFigures): IoFigures {
  return add(b, a, -1);
}
