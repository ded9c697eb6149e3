import type { SourceStats, SourceStatsOptions } from '@bpfscope/core';
import { readStatsCounters, type BpfObject, type LoadedBpfObject, type ProgramStatsReporter } from '@bpfscope/native';
import type { Reading } from './build-metrics.js';
import type { ExitedProcesses } from './exited-processes.js';
import type { SyscallLevels } from './syscall-levels.js';
import type { SyscallMapReader } from './syscall-read.js';
import { readSampling, readSlotFilterCounts } from './syscall-slots.js';

/**
 * One raw reading of an engine's slot: its per-syscall counts (and histograms in latency
 * mode), its per-process table when the kernel keeps one, and the object's kernel counters
 * with the slot's filter hits and misses.
 * @param obj - the loaded object
 * @param maps - the slot's map reader
 * @param exited - the slot's exited processes, or null without per-process detail
 * @param slot - the engine's slot
 * @param latency - whether the object counts latency
 * @returns the reading
 * @internal
 */
export async function readSlot(obj: BpfObject, maps: SyscallMapReader, exited: ExitedProcesses | null, slot: number, latency: boolean): Promise<Reading> {
  const counts = maps.counts();
  const hist = latency ? maps.histograms(counts) : new Map<number, never>();
  // Without per-process detail the kernel keeps no rows: nothing to read.
  const table = exited ? await maps.processTable() : null;
  if (table) exited!.settle(table);
  const stats = readStatsCounters(obj.map('sc_stats'));
  const [filterHits, filterMisses] = readSlotFilterCounts(obj, slot);
  return { at: performance.now(), counts, hist, table, kernel: { invocations: stats.invocations, drops: stats.drops, filterHits, filterMisses } };
}

/**
 * The source's statistics: program runs and kernel ns of the (shared) programs; the kernel
 * counters with this slot's own filter hits and misses; `slot` and the event figures.
 * @internal
 */
export function slotStats(handle: LoadedBpfObject, slot: number, levels: SyscallLevels, programStats: ProgramStatsReporter, options?: SourceStatsOptions): SourceStats {
  const obj = handle.object;
  const s = readSampling(obj, slot);
  const figures = { links: handle.attachedPrograms().length, slot, eventThinning: levels.thinning, eventsSeen: s.seen, eventsSent: s.sent, eventsSampledAway: s.seen - s.sent - s.dropped, eventsDropped: s.dropped };
  const base = programStats.sourceStats([{ object: obj, statsMap: 'sc_stats' }], figures, options);
  const [filterHits, filterMisses] = readSlotFilterCounts(obj, slot);
  return { ...base, kernelCounters: base.kernelCounters.map((k) => ({ ...k, filterHits, filterMisses })) };
}
