import type { ProcfsReader } from '@bpfscope/core';
import { readIfThere, type listMemoryCgroups } from './list-memory-cgroups.js';

/** Where the cgroup hierarchies are below a sysfs root (paths relative to it). @internal */
export interface CgroupLayout {
  /** The hierarchy with the memory controller, or null when none has it. */
  memory: 'v1' | 'v2' | null;
  /** Root of the v2 hierarchy: `fs/cgroup` (unified), `fs/cgroup/unified` (hybrid), or null. */
  v2Root: string | null;
  /** Root of the hierarchy with the memory controller, or null. */
  memoryRoot: string | null;
}

/**
 * Find the v2 hierarchy and the memory controller, as {@link listMemoryCgroups} does:
 * memory is on v2 when the v2 root's `cgroup.controllers` lists it, else on v1 when
 * `fs/cgroup/memory` is a memory hierarchy.
 * @param sys - the procfs/sysfs reader
 * @internal
 */
export function cgroupLayout(sys: ProcfsReader): CgroupLayout {
  let v2Root: string | null = null;
  let controllers: string | null = null;
  for (const root of ['fs/cgroup', 'fs/cgroup/unified']) {
    controllers = readIfThere(sys, `${root}/cgroup.controllers`);
    if (controllers !== null) {
      v2Root = root;
      break;
    }
  }
  const v2Memory = controllers !== null && controllers.split(/\s+/).includes('memory');
  const memory = v2Memory ? 'v2' : readIfThere(sys, 'fs/cgroup/memory/memory.limit_in_bytes') !== null ? 'v1' : null;
  return { memory, v2Root, memoryRoot: memory === 'v2' ? v2Root : memory === 'v1' ? 'fs/cgroup/memory' : null };
}
