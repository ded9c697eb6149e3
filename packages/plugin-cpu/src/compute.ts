import type { CpuTimeRecord } from './records.js';

/** Raw counters of one CPU, in seconds, from which a record is built. @internal */
export interface CpuCounters {
  user: number | null;
  nice: number | null;
  system: number | null;
  idle: number;
  iowait: number | null;
  irq: number | null;
  softirq: number | null;
  steal: number | null;
  busy: number;
  contextSwitches: number | null;
}

/**
 * Turn counters into a record, with the busy share since `prev` (null without `prev`
 * or when no time passed). `extraIdle` counts as not busy in the share (procfs iowait).
 * @internal
 */
export function toRecord(cur: CpuCounters, prev: CpuCounters | undefined, idleLike: (c: CpuCounters) => number): CpuTimeRecord {
  let busyPercent: number | null = null;
  if (prev) {
    const busy = cur.busy - prev.busy;
    const total = busy + idleLike(cur) - idleLike(prev);
    if (total > 0) busyPercent = round(Math.min(100, Math.max(0, (busy / total) * 100)), 2);
  }
  return {
    user: cur.user,
    nice: cur.nice,
    system: cur.system,
    idle: round(cur.idle, 6),
    iowait: cur.iowait,
    irq: cur.irq === null ? null : round(cur.irq, 6),
    softirq: cur.softirq === null ? null : round(cur.softirq, 6),
    steal: cur.steal,
    busy: round(cur.busy, 6),
    busyPercent,
    contextSwitches: cur.contextSwitches,
  };
}

/** Sum counters field by field; a field null in any input is null. @internal */
export function sumCounters(all: readonly CpuCounters[]): CpuCounters {
  const sum = (pick: (c: CpuCounters) => number | null): number | null => {
    let s = 0;
    for (const c of all) {
      const v = pick(c);
      if (v === null) return null;
      s += v;
    }
    return s;
  };
  return {
    user: sum((c) => c.user), nice: sum((c) => c.nice), system: sum((c) => c.system),
    idle: sum((c) => c.idle) ?? 0, iowait: sum((c) => c.iowait), irq: sum((c) => c.irq),
    softirq: sum((c) => c.softirq), steal: sum((c) => c.steal), busy: sum((c) => c.busy) ?? 0,
    contextSwitches: sum((c) => c.contextSwitches),
  };
}

/** Round to `digits` decimals (counters are exact to ns/jiffies; JSON need not show float noise). @internal */
export function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
