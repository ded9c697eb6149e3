import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { containerFromCgroupPath, type ContainerIdentity } from '../procfs/container-id.js';

/** A cgroup's path and the container it names. @internal */
export interface CgroupEntry {
  path: string;
  container: ContainerIdentity | null;
}

/** Where the cgroup v2 hierarchy is mounted, from a mountinfo file. @internal */
export interface CgroupV2Mount {
  /** Mount point, e.g. `/sys/fs/cgroup` (unified) or `/sys/fs/cgroup/unified` (hybrid). */
  mountPoint: string;
  /** The cgroup the mount shows as its root (`/` unless bind-mounted or in a cgroup namespace). */
  root: string;
}

/**
 * Find the cgroup2 mount in `/proc/self/mountinfo` (fields: ID, parent, dev, root, mount
 * point, options, optional fields, `-`, fs type, ...). Octal escapes (`\040`) are decoded.
 * @param text - the mountinfo file
 * @returns the first cgroup2 mount, or null (a cgroup-v1-only system)
 * @internal
 */
export function findCgroupV2Mount(text: string): CgroupV2Mount | null {
  const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  for (const line of text.split('\n')) {
    const dash = line.indexOf(' - ');
    if (dash < 0 || line.slice(dash + 3).split(' ')[0] !== 'cgroup2') continue;
    const f = line.slice(0, dash).split(' ');
    if (f.length < 5) continue;
    return { root: unescape(f[3] as string), mountPoint: unescape(f[4] as string) };
  }
  return null;
}

/**
 * Maps cgroup v2 IDs (what the kernel's `cgroup->kn->id` holds, and the inode number of
 * the cgroup's directory) to paths, by walking the mounted v2 hierarchy once and again
 * when an ID is not found (a cgroup created since). Works on unified systems (v2 at
 * /sys/fs/cgroup) and hybrid ones (v2 at /sys/fs/cgroup/unified, controllers on v1).
 * @internal
 */
export class CgroupPathIndex {
  readonly mount: CgroupV2Mount | null;
  readonly #noMount: string;
  #byId = new Map<number, CgroupEntry>();
  #misses = new Set<number>();
  #walks = 0;

  /** @param procRoot - procfs root, for `self/mountinfo` */
  constructor(procRoot: string) {
    let text = '';
    try {
      text = readFileSync(join(procRoot, 'self/mountinfo'), 'utf8');
    } catch (e) {
      this.#noMount = `${join(procRoot, 'self/mountinfo')} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}), so the cgroup v2 mount is unknown`;
    }
    this.mount = findCgroupV2Mount(text);
    this.#noMount ??= 'no cgroup v2 hierarchy is mounted (a cgroup-v1-only system): cgroup IDs have no path';
    if (this.mount !== null) this.#walk();
  }

  /** Walks done so far (1 at construction, +1 per re-walk). */
  get walks(): number {
    return this.#walks;
  }

  /**
   * The path of a cgroup ID, re-walking the hierarchy once for an ID never missed before.
   * @returns the entry, or a string with the reason there is none
   */
  lookup(id: number): CgroupEntry | string {
    const hit = this.#byId.get(id);
    if (hit !== undefined) return hit;
    if (this.mount === null) return this.#noMount;
    if (!this.#misses.has(id)) {
      this.#misses.add(id);
      this.#walk();
      const again = this.#byId.get(id);
      if (again !== undefined) return again;
    }
    return `cgroup ${id} is not in the v2 hierarchy mounted at ${this.mount.mountPoint} (removed, or outside this mount's view)`;
  }

  #walk(): void {
    const mount = this.mount!;
    const byId = new Map<number, CgroupEntry>();
    const visit = (dir: string, rel: string): void => {
      let ino: bigint;
      try {
        ino = statSync(dir, { bigint: true }).ino;
      } catch {
        return; // removed while walking
      }
      const path = rel === '' ? mount.root : mount.root === '/' ? rel : `${mount.root}${rel}`;
      byId.set(Number(ino), this.#byId.get(Number(ino))?.path === path ? this.#byId.get(Number(ino))! : { path, container: containerFromCgroupPath(path) });
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) if (e.isDirectory()) visit(join(dir, e.name), `${rel}/${e.name}`);
    };
    visit(mount.mountPoint, '');
    this.#byId = byId;
    this.#walks++;
    // IDs found now are no longer misses; others may be retried after a later walk.
    for (const id of this.#misses) if (byId.has(id)) this.#misses.delete(id);
  }
}
