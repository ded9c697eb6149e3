import type { ProcfsReader } from '@bpfscope/core';
import { statSync } from 'node:fs';
import { join } from 'node:path';

/** One network namespace to read and where its files are. @internal */
export interface NetTarget {
  /** Its inode number, or null when it could not be told (no /proc/self/ns/net). */
  netns: number | null;
  /** Directory of its net files below procRoot: `net` (the reader's own) or `<pid>/net`. */
  dir: string;
  /** Whether it is the reader's own namespace (then sysfs shows its interfaces). */
  own: boolean;
}

/** The namespaces a reading covers, and those asked for that no process lives in. @internal */
export interface NetTargets {
  targets: NetTarget[];
  /** Namespaces asked for in which no process was found (nothing to read them through). */
  missing: number[];
}

function netnsOf(procRoot: string, rel: string): number | null {
  try {
    return Number(statSync(join(procRoot, rel, 'ns/net')).ino);
  } catch {
    return null; // exited, or no ns directory (a fixture tree, a kernel without namespaces)
  }
}

/**
 * Which network namespaces to read: the reader's own when `wanted` is null, else each wanted
 * one through the first process found living in it (its /proc/&lt;pid&gt;/net shows that
 * namespace's tables).
 * @param procfs - the reader
 * @param wanted - namespace inode numbers, or null
 * @returns the targets
 * @internal
 */
export function netTargets(procfs: ProcfsReader, wanted: readonly number[] | null): NetTargets {
  const own = netnsOf(procfs.procRoot, 'self');
  if (wanted === null) return { targets: [{ netns: own, dir: 'net', own: true }], missing: [] };
  const targets: NetTarget[] = [];
  const left = new Set(wanted);
  if (own !== null && left.delete(own)) targets.push({ netns: own, dir: 'net', own: true });
  if (left.size > 0) {
    for (const e of procfs.listProc('')) {
      if (!/^\d+$/.test(e.name)) continue;
      const ns = netnsOf(procfs.procRoot, e.name);
      if (ns === null || !left.delete(ns)) continue;
      targets.push({ netns: ns, dir: `${e.name}/net`, own: false });
      if (left.size === 0) break;
    }
  }
  return { targets, missing: [...left] };
}
