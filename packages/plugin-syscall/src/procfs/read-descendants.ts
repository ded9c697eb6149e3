import { readdirSync, readFileSync } from 'node:fs';

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
    let stat: string;
    try {
      stat = readFileSync(`${procRoot}/${name}/stat`, 'latin1');
    } catch {
      continue; // exited since the listing
    }
    // The command may hold spaces and parentheses: the fields start after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
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
