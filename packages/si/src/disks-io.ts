import { existsSync } from 'node:fs';
import type { FsDevice, FsMetrics } from '@bpfscope/plugin-fs';
import type { SiDisksIoData } from './types.js';

/** The totals of the previous disksIO() call. @internal */
export interface DisksIoState {
  timestamp: number;
  rIO: number;
  wIO: number;
  rWait: number | null;
  wWait: number | null;
  result: SiDisksIoData;
}

/**
 * Whole disks as `lsblk`'s type `disk` lists them: a block device backed by hardware (it has
 * /sys/block/&lt;name&gt;/device; loop, device-mapper and md devices have none), without
 * systeminformation's exclusions (zd, nbd, fd, zram).
 */
function wholeDisk(sysRoot: string, d: FsDevice): boolean {
  if (/^(zd|nbd|fd|zram)\d+$/.test(d.name)) return false;
  return existsSync(`${sysRoot}/block/${d.name}/device`);
}

/** Sum of a latency histogram's time over the disks, ms; null when any disk has none (procfs). */
function waitMs(disks: FsDevice[], pick: (d: FsDevice) => FsDevice['readLatency']): number | null {
  let us = 0;
  for (const d of disks) {
    const h = pick(d);
    if (!h) return null;
    us += h.sumUs;
  }
  return us / 1000;
}

/** systeminformation's disksIO() from an fs reading. @internal */
export function toDisksIo(data: FsMetrics, timestamp: number, previous: DisksIoState | null, sysRoot: string): DisksIoState {
  if (previous && previous.timestamp === timestamp) return previous;
  const disks = data.devices.filter((d) => wholeDisk(sysRoot, d));
  const rIO = disks.reduce((s, d) => s + d.reads, 0);
  const wIO = disks.reduce((s, d) => s + d.writes, 0);
  const rWait = waitMs(disks, (d) => d.readLatency);
  const wWait = waitMs(disks, (d) => d.writeLatency);
  const tWait = rWait === null || wWait === null ? null : rWait + wWait;
  const ms = previous ? timestamp - previous.timestamp : 0;
  const per = (now: number, then: number): number => (now - then) / (ms / 1000);
  const pct = (now: number | null, then: number | null): number | null => (now === null || then === null || !previous ? null : ((now - then) * 100) / ms);
  const rSec = previous ? per(rIO, previous.rIO) : null;
  const wSec = previous ? per(wIO, previous.wIO) : null;
  const tBefore = previous && previous.rWait !== null && previous.wWait !== null ? previous.rWait + previous.wWait : null;
  const result: SiDisksIoData = {
    rIO,
    wIO,
    tIO: rIO + wIO,
    rIO_sec: rSec,
    wIO_sec: wSec,
    tIO_sec: rSec === null || wSec === null ? null : rSec + wSec,
    rWaitTime: rWait,
    wWaitTime: wWait,
    tWaitTime: tWait,
    rWaitPercent: pct(rWait, previous?.rWait ?? null),
    wWaitPercent: pct(wWait, previous?.wWait ?? null),
    tWaitPercent: pct(tWait, tBefore),
    ms,
  };
  return { timestamp, rIO, wIO, rWait, wWait, result };
}
