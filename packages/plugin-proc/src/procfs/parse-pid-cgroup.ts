import { parseFailure } from '@bpfscope/core';

/** One line of /proc/&lt;pid&gt;/cgroup: the process's cgroup in one hierarchy. */
export interface CgroupMembership {
  /** Hierarchy ID: 0 for the cgroup v2 unified hierarchy, 1 and up for v1 hierarchies. */
  hierarchyId: number;
  /**
   * Controllers bound to the hierarchy (`['cpu', 'cpuacct']`, or `['name=systemd']` for a
   * named hierarchy); empty for cgroup v2.
   */
  controllers: string[];
  /** Path of the cgroup relative to the hierarchy's mount point, starting with `/`. */
  path: string;
}

/**
 * Parse /proc/&lt;pid&gt;/cgroup: cgroup v2 lines `0::/path` and cgroup v1 lines
 * `N:controller[,controller...]:/path`. A path may itself contain `:`: only the first two
 * colons separate fields.
 * @param text - the file's content
 * @param path - the file's path, for errors
 * @returns one entry per line, in file order
 * @throws {@link @bpfscope/core!EventProcessingFailed} naming the path and line for a line without two
 *   colons, a non-integer hierarchy ID, a path that does not start with `/`, or a v1 line
 *   (ID other than 0) without controllers
 */
export function parsePidCgroup(text: string, path: string): CgroupMembership[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line, i) => {
    const fail = (why: string): never => {
      throw parseFailure(path, i + 1, line, why);
    };
    const c1 = line.indexOf(':');
    const c2 = c1 < 0 ? -1 : line.indexOf(':', c1 + 1);
    if (c2 < 0) fail('not an "id:controllers:path" line');
    const id = line.slice(0, c1);
    if (!/^\d+$/.test(id)) fail(`hierarchy ID "${id.slice(0, 30)}" is not an integer`);
    const list = line.slice(c1 + 1, c2);
    const cgPath = line.slice(c2 + 1);
    if (!cgPath.startsWith('/')) fail(`cgroup path "${cgPath.slice(0, 60)}" does not start with "/"`);
    const hierarchyId = Number(id);
    if (hierarchyId !== 0 && list.length === 0) fail(`cgroup v1 hierarchy ${hierarchyId} has no controllers`);
    return { hierarchyId, controllers: list.length === 0 ? [] : list.split(','), path: cgPath };
  });
}

/**
 * The cgroup v2 path of a process (its `0::` line), or null when it has none (a system
 * with only cgroup v1 hierarchies).
 * @param memberships - parsed /proc/&lt;pid&gt;/cgroup
 * @returns the path, e.g. `/system.slice/ssh.service`
 */
export function cgroupV2Path(memberships: readonly CgroupMembership[]): string | null {
  return memberships.find((m) => m.hierarchyId === 0)?.path ?? null;
}
