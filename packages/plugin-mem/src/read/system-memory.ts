import { ratePerSecond } from '@bpfscope/core';
import type { Meminfo } from '../procfs/parse-meminfo.js';
import type { VmstatCounts } from '../procfs/parse-vmstat.js';
import type { SwapMemory, SystemMemory, VmstatCounters } from '../records.js';

/** System memory from parsed /proc/meminfo. @internal */
export function systemMemory(m: Meminfo): SystemMemory {
  const used = m.memAvailable === null ? null : m.memTotal - m.memAvailable;
  return {
    totalBytes: m.memTotal,
    freeBytes: m.memFree,
    availableBytes: m.memAvailable,
    usedBytes: used,
    usedFraction: used === null || m.memTotal === 0 ? null : used / m.memTotal,
    buffersBytes: m.buffers,
    cachedBytes: m.cached,
    shmemBytes: m.shmem,
    slabBytes: m.slab,
    meminfo: m,
  };
}

/** Swap from parsed /proc/meminfo, or null without SwapTotal/SwapFree lines. @internal */
export function swapMemory(m: Meminfo): SwapMemory | null {
  if (m.swapTotal === null || m.swapFree === null) return null;
  return { totalBytes: m.swapTotal, freeBytes: m.swapFree, usedBytes: m.swapTotal - m.swapFree, cachedBytes: m.swapCached };
}

/** vmstat counters with rates against the previous reading. @internal */
export function vmstatCounters(v: VmstatCounts, prev: VmstatCounts | null, intervalMs: number | null): VmstatCounters {
  const rate = (a: number | undefined, b: number): number | null => (prev === null || intervalMs === null ? null : ratePerSecond(a ?? null, b, intervalMs));
  return {
    pgfault: v.pgfault,
    pgmajfault: v.pgmajfault,
    oomKill: v.oomKill,
    pgfaultPerSecond: rate(prev?.pgfault, v.pgfault),
    pgmajfaultPerSecond: rate(prev?.pgmajfault, v.pgmajfault),
  };
}
