import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { PidFiles, readFrom } from './pid-files.js';

/** User names by user ID, from /etc/passwd, read again when the file changes. @internal */
export class UserNames {
  #names = new Map<number, string>();
  #mtimeMs = -1;

  constructor(private readonly path = '/etc/passwd') {}

  /** The name of `uid`, or its number as a string when /etc/passwd has no entry (as `ps` prints it). Call {@link UserNames.refresh} first. */
  name(uid: number): string {
    return this.#names.get(uid) ?? String(uid);
  }

  /** Read /etc/passwd again if it changed since the last call. */
  refresh(): void {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.path).mtimeMs;
    } catch {
      this.#names.clear();
      this.#mtimeMs = -1;
      return;
    }
    if (mtimeMs === this.#mtimeMs) return;
    this.#mtimeMs = mtimeMs;
    this.#names.clear();
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      const f = line.split(':');
      const uid = Number(f[2]);
      if (f.length >= 3 && f[0] && f[2] !== '' && Number.isInteger(uid) && !this.#names.has(uid)) this.#names.set(uid, f[0]);
    }
  }
}

/** A process's command line split as systeminformation splits it. @internal */
export interface CommandLine {
  command: string;
  params: string;
  path: string;
  name: string;
}

/** systeminformation's name rule for a command: drop a trailing `:`; a kernel thread's `a/b` is `a`. */
function nameOf(command: string, kernel: boolean): string {
  let n = command.endsWith(':') ? command.slice(0, -1) : command;
  if (kernel) {
    const parts = n.split('/');
    n = parts.length > 1 && !Number.isNaN(parseInt(parts.at(-1)!, 10)) ? parts[0]! : parts.at(-1)!;
  }
  return n;
}

/**
 * A procfs file's text, read by path through one reused buffer (readFileSync's stat and
 * allocation per file cost four times as much over a process table); null when it cannot be
 * read (the process exited, or hides it).
 */
function readSmall(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    return readFrom(fd);
  } finally {
    closeSync(fd);
  }
}

/** A kernel thread's full name: /proc/&lt;pid&gt;/comm holds it (task->comm stops at 15 bytes); null when unreadable. */
function kernelThreadName(procRoot: string, pid: number): string | null {
  const raw = readSmall(`${procRoot}/${pid}/comm`);
  return raw === null ? null : raw.replace(/\n$/, '');
}

/**
 * Kernel threads' full names (/proc/&lt;pid&gt;/comm; task->comm stops at 15 bytes), each read
 * once per thread: a kernel thread's full name is set when it is created (kthread_create), so
 * it is kept while the same thread (PID and start) has the same task name, and read again when
 * that name changes. A workqueue worker's (`kworker/…`) is read at every listing, through a
 * descriptor kept open ({@link PidFiles}): its suffix names the work queue it serves now. @internal
 */
export class KernelThreadNames {
  #kept = new Map<string, string>();
  #seen = new Map<string, string>();
  /** Workers' comm files, read at every listing through kept descriptors. */
  readonly #workers: PidFiles;

  /** @param procRoot - where procfs is mounted */
  constructor(readonly procRoot: string) {
    this.#workers = new PidFiles(procRoot, 'comm');
  }

  /**
   * The full name of a kernel thread.
   * @param pid - its PID
   * @param start - its start (anything that tells a reused PID apart)
   * @param comm - its task name (15 bytes at most)
   * @returns the full name, or `comm` when it cannot be read
   */
  full(pid: number, start: number, comm: string): string {
    if (comm.length < 15) return comm;
    if (comm.startsWith('kworker/')) return this.#workers.read(pid, start)?.replace(/\n$/, '') ?? comm;
    const key = `${pid}:${start}:${comm}`;
    let name = this.#kept.get(key);
    if (name === undefined) {
      const read = kernelThreadName(this.procRoot, pid);
      if (read === null) return comm;
      name = read;
    }
    this.#seen.set(key, name);
    return name;
  }

  /** After a whole listing: forget the threads it did not show. */
  sweep(): void {
    this.#workers.sweep();
    this.#kept = this.#seen;
    this.#seen = new Map();
  }

  /** Close the workers' kept descriptors (later calls open them anew). */
  close(): void {
    this.#workers.close();
  }
}

/**
 * /proc/&lt;pid&gt;/cmdline as command (base name of argv[0]), params (the other arguments)
 * and path (argv[0]'s directory). A kernel thread, a zombie or a process that exited since
 * has no command line, and with `readArgv` false none is read: its command is `comm` (a
 * kernel thread's full name through `kernelName` when given, e.g. {@link KernelThreadNames}).
 * `rawArgv` reads the file's raw text instead of a read by path (e.g. through
 * {@link PidFiles}' kept descriptors).
 * @internal
 */
export function readCommandLine(procRoot: string, pid: number, comm: string, kernel: boolean, readArgv = true, kernelName?: (comm: string) => string, rawArgv?: () => string | null): CommandLine {
  let argv: string[] = [];
  if (!kernel && readArgv) {
    const raw = rawArgv ? rawArgv() : readSmall(`${procRoot}/${pid}/cmdline`);
    if (raw !== null) argv = (raw.endsWith('\0') ? raw.slice(0, -1) : raw).split('\0');
  }
  const first = argv[0] ?? '';
  if (first === '') {
    // task->comm holds 15 bytes; a kernel thread's longer name is in /proc/<pid>/comm.
    const full = !kernel || comm.length < 15 ? comm : kernelName ? kernelName(comm) : (kernelThreadName(procRoot, pid) ?? comm);
    return { command: full, params: '', path: '', name: nameOf(full, kernel) };
  }
  const slash = first.lastIndexOf('/');
  const command = slash >= 0 ? first.slice(slash + 1) : first;
  return { command, params: argv.slice(1).join(' '), path: slash > 0 ? first.slice(0, slash) : '', name: nameOf(command, false) };
}

/** Online CPUs, from /sys/devices/system/cpu/online (`0-3,6`). @internal */
export function onlineCpus(sysRoot: string): number | null {
  try {
    let n = 0;
    for (const part of readFileSync(`${sysRoot}/devices/system/cpu/online`, 'utf8').trim().split(',')) {
      const [a, b] = part.split('-').map(Number);
      n += b === undefined ? 1 : b - a! + 1;
    }
    return n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** A time (ms since the epoch) as local `YYYY-MM-DD HH:MM:SS`, as systeminformation prints start times. @internal */
export function localDateTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** `ps`'s word for a one-letter state, as systeminformation maps it. @internal */
export function stateWord(state: string): string {
  switch (state[0]) {
    case 'R':
      return 'running';
    case 'S':
      return 'sleeping';
    case 'T':
      return 'stopped';
    case 'W':
      return 'paging';
    case 'X':
      return 'dead';
    case 'Z':
      return 'zombie';
    case 'D':
    case 'U':
      return 'blocked';
    default:
      return 'unknown';
  }
}
