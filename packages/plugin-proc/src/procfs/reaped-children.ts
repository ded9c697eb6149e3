import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, readSync } from 'node:fs';
import { machineConstants, parsePidIo } from '@bpfscope/core';

/** Read-class and write-class figures of /proc/&lt;pid&gt;/io. */
export interface ReapedIo {
  /** Bytes read by read-class calls. */
  rchar: number;
  /** Bytes passed to write-class calls. */
  wchar: number;
  /** Read-class calls. */
  syscr: number;
  /** Write-class calls. */
  syscw: number;
}

/** What the calling process has collected from the children it reaped (see {@link readReapedChildren}). */
export interface ReapedChildren {
  /** I/O of the reaped children (and of this process's threads that exited). */
  io: ReapedIo;
  /** CPU time of the reaped children (stat's cutime + cstime), seconds; null when USER_HZ is unknown. */
  cpuSeconds: number | null;
  /** Why `cpuSeconds` is null. */
  cpuUnavailable?: string;
}

const buf = Buffer.alloc(4096);

/** One file read with exactly one read() call (procfs gives a small file whole): the bytes it returned are known. */
function readOnce(path: string): { io: ReapedIo; bytes: number } {
  const fd = openSync(path, 'r');
  try {
    const bytes = readSync(fd, buf, 0, buf.length, 0);
    return { io: parsePidIo(buf.toString('latin1', 0, bytes), path), bytes };
  } finally {
    closeSync(fd);
  }
}

function add(a: ReapedIo, b: ReapedIo, sign = 1): ReapedIo {
  return { rchar: a.rchar + sign * b.rchar, wchar: a.wchar + sign * b.wchar, syscr: a.syscr + sign * b.syscr, syscw: a.syscw + sign * b.syscw };
}

const ZERO: ReapedIo = { rchar: 0, wchar: 0, syscr: 0, syscw: 0 };

/**
 * What the calling process has collected from the children it reaped: the totals a
 * launcher (`bpfscope run` with the procfs source) has of the commands it waited for, which
 * the procfs source's exit events cannot carry (a process gone from /proc leaves nothing to
 * read). When a process reaps a child, the kernel adds the child's CPU time (cutime,
 * cstime) and I/O counters, which hold those of every descendant the child reaped in turn,
 * to the reaper. The I/O is the process-wide figures (`/proc/self/io`) minus the sum over
 * this process's threads (`/proc/self/task/<tid>/io`), which leaves the reaped children's
 * plus the threads of this process that exited: take a reading before the children start
 * and subtract it.
 *
 * The reads are ordered so that the I/O is exact while no other thread of this process
 * does I/O: the calling thread's own file is read last among the threads, and the one
 * read() of the process-wide file that follows is the only call counted in one and not
 * the other. Descendants orphaned before they exited are reaped by another process and
 * are not in these figures.
 * @param procRoot - procfs root @default '/proc'
 * @returns cumulative figures since this process started
 */
export function readReapedChildren(procRoot = '/proc'): ReapedChildren {
  const ticks = machineConstants(procRoot).clockTicks;
  let cpuSeconds: number | null = null;
  if (ticks.value !== null) {
    const s = readFileSync(`${procRoot}/self/stat`, 'latin1');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    cpuSeconds = (Number(f[13]) + Number(f[14])) / ticks.value;
  }
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
  const ownRead: ReapedIo = { rchar: mine.bytes, wchar: 0, syscr: 1, syscw: 0 };
  const io = add(add(whole, add(threads, mine.io), -1), ownRead, -1);
  return ticks.value === null ? { io, cpuSeconds, cpuUnavailable: ticks.reason } : { io, cpuSeconds };
}

/**
 * What was reaped between two readings of {@link readReapedChildren}: `now` minus `start`,
 * the CPU time null (with the reason) when either reading has none.
 * @param start - the earlier reading
 * @param now - the later reading
 * @returns the difference
 */
export function reapedSince(start: ReapedChildren, now: ReapedChildren): ReapedChildren {
  const io = add(now.io, start.io, -1);
  if (now.cpuSeconds === null || start.cpuSeconds === null) {
    const reason = now.cpuUnavailable ?? start.cpuUnavailable;
    return reason === undefined ? { io, cpuSeconds: null } : { io, cpuSeconds: null, cpuUnavailable: reason };
  }
  return { io, cpuSeconds: now.cpuSeconds - start.cpuSeconds };
}
