import { isBpfscopeError, type BpfscopeError, type ProcfsReader } from '@bpfscope/core';
import type { FsDevice } from '../records.js';
import { parseBlockStat, parseDevNumbers } from './parse-block-stat.js';
import { parseDiskstats, type DiskstatsRow } from './parse-diskstats.js';

/** Block devices as one reading found them. @internal */
export interface BlockDevicesRead {
  /** Devices and partitions, in the kernel's order. */
  devices: DiskstatsRow[];
  /** Where they were read: /proc/diskstats, or /sys/block when procfs has no diskstats. */
  source: 'procfs' | 'sysfs';
  /** Lines (diskstats) or devices (sysfs) that could not be parsed, by file. */
  skipped: Record<string, number>;
  /** Why neither could be read (then `devices` is empty), else null. */
  error: BpfscopeError | null;
}

const taxonomy = (e: unknown): BpfscopeError => {
  if (!isBpfscopeError(e)) throw e;
  return e as BpfscopeError;
};

/**
 * Read the block devices' counters: /proc/diskstats, or each /sys/block/&lt;dev&gt; (and its
 * partitions) when /proc/diskstats cannot be read.
 * @param procfs - the engine's procfs reader
 * @returns the devices, or the error that kept both from being read
 * @internal
 */
export function readBlockDevices(procfs: ProcfsReader): BlockDevicesRead {
  let first: BpfscopeError;
  try {
    const t = parseDiskstats(`${procfs.procRoot}/diskstats`, procfs.readProc('diskstats'));
    return { devices: t.devices, source: 'procfs', skipped: t.skipped > 0 ? { diskstats: t.skipped } : {}, error: null };
  } catch (e) {
    first = taxonomy(e);
  }
  try {
    return readSysfsDevices(procfs);
  } catch (e) {
    taxonomy(e);
    return { devices: [], source: 'procfs', skipped: {}, error: first };
  }
}

function readSysfsDevices(procfs: ProcfsReader): BlockDevicesRead {
  const out: BlockDevicesRead = { devices: [], source: 'sysfs', skipped: {}, error: null };
  const one = (rel: string, name: string): void => {
    try {
      const { major, minor } = parseDevNumbers(`${procfs.sysRoot}/${rel}/dev`, procfs.readSys(`${rel}/dev`));
      const counters = parseBlockStat(`${procfs.sysRoot}/${rel}/stat`, procfs.readSys(`${rel}/stat`));
      // stat's in-flight field is the sum of the two counts of `inflight` (parseInflight).
      out.devices.push({ major, minor, name, ...counters });
    } catch (e) {
      taxonomy(e);
      out.skipped[`block/${rel}`] = (out.skipped[`block/${rel}`] ?? 0) + 1;
    }
  };
  for (const disk of procfs.listSys('block')) {
    one(`block/${disk.name}`, disk.name);
    for (const part of procfs.listSys(`block/${disk.name}`)) {
      if (part.directory && part.name.startsWith(disk.name)) one(`block/${disk.name}/${part.name}`, part.name);
    }
  }
  return out;
}

/**
 * A device of the fallback's reading: counters since boot, no latency histograms.
 * @internal
 */
export function fallbackDevice(d: DiskstatsRow, source: 'procfs' | 'sysfs'): FsDevice {
  return {
    name: d.name, major: d.major, minor: d.minor,
    reads: d.reads, writes: d.writes, sectorsRead: d.sectorsRead, sectorsWritten: d.sectorsWritten,
    bytesRead: d.sectorsRead * 512, bytesWritten: d.sectorsWritten * 512,
    discards: d.discards, sectorsDiscarded: d.sectorsDiscarded, flushes: d.flushes,
    inFlight: d.inFlight, readTimeMs: d.readMs, writeTimeMs: d.writeMs, ioTimeMs: d.ioMs, readLatency: null, writeLatency: null, source,
  };
}
