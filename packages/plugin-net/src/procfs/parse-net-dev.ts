import { parseFailure, type EventProcessingFailed } from '@bpfscope/core';

/** One interface's counters as read from the kernel (no rates). @internal */
export interface InterfaceCounters {
  name: string;
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
}

/** What {@link parseNetDev} gives. @internal */
export interface NetDevTable {
  interfaces: InterfaceCounters[];
  /** Lines that could not be parsed (counted, never fatal). */
  skipped: number;
  /** Why the first skipped line was skipped. */
  firstSkip: EventProcessingFailed | null;
}

/**
 * Parse /proc/net/dev: two header lines, then `name: ` and 16 counters per interface
 * (receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes packets
 * errs drop fifo colls carrier compressed). A line without 16 decimal counters is skipped and
 * counted; a file without the two header lines is an error.
 * @param path - the file's path, for errors
 * @param text - its content
 * @returns the interfaces in the kernel's order, and the skipped lines
 * @throws {@link @bpfscope/core!EventProcessingFailed} when the header is missing
 * @internal
 */
export function parseNetDev(path: string, text: string): NetDevTable {
  const lines = text.split('\n');
  if (!/^Inter-\|/.test(lines[0] ?? '') || !/^\s*face\s*\|/.test(lines[1] ?? '')) {
    throw parseFailure(path, 1, lines[0] ?? '', 'no /proc/net/dev header (Inter-| Receive | Transmit)');
  }
  const out: NetDevTable = { interfaces: [], skipped: 0, firstSkip: null };
  for (let i = 2; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon).trim();
    const v = colon < 0 ? [] : line.slice(colon + 1).trim().split(/\s+/);
    if (name === '' || /\s/.test(name) || v.length !== 16 || !v.every((x) => /^\d+$/.test(x))) {
      out.skipped++;
      out.firstSkip ??= parseFailure(path, i + 1, line, 'expected "name:" and 16 decimal counters');
      continue;
    }
    const n = v.map(Number);
    out.interfaces.push({
      name,
      rxBytes: n[0]!, rxPackets: n[1]!, rxErrors: n[2]!, rxDropped: n[3]!,
      txBytes: n[8]!, txPackets: n[9]!, txErrors: n[10]!, txDropped: n[11]!,
    });
  }
  return out;
}
