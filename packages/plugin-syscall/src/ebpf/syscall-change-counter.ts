// The syscall eBPF source's change counter for the engine's aggressive caching
// (docs/caching.md), and the check by which each reading vouches for it.
import { u32Key as u32 } from '@bpfscope/native';
import type { BpfObject } from '@bpfscope/native';
import { slotCallCount, type SyscallLayouts } from './syscall-maps.js';
import { CALLS, readingAddsUp, type ProcessTable, type SyscallCounts } from './syscall-read.js';
import { readSlotFilterCounts } from './syscall-slots.js';

/** Where the counter reads: the object, its layouts, the slot. @internal */
export interface CounterTarget {
  obj: BpfObject;
  layouts: SyscallLayouts;
  cpus: number;
  slot: number;
}

/** Bit 127 of the counter: set when its calls are the slot's filter hits, clear when they are the sum of `sc_counts`. */
const HITS_TAG = 1n << 127n;

/**
 * The counter: the calls the slot counted, plus the object's drops (a call a full
 * per-process table lost: the one change of the per-process rows that counts no call), plus
 * which of two counts of the calls it holds (bit 127), plus the source's inits and filter
 * changes (the epoch) in the bits from 128 up.
 *
 * The calls are either the slot's filter hits (one lookup) or the sum of the slot's
 * `sc_counts` (one copy of the map: every counted call adds one there, in both modes). Hits
 * count every counted call when the collecting process is excluded (`hitsCount`): the
 * programs then add a hit for each call that passes the slot's filter, at its entry.
 * In counts-only mode (`atEntry`) a call is counted right after its hit, so the hits serve
 * always. In latency mode a call is counted at its return, so the hits serve only while no
 * call is in flight: after a reading whose counts equalled the hits read before it.
 *
 * A reading vouches for the counter read before it when its per-process rows add up to its
 * per-syscall counts ({@link readingAddsUp}) and, when that counter was the hits, its
 * per-syscall counts equal those hits (no call sat between its hit and its count while the
 * maps were read; in latency mode, none was in flight). Until a reading vouches, the counter
 * is null and the engine decodes. @internal
 */
export class SyscallChangeCounter {
  #epoch = 0n;
  #vouched = false;
  /** The slot's hits read with the last counter returned (null when hits do not count every call). */
  #hits: bigint | null = null;
  /** Whether the last counter returned held the hits. */
  #gaveHits = false;
  /** Whether the next counter holds the hits. */
  #useHits: boolean;

  /**
   * @param hitsCount - the slot's filter hits count every call it counts (this process is excluded)
   * @param atEntry - calls are counted at their entry, with their hit (counts-only mode)
   */
  constructor(
    private readonly hitsCount: boolean,
    private readonly atEntry: boolean,
  ) {
    this.#useHits = hitsCount && atEntry;
  }

  /** The source was (re)initialised or its filter changed: every earlier counter is stale. */
  bump(): void {
    this.#epoch++;
  }

  /** The counter now, or null when the last reading did not vouch for it. */
  read(t: CounterTarget | null): bigint | null {
    if (!t || !this.#vouched) return null;
    const drops = t.obj.map('sc_stats').lookupPerCpuSum(u32(2)) ?? 0n;
    this.#hits = this.hitsCount ? BigInt(readSlotFilterCounts(t.obj, t.slot)[0]) : null;
    this.#gaveHits = this.#useHits;
    const calls = this.#gaveHits ? this.#hits! + HITS_TAG : slotCallCount(t.obj, t.layouts, t.cpus, t.slot);
    return (this.#epoch << 128n) + calls + drops;
  }

  /** A reading starts: nothing is vouched for until it ends. @returns what the counter read before it held */
  starting(): { hits: bigint | null; gaveHits: boolean } {
    this.#vouched = false;
    const before = { hits: this.#hits, gaveHits: this.#gaveHits };
    this.#hits = null;
    this.#gaveHits = false;
    return before;
  }

  /**
   * A reading ended: see the class comment for when it vouches. Reads the reading's exact
   * sums (the reader's arrays: call it before the reader's next reading starts).
   * @param counts - the reading's per-syscall counts
   * @param table - the reading's per-process rows, pending runs included; null without per-process detail (nothing to add up)
   * @param before - what {@link SyscallChangeCounter.starting} returned for this reading
   * @param first - the source's first reading at init (no counter was read before it)
   */
  ended(counts: SyscallCounts, table: ProcessTable | null, before: { hits: bigint | null; gaveHits: boolean }, first = false): void {
    const hitsMatch = before.hits !== null && before.hits === counts.exact.bigint(CALLS);
    const addsUp = table === null || readingAddsUp(counts, table);
    if (this.atEntry) {
      this.#vouched = addsUp && (first || !before.gaveHits || hitsMatch);
      return;
    }
    // Latency mode: the hits serve next only when no call was in flight. When they do not,
    // the next counter is the sum, which a counter of hits never equals: the reading still
    // vouches for its data as far as the sum goes.
    this.#vouched = addsUp;
    this.#useHits = this.hitsCount && hitsMatch;
  }

  /** The source closed. */
  reset(): void {
    this.#vouched = false;
    this.#hits = null;
    this.#gaveHits = false;
    this.#useHits = this.hitsCount && this.atEntry;
  }
}
