import { DataUnavailable } from '@bpfscope/core';
import type { MemMetrics } from '@bpfscope/plugin-mem';
import type { SiMemData } from './types.js';

/**
 * systeminformation's mem() from a mem reading: /proc/meminfo's fields, bytes, combined as
 * systeminformation combines them (used = total − free, active = total − available,
 * buffcache = buffers + cached + slab).
 * @throws {@link DataUnavailable} when the reading has no system memory (its reason)
 * @internal
 */
export function toMem(data: MemMetrics): SiMemData {
  const sys = data.system;
  if (!sys) {
    throw data.errors.system ?? new DataUnavailable('/proc/meminfo', data.unavailable.system ?? 'the mem family read no system memory');
  }
  const m = sys.meminfo;
  const buffers = m.buffers ?? 0;
  const cached = m.cached ?? 0;
  const slab = m.slab ?? 0;
  const buffcache = buffers + cached + slab;
  const available = m.memAvailable ?? m.memFree + buffcache;
  const swaptotal = m.swapTotal ?? 0;
  const swapfree = m.swapFree ?? 0;
  return {
    total: m.memTotal,
    free: m.memFree,
    used: m.memTotal - m.memFree,
    active: m.memTotal - available,
    available,
    buffers,
    cached,
    slab,
    buffcache,
    reclaimable: m.sReclaimable ?? 0,
    swaptotal,
    swapused: swaptotal - swapfree,
    swapfree,
    writeback: m.writeback,
    dirty: m.dirty,
  };
}
