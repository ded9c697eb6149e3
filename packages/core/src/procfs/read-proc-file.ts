import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataUnavailable } from '../errors/taxonomy.js';
import { isKept, readKept } from './kept-proc-files.js';

/**
 * Why a procfs/sysfs file could not be read, by the `code` of the failed system call.
 * Errors with other codes are rethrown as they are: they are bugs or broken machines, not
 * missing data.
 */
export const PROC_READ_REASONS: Readonly<Record<string, string>> = Object.freeze({
  ENOENT: 'the file does not exist (a kernel without the feature, or a process that has exited)',
  ENOTDIR: 'a directory on its path does not exist',
  ESRCH: 'the process exited while the file was read',
  EACCES: 'permission denied (per-process files such as io and syscall are readable only by the owner of the process or by root)',
  EPERM: 'operation not permitted (the kernel refused a ptrace-level access check)',
  EOPNOTSUPP: 'the kernel refuses to read it (the feature is disabled)',
  ENOTSUP: 'the kernel refuses to read it (the feature is disabled)',
  EISDIR: 'it is a directory, not a file',
  EIO: 'the driver behind the file could not read it (EIO)',
  ENODEV: 'the object behind the file is gone (ENODEV: a removed cgroup or device)',
  ENXIO: 'the device behind the file is gone or not ready (ENXIO)',
});

/**
 * Read `${root}/${relPath}` as UTF-8 text, synchronously.
 *
 * Synchronous on purpose: procfs and sysfs files are generated in memory and never wait on
 * a disk, and a read costs about 10 µs this way against about 190 µs of CPU through
 * `fs.promises` (four thread-pool round trips; measured in `npm run bench`). Do not use it
 * for files on a real file system.
 *
 * @param root - the procfs or sysfs root, e.g. `/proc`, `/sys` or a fixture tree's `proc` directory
 * @param relPath - path under the root, e.g. `pressure/cpu` or `1234/stat`
 * @param reasons - reasons to report instead of {@link PROC_READ_REASONS} for some error
 *   codes, e.g. `{ ENOENT: 'PSI needs Linux 4.20 or newer' }`
 * @returns the file's content
 * @throws {@link DataUnavailable} when the file is missing or may not be read (a code listed
 *   in {@link PROC_READ_REASONS} or in `reasons`); `details` holds `path` and the error `code`,
 *   `errno` the positive errno. Other errors are rethrown as they are.
 * @example
 * ```ts
 * const text = readProcFile('/proc', `${pid}/status`);
 * ```
 */
export function readProcFile(root: string, relPath: string, reasons?: Readonly<Record<string, string>>): string {
  // The system-wide files of a live procfs are read through a descriptor kept open (kept-proc-files.ts).
  if (isKept(root, relPath)) return readKept(keptPath(root, relPath), reasons);
  const path = join(root, relPath);
  return procfsCall(path, () => readFileSync(path, 'utf8'), reasons);
}

/** The paths of the kept files (a few system-wide files under a few roots), joined once: they are read at every reading. */
const keptPaths = new Map<string, Map<string, string>>();

function keptPath(root: string, relPath: string): string {
  let byRel = keptPaths.get(root);
  if (byRel === undefined) keptPaths.set(root, (byRel = new Map()));
  let path = byRel.get(relPath);
  if (path === undefined) byRel.set(relPath, (path = join(root, relPath)));
  return path;
}

/**
 * Run one file-system call on a procfs/sysfs path, turning a failure whose code is listed in
 * {@link PROC_READ_REASONS} (or `reasons`) into a {@link DataUnavailable} as {@link readProcFile} does.
 * @internal
 */
export function procfsCall<T>(path: string, call: () => T, reasons?: Readonly<Record<string, string>>): T {
  try {
    return call();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const code = err.code;
    const reason = code === undefined ? undefined : (reasons?.[code] ?? PROC_READ_REASONS[code]);
    if (reason === undefined) throw e;
    throw new DataUnavailable(path, reason, {
      cause: e,
      errno: err.errno === undefined ? undefined : Math.abs(err.errno),
      details: { path, code },
    });
  }
}

/**
 * The error `code` (`ENOENT`, `EACCES`, ...) behind a {@link DataUnavailable} raised by
 * {@link readProcFile}, or undefined for any other value.
 * @param error - a caught value
 * @returns the system call's error code, when there is one
 */
export function procReadErrorCode(error: unknown): string | undefined {
  if (!(error instanceof DataUnavailable)) return undefined;
  const code = error.details.code;
  return typeof code === 'string' ? code : undefined;
}
