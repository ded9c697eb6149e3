import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The command name of a process (/proc/&lt;pid&gt;/comm), or null when it has exited or
 * cannot be read: a name is a label, and a missing one is not an error.
 * @internal
 */
export function readComm(procRoot: string, pid: number): string | null {
  try {
    return readFileSync(join(procRoot, String(pid), 'comm'), 'utf8').replace(/\n$/, '');
  } catch {
    return null;
  }
}

/**
 * {@link readComm} of a process listed again. One whose name could not be read last time
 * has usually exited, and stays so: its directory is looked up first, which costs a
 * third of a failed read (no exception is made). When the directory is there (a pid
 * taken again, or a name that failed for another reason) the name is read as usual.
 * @param goneBefore - whether the last reading of this pid's name gave null
 * @internal
 */
export function readCommAgain(procRoot: string, pid: number, goneBefore: boolean): string | null {
  if (goneBefore && !existsSync(join(procRoot, String(pid)))) return null;
  return readComm(procRoot, pid);
}
