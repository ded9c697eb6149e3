import { readdirSync, readFileSync } from 'node:fs';

/**
 * The parent id in `/proc/<pid>/stat`, or null when the process is gone.
 * @internal
 */
export function parentOf(procRoot: string, pid: number | string): number | null {
  let stat: string;
  try {
    stat = readFileSync(`${procRoot}/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // The command may hold spaces and parentheses: the fields start after the last ')'.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/**
 * The given processes (those alive) and all their descendants alive now, from the parent
 * ids in `/proc/<pid>/stat`. A process that exits during the walk is left out.
 * @param procRoot - the procfs mount
 * @param roots - process ids
 * @returns the roots alive and their descendants, roots first
 * @internal
 */
export function readDescendants(procRoot: string, roots: readonly number[]): number[] {
  const children = new Map<number, number[]>();
  const alive = new Set<number>();
  for (const name of readdirSync(procRoot)) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const ppid = parentOf(procRoot, name);
    if (ppid === null) continue; // exited since the listing
    alive.add(pid);
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const out = roots.filter((r) => alive.has(r));
  const seen = new Set(out);
  for (let i = 0; i < out.length; i++) {
    for (const c of children.get(out[i]!) ?? []) {
      if (!seen.has(c)) {
        seen.add(c);
        out.push(c);
      }
    }
  }
  return out;
}
