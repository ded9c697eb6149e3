import { readFileSync } from 'node:fs';
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
