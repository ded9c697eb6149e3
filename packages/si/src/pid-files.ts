// One procfs file of each process (/proc/<pid>/cmdline, /proc/<pid>/comm) read through
// descriptors kept open from one listing to the next: one pread per process instead of an
// open, a read and a close. The kernel builds the text anew at every read (a command line
// from the process's memory, a title it rewrites in place included; a workqueue worker's
// name with the queue it serves now), so a kept descriptor reads what a read by path reads.
// A kept descriptor never reads another process: once its process is gone its reads fail
// (ESRCH), and a new process under the same PID has another start, which opens the path anew.
import { closeSync, openSync, readSync, statfsSync } from 'node:fs';

/** f_type of procfs (linux/magic.h): only there is a descriptor's content made anew at each read. */
const PROC_SUPER_MAGIC = 0x9fa0;

/** Descriptors kept at most per file name (past it, files are read by path): a machine of 10,000 processes keeps no 10,000. */
const MAX_KEPT = 2_048;

interface Kept {
  fd: number;
  start: number;
  used: boolean;
}

let scratch = Buffer.allocUnsafe(16_384);

/**
 * A procfs file's text from offset 0 through one reused buffer, or null when the read fails.
 * A short read is the end: the kernel copies a command line in a loop up to the count asked,
 * and a comm fits one read (so a read per file is saved). @internal
 */
export function readFrom(fd: number): string | null {
  let length = 0;
  try {
    for (;;) {
      if (length === scratch.length) {
        const bigger = Buffer.allocUnsafe(scratch.length * 2);
        scratch.copy(bigger, 0, 0, length);
        scratch = bigger;
      }
      const room = scratch.length - length;
      const n = readSync(fd, scratch, length, room, length);
      length += n;
      if (n < room) break;
    }
  } catch {
    return null;
  }
  return scratch.toString('latin1', 0, length);
}

/**
 * One procfs file of processes by PID and start, with their descriptors kept open between
 * listings (procfs only; other trees, such as test fixtures, are read by path each time).
 * Call {@link PidFiles.sweep} after each whole listing and {@link PidFiles.close} at the end.
 * @internal
 */
export class PidFiles {
  readonly #kept = new Map<number, Kept>();
  readonly #keepable: boolean;

  /**
   * @param procRoot - where procfs is mounted
   * @param file - the file of each process's directory, e.g. `cmdline`
   */
  constructor(
    readonly procRoot: string,
    readonly file: string,
  ) {
    let type: number | null = null;
    try {
      type = statfsSync(procRoot).type;
    } catch {
      // not there: nothing is kept, every read fails as a read by path does
    }
    this.#keepable = type === PROC_SUPER_MAGIC;
  }

  /** Descriptors open now. */
  get size(): number {
    return this.#kept.size;
  }

  /**
   * The raw contents of the file (a command line's arguments separated by NUL bytes).
   * @param pid - the process
   * @param start - its start (anything that tells a reused PID apart)
   * @returns the text, or null when it cannot be read (the process exited, or hides it)
   */
  read(pid: number, start: number): string | null {
    const kept = this.#kept.get(pid);
    if (kept !== undefined) {
      if (kept.start === start) {
        const text = readFrom(kept.fd);
        if (text !== null) {
          kept.used = true;
          return text;
        }
      }
      this.#drop(pid, kept);
    }
    let fd: number;
    try {
      fd = openSync(`${this.procRoot}/${pid}/${this.file}`, 'r');
    } catch {
      return null;
    }
    const text = readFrom(fd);
    if (text !== null && this.#keepable && this.#kept.size < MAX_KEPT) this.#kept.set(pid, { fd, start, used: true });
    else closeSync(fd);
    return text;
  }

  /** After a whole listing: close the descriptors of the processes it did not show. */
  sweep(): void {
    for (const [pid, kept] of this.#kept) {
      if (kept.used) kept.used = false;
      else this.#drop(pid, kept);
    }
  }

  /** Close every descriptor (later reads open them anew). */
  close(): void {
    for (const [pid, kept] of this.#kept) this.#drop(pid, kept);
  }

  #drop(pid: number, kept: Kept): void {
    this.#kept.delete(pid);
    try {
      closeSync(kept.fd);
    } catch {
      // already closed: nothing to free
    }
  }
}
