import { MapOperationFailed } from '@bpfscope/core';
import type { BpfMap } from './bpf-map.js';

/**
 * Slots of the per-CPU stats map that every bpfscope object defines with
 * `BPFSCOPE_STATS_MAP(<family>_stats)` (bpf/include/bpfscope_stats.h).
 */
export const BpfscopeStat = Object.freeze({
  /** Program runs. */
  INVOCATIONS: 0,
  /** Records put in a ring buffer. */
  EVENTS: 1,
  /** Records or map entries lost: a full ring buffer (bpf_ringbuf_reserve failed) or a full map. */
  DROPS: 2,
  /** Records that passed a kernel filter. */
  FILTER_HITS: 3,
  /** Records a kernel filter rejected. */
  FILTER_MISSES: 4,
  /** Bytes of the records reserved (so submitted) in a ring buffer, payload only (`BPFSCOPE_STAT_RB_BYTES`). */
  RING_BYTES: 5,
});

/** The counters of a stats map, each summed over all CPUs. */
export interface StatsCounters {
  /** Program runs ({@link BpfscopeStat}.INVOCATIONS). */
  invocations: number;
  /** Records sent to a ring buffer. */
  events: number;
  /** Records or entries lost because a ring buffer or map was full. */
  drops: number;
  /** Records that passed a kernel filter. */
  filterHits: number;
  /** Records a kernel filter rejected. */
  filterMisses: number;
  /**
   * Bytes of the records sent to a ring buffer (their payload, without the ring's 8-byte
   * record header), or null for a map of 5 slots: an object built with a
   * bpfscope_stats.h older than this counter.
   */
  ringBytes: number | null;
}

/**
 * Throws unless `map` has the layout of `BPFSCOPE_STATS_MAP`: a `percpu_array`
 * of at least 5 u64 values with 4-byte keys (6 since the ring-buffer bytes counter;
 * objects built before it have 5).
 * @internal
 */
export function checkStatsMap(map: BpfMap): void {
  if (map.type !== 'percpu_array' || map.keySize !== 4 || map.valueSize !== 8 || map.maxEntries < 5) {
    throw new MapOperationFailed(
      map.name,
      'read_stats',
      `map ${map.name} is a ${map.type} (key ${map.keySize} B, value ${map.valueSize} B, ${map.maxEntries} entries), not a BPFSCOPE_STATS_MAP (percpu_array of 5 u64)`,
      { details: { type: map.type, keySize: map.keySize, valueSize: map.valueSize, maxEntries: map.maxEntries } },
    );
  }
}

/**
 * Reads an object's stats map (declared with `BPFSCOPE_STATS_MAP`) in one
 * crossing and sums every counter over the CPUs.
 *
 * @param map - the stats map, e.g. `obj.map('cpu_stats')`
 * @returns the counters since the object was loaded (`ringBytes` null when the map has no slot for it)
 * @throws {@link @bpfscope/core!MapOperationFailed} when the map does not have the stats layout or the read fails
 * @throws {@link @bpfscope/core!Closed} after the object was closed
 * @example
 * ```ts
 * const { events, drops } = readStatsCounters(obj.map('rb_stats'));
 * ```
 */
export function readStatsCounters(map: BpfMap): StatsCounters {
  checkStatsMap(map);
  const all = map.readArray();
  const view = new DataView(all.buffer, all.byteOffset, all.byteLength);
  const sum = (slot: number): number => {
    let total = 0n;
    for (let off = slot * map.entrySize; off < (slot + 1) * map.entrySize; off += 8) total += view.getBigUint64(off, true);
    return Number(total);
  };
  return {
    invocations: sum(BpfscopeStat.INVOCATIONS),
    events: sum(BpfscopeStat.EVENTS),
    drops: sum(BpfscopeStat.DROPS),
    filterHits: sum(BpfscopeStat.FILTER_HITS),
    filterMisses: sum(BpfscopeStat.FILTER_MISSES),
    ringBytes: map.maxEntries > BpfscopeStat.RING_BYTES ? sum(BpfscopeStat.RING_BYTES) : null,
  };
}
