// Files that a caller reads again at every reading (a cgroup's limit file, the procfs files
// of a process the task iterator misses), kept open by that caller and read with pread at
// offset 0: the path walk, fstat and close of a read by path go (a cgroup v1 limit file:
// 15 µs of CPU by path, 2.5 µs through the kept descriptor, on the development VM).
//
// Only files of the kernel's own file systems are kept (procfs, sysfs, cgroup v1 and v2:
// their content is generated anew at offset 0), and only because there a descriptor never
// silently becomes another file: a removed kernfs file fails its reads (ENODEV), a PID's
// procfs file fails them once the process is gone (ESRCH) and is never the file of a new
// process under the same PID. A failed read closes the descriptor and reads by path again,
// whose result counts, so a reading is what a read by path gives. The one way a kept file
// outlives its path is a renamed directory (cgroup v1 allows it): the caller that cares
// gives the directory's identity with each read. Permission is checked when a file is
// opened (and, for the files that check it at every read, such as a PID's io, at the read
// too): a kept file whose mode is made stricter later stays readable to the caller.
import { closeSync, openSync, readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcfsReader } from '../services/procfs-reader.js';
import { procfsCall } from './read-proc-file.js';
import { readWhole } from './read-whole.js';

/** f_type of procfs, sysfs, cgroup v1 and cgroup v2 (linux/magic.h). */
const KEEPABLE = new Set([0x9fa0, 0x62656572, 0x27e0eb, 0x63677270]);

/** Codes of a read refused on a kept descriptor that a read by path gets too (a check at every read). */
const REFUSED = new Set(['EACCES', 'EPERM']);

/** The system call's code of a failure, raw or wrapped in a DataUnavailable by procfsCall. */
const codeOf = (e: unknown): string => (e as { details?: { code?: unknown } }).details?.code as string ?? (e as NodeJS.ErrnoException).code ?? '';

interface Kept {
  fd: number;
  /** The caller's identity of what the file belongs to (a directory's inode), when given. */
  identity: number | undefined;
  /** Read since the last sweep. */
  used: boolean;
}

function fsType(path: string): number | null {
  try {
    return statfsSync(path).type;
  } catch {
    return null;
  }
}

/**
 * Descriptors kept open for files below one root that one caller reads at every reading,
 * read with pread at offset 0: the kernel generates the content anew, and a descriptor of
 * a removed file (or of a process that exited) fails its read, which then reads by path
 * again, so every read returns what a read by path returns. Below a root that is not
 * procfs, sysfs or a cgroup file system (a fixture tree) nothing is kept and every read is
 * a read by path. The caller sweeps after each reading (files it did not read are closed)
 * and closes the set when it stops. Get one from {@link ProcfsReader.keepSysFiles} for sysfs.
 * @example
 * ```ts
 * const kept = new KeptFiles('/proc');
 * const stat = kept.read('1/stat'); // opened and kept; the next read is one pread
 * kept.sweep();
 * kept.close();
 * ```
 */
export class KeptFiles {
  readonly #files = new Map<string, Kept>();
  readonly #keepable: boolean;

  /**
   * @param root - the procfs or sysfs root the relative paths are below
   * @param max - at most this many descriptors; past it, files are read by path
   */
  constructor(readonly root: string, readonly max = 256) {
    const type = fsType(root);
    this.#keepable = type !== null && KEEPABLE.has(type);
  }

  /** Descriptors open now. */
  get size(): number {
    return this.#files.size;
  }

  /**
   * Read `relPath` whole, through its kept descriptor (opened and kept on the first read).
   *
   * `identity` ties a kept file to what its path named when the caller looked, BEFORE this
   * read (the inode of its directory, from a stat by path): a kept file opened under another
   * identity is closed and the path opened anew (a directory renamed and another made under
   * its old name), and null (the caller could not tell) reads by path and keeps nothing.
   * Measured before the open, a change in between can only make the next read open the
   * file again, never keep another file under the path's identity.
   * @param relPath - below the root
   * @param reasons - as for {@link @bpfscope/core!readProcFile}
   * @param identity - what the path's owner was just before the read; omit when the path cannot name another file while this one lives (a PID's procfs files)
   * @returns the content as UTF-8 text
   * @throws {@link @bpfscope/core!DataUnavailable} as {@link @bpfscope/core!readProcFile} does
   */
  read(relPath: string, reasons?: Readonly<Record<string, string>>, identity?: number | null): string {
    const kept = this.#keepable ? this.#files.get(relPath) : undefined;
    if (kept !== undefined && (identity === undefined || (identity !== null && kept.identity === identity))) {
      kept.used = true;
      try {
        // The path is made only when a read fails or a file is opened: this is every reading's path.
        return readWhole(kept.fd);
      } catch (e) {
        // A refusal at the read is what a read by path gets too: the descriptor stays.
        if (REFUSED.has(codeOf(e))) return procfsCall(join(this.root, relPath), () => { throw e; }, reasons);
        this.#drop(relPath, kept);
      }
    } else if (kept !== undefined) this.#drop(relPath, kept);
    const path = join(this.root, relPath);
    if (!this.#keepable) return procfsCall(path, () => readFileSync(path, 'utf8'), reasons);
    const fd = procfsCall(path, () => openSync(path, 'r'), reasons);
    let keep = identity !== null && this.#files.size < this.max && KEEPABLE.has(fsType(path) ?? -1);
    const entry = { fd, identity: identity ?? undefined, used: true };
    try {
      const text = procfsCall(path, () => readWhole(fd), reasons);
      if (keep) this.#files.set(relPath, entry);
      return text;
    } catch (e) {
      // The open worked: a refusal at every read keeps the descriptor, as above.
      keep &&= REFUSED.has(codeOf(e));
      if (keep) this.#files.set(relPath, entry);
      throw e;
    } finally {
      if (!keep) closeSync(fd);
    }
  }

  /** Close the descriptors of the files not read since the last sweep. */
  sweep(): void {
    for (const [relPath, kept] of this.#files) {
      if (kept.used) kept.used = false;
      else this.#drop(relPath, kept);
    }
  }

  /** Close every descriptor (the set can be used again: files are opened anew). */
  close(): void {
    for (const [relPath, kept] of this.#files) this.#drop(relPath, kept);
  }

  #drop(relPath: string, kept: Kept): void {
    this.#files.delete(relPath);
    try {
      closeSync(kept.fd);
    } catch {
      // already closed: nothing to free
    }
  }
}
