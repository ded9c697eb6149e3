// The syscall eBPF source's change counter for the engine's aggressive caching
// (docs/caching.md), and the check by which each reading vouches for it.
import type { BpfObject } from '@bpfscope/native';
import { readingAddsUp, slotCallCount, u32, type RawSyscallStat, type SyscallLayouts } from './syscall-maps.js';
import { readSlotFilterCounts } from './syscall-slots.js';

/** Where the counter reads: the object, its layouts, the slot. @internal */
export interface CounterTarget {
  obj: BpfObject;
  layouts: SyscallLayouts;
  cpus: number;
  slot: number;
}

/**
 * The counter: the calls the slot counted, plus the object's drops (a call a full
 * per-process table lost: the one change of the per-process rows that counts no call), plus
 * the source's inits and filter changes (the epoch) in the bits from 128 up.
 *
 * The calls are the slot's filter hits when `countsHits` (counts-only mode with the
 * collecting process excluded: the programs add a hit for each call they count, at its entry,
 * just before counting it; one lookup), else the sum of the slot's `sc_counts` (one copy of
 * the map: every counted call adds one there, in both modes). In latency mode a call is
 * counted at its return, long after its hit, so hits would not do.
 *
 * A reading vouches for the counter read before it when its per-process rows add up to its
 * per-syscall counts ({@link readingAddsUp}) and, counting hits, its per-syscall counts are
 * the hits of that counter (no call sat between its hit and its count while the maps were
 * read). Until a reading vouches, the counter is null and the engine decodes. @internal
 */
export class SyscallChangeCounter {
  #epoch = 0n;
  #vouched = false;
  /** The hits in the last counter returned, when it counts them. */
  #hits: bigint | null = null;

  constructor(private readonly countsHits: boolean) {}

  /** The source was (re)initialised or its filter changed: every earlier counter is stale. */
  bump(): void {
    this.#epoch++;
  }

  /** The counter now, or null when the last reading did not vouch for it. */
  read(t: CounterTarget | null): bigint | null {
    if (!t || !this.#vouched) return null;
    const drops = t.obj.map('sc_stats').lookupPerCpuSum(u32(2)) ?? 0n;
    let calls: bigint;
    if (this.countsHits) this.#hits = calls = BigInt(readSlotFilterCounts(t.obj, t.slot)[0]);
    else calls = slotCallCount(t.obj, t.layouts, t.cpus, t.slot);
    return (this.#epoch << 128n) + calls + drops;
  }

  /** A reading starts: nothing is vouched for until it ends. @returns the hits of the counter read before it */
  starting(): bigint | null {
    this.#vouched = false;
    const hits = this.#hits;
    this.#hits = null;
    return hits;
  }

  /**
   * A reading ended: it vouches when it adds up and, counting hits, its counts are `hitsBefore`.
   * @param first - the source's first reading at init (no counter was read before it)
   */
  ended(counts: readonly RawSyscallStat[], table: readonly RawSyscallStat[], hitsBefore: bigint | null, first = false): void {
    const total = counts.reduce((sum, c) => sum + c.count, 0n);
    this.#vouched = readingAddsUp(counts, table) && (first || !this.countsHits || hitsBefore === total);
  }

  /** The source closed. */
  reset(): void {
    this.#vouched = false;
    this.#hits = null;
  }
}
