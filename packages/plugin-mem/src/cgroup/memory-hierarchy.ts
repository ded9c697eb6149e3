import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { listMemoryCgroups } from './list-memory-cgroups.js';

/** Where the cgroup hierarchies are under a sysfs root. @internal */
export interface CgroupLayout {
  /** The hierarchy with the memory controller, or null when none has it. */
  memory: 'v1' | 'v2' | null;
  /** Root of the v2 hierarchy: `<sys>/fs/cgroup` (unified), `<sys>/fs/cgroup/unified` (hybrid), or null. */
  v2Root: string | null;
  /** Root of the hierarchy with the memory controller, or null. */
  memoryRoot: string | null;
}

/**
 * Find the v2 hierarchy and the memory controller, as {@link listMemoryCgroups} does:
 * memory is on v2 when the v2 root's `cgroup.controllers` lists it, else on v1 when
 * `<sys>/fs/cgroup/memory` is a memory hierarchy.
 * @param sysRoot - sysfs root
 * @internal
 */
export function cgroupLayout(sysRoot: string): CgroupLayout {
  const unified = join(sysRoot, 'fs/cgroup');
  const hybrid = join(unified, 'unified');
  const v2Root = existsSync(join(unified, 'cgroup.controllers')) ? unified : existsSync(join(hybrid, 'cgroup.controllers')) ? hybrid : null;
  const v2Memory = v2Root !== null && readFileSync(join(v2Root, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('memory');
  const memory = v2Memory ? 'v2' : existsSync(join(unified, 'memory/memory.limit_in_bytes')) ? 'v1' : null;
  return { memory, v2Root, memoryRoot: memory === 'v2' ? v2Root : memory === 'v1' ? join(unified, 'memory') : null };
}
