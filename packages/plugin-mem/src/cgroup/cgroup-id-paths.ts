import { join } from 'node:path';
import { procReadErrorCode, type ProcfsReader } from '@bpfscope/core';

/** A cgroup path, or why there is none. @internal */
export type CgroupPathResult = { path: string; reason: null } | { path: null; reason: string };

/**
 * Resolves cgroup IDs (what the kernel's `cgroup->kn->id` holds: on 64-bit machines the
 * inode number of the cgroup's directory) to paths by walking one hierarchy. The map is
 * built on first use and rebuilt once when an ID is not in it (a cgroup created since).
 * @internal
 */
export class CgroupIdPaths {
  #byId: Map<number, string> | null = null;

  /**
   * @param sys - the procfs/sysfs reader
   * @param root - root directory of the hierarchy relative to the sysfs root, or null when it is not mounted
   * @param what - the hierarchy, for messages (`cgroup v2`, `the v1 memory hierarchy`)
   */
  constructor(private readonly sys: ProcfsReader, private readonly root: string | null, private readonly what: string) {}

  resolve(id: number): CgroupPathResult {
    const root = this.root;
    if (root === null) return { path: null, reason: `${this.what} is not mounted, so its cgroup ID ${id} cannot be resolved` };
    let path = (this.#byId ??= walk(this.sys, root)).get(id);
    if (path === undefined) {
      this.#byId = walk(this.sys, root);
      path = this.#byId.get(id);
    }
    return path === undefined ? { path: null, reason: `no directory of ${this.what} (${join(this.sys.sysRoot, root)}) has ID (inode) ${id}: the cgroup was removed` } : { path, reason: null };
  }
}

function walk(sys: ProcfsReader, root: string): Map<number, string> {
  const out = new Map<number, string>();
  const visit = (rel: string): void => {
    const dir = rel === '' ? root : join(root, rel);
    try {
      out.set(sys.statSys(dir).inode, rel === '' ? '/' : rel);
      for (const d of sys.listSys(dir)) if (d.directory) visit(`${rel}/${d.name}`);
    } catch (e) {
      const code = procReadErrorCode(e);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e; // removed during the walk
    }
  };
  visit('');
  return out;
}
