import type { KeptFiles, ProcfsReader } from '@bpfscope/core';

/**
 * Descriptors kept open for a cgroup's files from reading to reading, and the identity of
 * its directory (its inode, from a stat by path made just before the files are read):
 * a kept file opened under another identity is opened anew (see {@link @bpfscope/core!KeptFiles.read}).
 */
export interface KeptCgroupFiles {
  /** The set, from {@link @bpfscope/core!ProcfsReader.keepSysFiles}. */
  files: KeptFiles;
  /** The directory's inode now, or null when it could not be measured (then the files are read by path). */
  identity: number | null;
}

/** A file below the sysfs root, through the kept set when there is one. @internal */
export function readCgroupFile(sys: ProcfsReader, relPath: string, kept: KeptCgroupFiles | undefined): string {
  return kept === undefined ? sys.readSys(relPath) : kept.files.read(relPath, undefined, kept.identity);
}
