import type { ExitEvent } from './events.js';
import type { SnapshotEntry } from './feed.js';
import type { ProcessNode, TreeTotals } from './tree-types.js';

/** A node of a {@link ProcessTree}: the public {@link ProcessNode} with its links. @internal */
export class TreeNode implements ProcessNode {
  children: TreeNode[] = [];
  parent: TreeNode | null = null;
  execs = 0;
  exited = false;
  exit: ExitEvent | null = null;
  constructor(
    readonly pid: number,
    readonly ppid: number,
    public comm: string,
    readonly startTime: number | null,
    readonly origin: ProcessNode['origin'],
  ) {}
}

const ADD_IO = ['rchar', 'wchar', 'readBytes', 'writeBytes'] as const;

/**
 * Add one exit to a tree's totals.
 * @param topLevel - the process has no parent in the tree: its I/O (which holds its reaped descendants') is added
 * @internal
 */
export function addExitTotals(t: TreeTotals, e: ExitEvent, topLevel: boolean): void {
  const x = e.totals;
  if (x === null) {
    t.withoutTotals++;
    return;
  }
  t.processes++;
  t.runtimeSeconds += x.runtimeSeconds;
  t.userSeconds += x.userSeconds;
  t.systemSeconds += x.systemSeconds;
  t.minorFaults += x.minorFaults;
  t.majorFaults += x.majorFaults;
  t.peakRssBytes = Math.max(t.peakRssBytes, x.peakRssBytes);
  if (topLevel) for (const k of ADD_IO) t.io[k] += x[k];
}

/**
 * The entries of a first state that are descendants of `root` (not `root` itself), or all of them for a null root.
 * @internal
 */
export function descendantsIn(entries: readonly SnapshotEntry[], root: number | null): readonly SnapshotEntry[] {
  if (root === null) return entries;
  const byParent = new Map<number, SnapshotEntry[]>();
  for (const e of entries) {
    const list = byParent.get(e.ppid);
    if (list === undefined) byParent.set(e.ppid, [e]);
    else list.push(e);
  }
  const keep: SnapshotEntry[] = [];
  const stack = [root];
  while (stack.length > 0) for (const c of byParent.get(stack.pop()!) ?? []) if (c.pid !== root) keep.push(c), stack.push(c.pid);
  return keep;
}
