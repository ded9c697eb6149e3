import { parseFailure, type EventProcessingFailed } from '@bpfscope/core';

/**
 * The counters the kernel keeps per block device (Documentation/admin-guide/iostats.rst),
 * in /proc/diskstats after the device's numbers and name and in /sys/block/&lt;dev&gt;/stat.
 * @internal
 */
export interface BlockCounters {
  /** Reads completed. */
  reads: number;
  /** Reads merged with a neighbouring request before issue. */
  readsMerged: number;
  /** Sectors read (512 bytes each, whatever the device's block size). */
  sectorsRead: number;
  /** Time spent reading, ms (summed over requests). */
  readMs: number;
  /** Writes completed. */
  writes: number;
  /** Writes merged. */
  writesMerged: number;
  /** Sectors written. */
  sectorsWritten: number;
  /** Time spent writing, ms. */
  writeMs: number;
  /** I/Os in progress now. */
  inFlight: number;
  /** Time the device had I/O in progress, ms. */
  ioMs: number;
  /** Time spent on I/O weighted by the I/Os in progress, ms. */
  weightedIoMs: number;
  /** Discards completed; null before Linux 4.18 (11 counters). */
  discards: number | null;
  /** Sectors discarded; null before Linux 4.18. */
  sectorsDiscarded: number | null;
  /** Flush requests completed; null before Linux 5.5 (11 or 15 counters). */
  flushes: number | null;
}

/** One line of /proc/diskstats. @internal */
export interface DiskstatsRow extends BlockCounters {
  major: number;
  minor: number;
  /** Kernel name (`sda`, `sda1`, `nvme0n1`, `loop0`). */
  name: string;
}

/** What {@link parseDiskstats} gives. @internal */
export interface DiskstatsTable {
  /** Devices and partitions in the kernel's order. */
  devices: DiskstatsRow[];
  /** Lines that could not be parsed (counted, never fatal). */
  skipped: number;
  /** Why the first skipped line was skipped. */
  firstSkip: EventProcessingFailed | null;
}

/** How many counters each kernel generation prints: 11 (to 4.17), 15 (4.18 to 5.4: discards), 17 (5.5 on: flushes). */
const COUNTS = new Set([11, 15, 17]);

/**
 * The counters of one device from its decimal fields, or null when their number is not one
 * the kernel has printed (11, 15 or 17) or one is not a decimal integer.
 * @internal
 */
export function blockCounters(fields: readonly string[]): BlockCounters | null {
  if (!COUNTS.has(fields.length) || !fields.every((f) => /^\d+$/.test(f))) return null;
  const n = fields.map(Number);
  return {
    reads: n[0]!, readsMerged: n[1]!, sectorsRead: n[2]!, readMs: n[3]!,
    writes: n[4]!, writesMerged: n[5]!, sectorsWritten: n[6]!, writeMs: n[7]!,
    inFlight: n[8]!, ioMs: n[9]!, weightedIoMs: n[10]!,
    discards: n.length >= 15 ? n[11]! : null,
    sectorsDiscarded: n.length >= 15 ? n[13]! : null,
    flushes: n.length >= 17 ? n[15]! : null,
  };
}

/**
 * Parse /proc/diskstats: `major minor name` and 11, 15 or 17 counters per line, as the
 * kernel's generations print them. Any other line is skipped and counted.
 * @param path - the file's path, for errors
 * @param text - its content
 * @returns the devices, and the skipped lines
 * @internal
 */
export function parseDiskstats(path: string, text: string): DiskstatsTable {
  const out: DiskstatsTable = { devices: [], skipped: 0, firstSkip: null };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const f = line.trim().split(/\s+/);
    const counters = f.length > 3 && /^\d+$/.test(f[0]!) && /^\d+$/.test(f[1]!) ? blockCounters(f.slice(3)) : null;
    if (counters === null) {
      out.skipped++;
      out.firstSkip ??= parseFailure(path, i + 1, line, 'expected "major minor name" and 11, 15 or 17 decimal counters');
      continue;
    }
    out.devices.push({ major: Number(f[0]), minor: Number(f[1]), name: f[2]!, ...counters });
  }
  return out;
}
