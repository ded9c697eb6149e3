import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { KeptFiles } from '../procfs/kept-files.js';
import { procfsCall, readProcFile } from '../procfs/read-proc-file.js';
import { machineConstants, type MachineConstants } from '../procfs/machine-constants.js';

/** One entry of a directory listed by a {@link ProcfsReader}. */
export interface ProcfsEntry {
  /** The entry's name, e.g. `1234` or `memory.max`. */
  readonly name: string;
  /** Whether it is a directory (symbolic links are not followed). */
  readonly directory: boolean;
}

/** What a {@link ProcfsReader} knows of one path without reading it. */
export interface ProcfsStat {
  /** Its inode number (a cgroup directory's inode is the cgroup's ID). */
  readonly inode: number;
  /** Whether it is a directory. */
  readonly directory: boolean;
  /**
   * Its link count. A directory's is 2 + its subdirectories on cgroupfs, sysfs and most
   * file systems (those that do not count them report 1), so at 2 it has none to list.
   * Absent when the reader does not know it.
   */
  readonly links?: number;
}

/**
 * The procfs/sysfs reader service (token {@link PROCFS_READER}): reads and lists below the
 * configured `procRoot` and `sysRoot` (fixture trees in tests), with the taxonomy's
 * {@link DataUnavailable} for a missing or unreadable path. Sources read procfs and sysfs
 * only through it, so that a test (or an embedding application) can hand a plugin another
 * tree by registering another reader under the token.
 */
export interface ProcfsReader {
  /** The procfs root, `config.procRoot`. */
  readonly procRoot: string;
  /** The sysfs root, `config.sysRoot`. */
  readonly sysRoot: string;
  /**
   * Read a file below `procRoot`.
   * @param relPath - e.g. `stat` or `1/status`
   * @param reasons - reasons to report instead of the generic ones for some error codes
   *   (see {@link readProcFile}), e.g. `{ ENOENT: 'PSI needs Linux 4.20 or newer' }`
   * @returns its content
   * @throws {@link DataUnavailable} when it is missing or may not be read
   */
  readProc(relPath: string, reasons?: Readonly<Record<string, string>>): string;
  /**
   * Read a file below `sysRoot`.
   * @param relPath - e.g. `fs/cgroup/cpu.stat`
   * @param reasons - reasons to report instead of the generic ones for some error codes
   * @returns its content
   * @throws {@link DataUnavailable} when it is missing or may not be read
   */
  readSys(relPath: string, reasons?: Readonly<Record<string, string>>): string;
  /**
   * List a directory below `procRoot` (`''` for the root itself).
   * @param relPath - e.g. `''` or `1234/task`
   * @returns its entries, in the order the kernel gives them
   * @throws {@link DataUnavailable} when it is missing or may not be listed
   */
  listProc(relPath: string): readonly ProcfsEntry[];
  /**
   * List a directory below `sysRoot`.
   * @param relPath - e.g. `fs/cgroup/memory`
   * @returns its entries, in the order the kernel gives them
   * @throws {@link DataUnavailable} when it is missing or may not be listed
   */
  listSys(relPath: string): readonly ProcfsEntry[];
  /**
   * The inode number and kind of a path below `sysRoot` (symbolic links followed).
   * @param relPath - e.g. `fs/cgroup/app`
   * @returns what it is
   * @throws {@link DataUnavailable} when it does not exist or may not be looked at
   */
  statSys(relPath: string): ProcfsStat;
  /** Page size, USER_HZ and boot time as measured below `procRoot` (see {@link machineConstants}). */
  machineConstants(): MachineConstants;
  /**
   * A new set of descriptors kept open for files below `sysRoot` that the caller reads at
   * every reading (see {@link KeptFiles}), owned by the caller, who sweeps and closes it.
   * Optional: without it, a caller reads with {@link ProcfsReader.readSys}.
   * @returns the set (over a tree that is not sysfs, one that reads by path)
   */
  keepSysFiles?(): KeptFiles;
}

const list = (root: string, relPath: string): ProcfsEntry[] => {
  const path = join(root, relPath);
  return procfsCall(path, () => readdirSync(path, { withFileTypes: true }).map((d) => ({ name: d.name, directory: d.isDirectory() })));
};

/**
 * The reader the engine registers under {@link PROCFS_READER}: synchronous reads (see
 * {@link readProcFile} for why) below the two roots. Make one over fixture trees to test a
 * plugin: register it in the plugin's container (wrap the plugin's `register`), or read
 * with it directly.
 * @param procRoot - the procfs root, e.g. `/proc` or a fixture tree's `proc`
 * @param sysRoot - the sysfs root, e.g. `/sys` or a fixture tree's `sys`
 * @returns the reader
 * @example
 * ```ts
 * const reader = createProcfsReader('test/fixtures/vm/proc', 'test/fixtures/vm/sys');
 * const stat = reader.readProc('stat');
 * ```
 */
export function createProcfsReader(procRoot: string, sysRoot: string): ProcfsReader {
  return {
    procRoot,
    sysRoot,
    readProc: (relPath, reasons) => readProcFile(procRoot, relPath, reasons),
    readSys: (relPath, reasons) => readProcFile(sysRoot, relPath, reasons),
    listProc: (relPath) => list(procRoot, relPath),
    listSys: (relPath) => list(sysRoot, relPath),
    statSys: (relPath) => {
      const path = join(sysRoot, relPath);
      return procfsCall(path, () => {
        const s = statSync(path);
        return { inode: Number(s.ino), directory: s.isDirectory(), links: s.nlink };
      });
    },
    machineConstants: () => machineConstants(procRoot),
    keepSysFiles: () => new KeptFiles(sysRoot),
  };
}
