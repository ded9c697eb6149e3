import { isBpfscopeError, type ProcfsReader } from '@bpfscope/core';

/**
 * cgroup v2 IDs of processes: the `0::` line of /proc/&lt;pid&gt;/cgroup, looked up below the
 * v2 hierarchy in sysfs (`fs/cgroup`, or `fs/cgroup/unified` on a hybrid system); the ID is
 * the inode number of the group's directory, as the kernel's `bpf_get_current_cgroup_id()`
 * gives it. One lookup per group path per reading.
 * @internal
 */
export class OwnerCgroups {
  readonly #byPath = new Map<string, number | null>();
  readonly #root: string | null;
  /** Why IDs are null, when they are for every process (no v2 hierarchy). */
  readonly noV2: string | null;

  constructor(private readonly procfs: ProcfsReader) {
    this.#root = ['fs/cgroup', 'fs/cgroup/unified'].find((d) => exists(procfs, `${d}/cgroup.controllers`)) ?? null;
    this.noV2 = this.#root === null ? `no cgroup v2 hierarchy under ${procfs.sysRoot}/fs/cgroup (neither it nor its unified/ holds cgroup.controllers)` : null;
  }

  /**
   * @param pid - a process
   * @returns its cgroup v2 ID, or null when it has none, exited, or the group vanished
   */
  of(pid: number): number | null {
    if (this.#root === null) return null;
    let text: string;
    try {
      text = this.procfs.readProc(`${pid}/cgroup`);
    } catch (e) {
      if (isBpfscopeError(e)) return null;
      throw e;
    }
    const line = text.split('\n').find((l) => l.startsWith('0::'));
    if (line === undefined) return null;
    const path = line.slice(3);
    let id = this.#byPath.get(path);
    if (id === undefined) {
      id = exists(this.procfs, `${this.#root}${path}`) ? this.procfs.statSys(`${this.#root}${path}`).inode : null;
      this.#byPath.set(path, id);
    }
    return id;
  }
}

function exists(procfs: ProcfsReader, rel: string): boolean {
  try {
    procfs.statSys(rel);
    return true;
  } catch (e) {
    if (isBpfscopeError(e)) return false;
    throw e;
  }
}
