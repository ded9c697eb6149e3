import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A cgroup ID, or why there is none. @internal */
export type CgroupIdResult = { id: number; reason: null } | { id: null; reason: string };

/**
 * Finds cgroup v2 IDs (the inode number of a cgroup's directory) under a sysfs root, with a
 * cache per path. The v2 hierarchy is `<sysRoot>/fs/cgroup` on a unified system, or
 * `<sysRoot>/fs/cgroup/unified` on a hybrid one (systemd's layout that keeps the
 * controllers on v1); which one is decided by where `cgroup.controllers` exists.
 * @internal
 */
export class CgroupIdResolver {
  readonly #v2Dir: string | null;
  readonly #noV2Reason: string;
  readonly #cache = new Map<string, CgroupIdResult>();

  /** @param sysRoot - sysfs root, e.g. `/sys`, or null when none was given */
  constructor(sysRoot: string | null) {
    if (sysRoot === null) {
      this.#v2Dir = null;
      this.#noV2Reason = 'no sysfs root was given to look the cgroup directory up';
      return;
    }
    const unified = join(sysRoot, 'fs/cgroup');
    const hybrid = join(sysRoot, 'fs/cgroup/unified');
    this.#v2Dir = existsSync(join(unified, 'cgroup.controllers')) ? unified : existsSync(join(hybrid, 'cgroup.controllers')) ? hybrid : null;
    this.#noV2Reason = `no cgroup v2 hierarchy under ${unified} (neither it nor its unified/ holds cgroup.controllers)`;
  }

  /**
   * Forget the IDs looked up so far. A cgroup removed and made again under the same path has
   * a new ID, so a holder that outlives one reading calls this at the start of each.
   */
  forget(): void {
    this.#cache.clear();
  }

  /**
   * The ID of the cgroup at `cgroupPath` in the v2 hierarchy (looked up once until {@link CgroupIdResolver.forget}).
   * @param cgroupPath - path from a `0::` line, e.g. `/user.slice`
   */
  resolve(cgroupPath: string): CgroupIdResult {
    if (this.#v2Dir === null) return { id: null, reason: this.#noV2Reason };
    let hit = this.#cache.get(cgroupPath);
    if (hit === undefined) {
      hit = this.#stat(join(this.#v2Dir, cgroupPath));
      this.#cache.set(cgroupPath, hit);
    }
    return hit;
  }

  #stat(dir: string): CgroupIdResult {
    try {
      const ino = statSync(dir, { bigint: true }).ino;
      if (ino > BigInt(Number.MAX_SAFE_INTEGER)) return { id: null, reason: `the inode number of ${dir} (${ino}) is above 2^53 and cannot be a JavaScript number exactly` };
      return { id: Number(ino), reason: null };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return { id: null, reason: `the cgroup directory ${dir} does not exist (the cgroup was removed)` };
      if (code === 'EACCES') return { id: null, reason: `permission denied on ${dir}` };
      throw e;
    }
  }
}
