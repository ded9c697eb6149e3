import type { ProcessRecord } from './records.js';

/** User/system time scaled to the exact runtime, ns. @internal */
export interface AdjustedTimes {
  utime: number;
  stime: number;
}

/**
 * The kernel's `cputime_adjust()` (kernel/sched/cputime.c), which procfs applies before it
 * shows a process's utime and stime: the tick-sampled times are scaled so that they sum
 * to the exact runtime, split in the sampled ratio, and never go below what the previous
 * reading reported (`prev`, updated in place). All values are ns.
 * @param utime - tick-sampled user time
 * @param stime - tick-sampled system time
 * @param rtime - exact runtime (sum_exec_runtime)
 * @param prev - the previous result for this process ({ utime: 0, stime: 0 } at first); updated
 * @returns the scaled times (the same object as `prev`)
 * @internal
 */
export function cputimeAdjust(utime: number, stime: number, rtime: number, prev: AdjustedTimes): AdjustedTimes {
  // A runtime that has not grown past the last result keeps the last result.
  if (prev.stime + prev.utime >= rtime) return prev;
  let s: number;
  if (stime === 0) s = 0;
  else if (utime === 0) s = rtime;
  else s = Math.min(rtime, Math.floor((stime * rtime) / (stime + utime)));
  if (s < prev.stime) s = prev.stime;
  let u = rtime - s;
  if (u < prev.utime) {
    u = prev.utime;
    s = rtime - u;
  }
  prev.utime = u;
  prev.stime = s;
  return prev;
}

/**
 * Per-process CPU percent between two readings: the change in user + system seconds over
 * the wall time between the readings. A PID is the same process only when its start time
 * is the same (PIDs are reused).
 * @internal
 */
export class CpuPercentTracker {
  #prev = new Map<number, { start: number; cpu: number }>();
  #prevAt: number | null = null;

  /**
   * Set `cpuPercent` on each record and remember this reading.
   * @param records - every record of the reading (before filters)
   * @param at - `performance.now()` of the reading
   * @returns the interval since the previous reading, ms, or null on the first
   */
  update(records: readonly ProcessRecord[], at: number): number | null {
    const prev = this.#prev;
    const next = new Map<number, { start: number; cpu: number }>();
    const dt = this.#prevAt === null ? 0 : (at - this.#prevAt) / 1000;
    for (const r of records) {
      const cpu = r.userSeconds + r.systemSeconds;
      const p = prev.get(r.pid);
      if (p !== undefined && dt > 0 && p.start === r.startSecondsSinceBoot) {
        r.cpuPercent = Math.round((Math.max(0, cpu - p.cpu) / dt) * 10000) / 100;
      }
      next.set(r.pid, { start: r.startSecondsSinceBoot, cpu });
    }
    const interval = this.#prevAt === null ? null : Math.round((at - this.#prevAt) * 1000) / 1000;
    this.#prev = next;
    this.#prevAt = at;
    return interval;
  }
}
