import { readStatsCounters, type BpfObject } from '@bpfscope/native';

/** Slots of fs_blk_tot (enum fs_blk_tot, bpf/fs/fs_block.h). */
const TOT = { rqFull: 0, devFull: 1, noStamp: 2 } as const;

/** The block object's own counters, summed over the CPUs, since it was loaded. @internal */
export interface BlockCounters {
  /** Program runs. */
  invocations: number;
  /** Slow-io records put in the ring. */
  events: number;
  /** Slow-io records lost to a full ring. */
  drops: number;
  /** Issues not noted while a stream was open: no room in the in-flight table (no slow-io event for those requests). */
  rqFull: number;
  /** Completions not counted: the device table was full. */
  devFull: number;
  /** Counted completions without the kernel's start stamp (`rq->start_time_ns` 0): no latency. */
  noStamp: number;
}

/** Read the stats map and fs_blk_tot. @internal */
export function readBlockCounters(obj: BpfObject): BlockCounters {
  const stats = readStatsCounters(obj.map('fs_blk_stats'));
  const tot = obj.map('fs_blk_tot');
  const slot = (i: number): number => {
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, i, true);
    return Number(tot.lookupPerCpuSum(key) ?? 0n);
  };
  return { invocations: stats.invocations, events: stats.events, drops: stats.drops, rqFull: slot(TOT.rqFull), devFull: slot(TOT.devFull), noStamp: slot(TOT.noStamp) };
}
