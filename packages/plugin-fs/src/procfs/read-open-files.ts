// The fallback's files: the regular files processes hold open at the reading, from
// /proc/<pid>/fd (each descriptor's link for the path, a stat through it for the device,
// inode and type). Procfs counts no operations per file, so every count is null.
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { statDevText } from '../ebpf/files/kernel-dev.js';
import type { FsFile } from '../records.js';

/** What one scan of /proc/&lt;pid&gt;/fd found. @internal */
export interface OpenFilesRead {
  /** Files held open by the most processes (then by path), at most `maxFiles`, after `keep`. */
  files: FsFile[];
  /** Open regular files that passed `keep`, before the cap. */
  fileCount: number;
  /** Processes whose descriptors the kernel did not let us list (another user's, without CAP_SYS_PTRACE). */
  unreadable: number;
}

const DELETED = ' (deleted)';
const GONE = new Set(['ENOENT', 'ESRCH']);

/**
 * Scan the descriptors of every process under `procRoot`.
 * @param procRoot - the procfs root
 * @param pids - the processes to scan (with their comm read lazily)
 * @param comm - a process's command name, or null when it is gone
 * @param limits - `maxFiles` and `topProcesses`
 * @param keep - which files may be listed, judged before the cap
 * @returns the files and what was left out
 * @internal
 */
export function readOpenFiles(
  procRoot: string,
  pids: readonly number[],
  comm: (pid: number) => string | null,
  limits: { maxFiles: number; topProcesses: number },
  keep: (f: FsFile) => boolean = () => true,
): OpenFilesRead {
  const byId = new Map<string, { file: FsFile; pids: Set<number> }>();
  let unreadable = 0;
  for (const pid of pids) {
    const dir = join(procRoot, String(pid), 'fd');
    let fds: string[];
    try {
      fds = readdirSync(dir);
    } catch (e) {
      if (!GONE.has((e as NodeJS.ErrnoException).code ?? '')) unreadable++;
      continue;
    }
    for (const fd of fds) {
      const link = join(dir, fd);
      let target: string;
      let st;
      try {
        target = readlinkSync(link);
        st = statSync(link, { bigint: true, throwIfNoEntry: false });
      } catch {
        continue; // closed meanwhile, or the process is gone
      }
      if (st === undefined || !st.isFile() || !target.startsWith('/')) continue;
      const dev = statDevText(st.dev);
      const id = `${dev}:${st.ino}`;
      let entry = byId.get(id);
      if (entry === undefined) {
        const deleted = target.endsWith(DELETED);
        entry = {
          file: {
            dev, inode: Number(st.ino), path: deleted ? target.slice(0, -DELETED.length) : target, pathStatus: deleted ? 'deleted' : 'resolved',
            opens: null, closes: null, reads: null, writes: null, bytesRead: null, bytesWritten: null, fsyncs: null, topProcesses: [],
          },
          pids: new Set(),
        };
        byId.set(id, entry);
      }
      entry.pids.add(pid);
    }
  }
  const passing = [...byId.values()].filter((e) => keep(e.file));
  passing.sort((a, b) => b.pids.size - a.pids.size || (a.file.path! < b.file.path! ? -1 : a.file.path! > b.file.path! ? 1 : 0));
  const files = passing.slice(0, limits.maxFiles).map(({ file, pids: holders }) => {
    for (const pid of [...holders].sort((a, b) => a - b)) {
      if (file.topProcesses.length >= limits.topProcesses) break;
      const name = comm(pid);
      if (name !== null) file.topProcesses.push({ pid, comm: name, bytes: null, operations: null });
    }
    return file;
  });
  return { files, fileCount: passing.length, unreadable };
}
