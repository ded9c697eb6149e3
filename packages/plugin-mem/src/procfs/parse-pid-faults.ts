import { parseFailure } from '@bpfscope/core';

/** Page faults of one process, from /proc/&lt;pid&gt;/stat, since it started. */
export interface PidFaults {
  /** Process ID. */
  pid: number;
  /** Command name (may hold spaces and parentheses). */
  comm: string;
  /** Field 10: minor faults (no disk read). */
  minorFaults: number;
  /** Field 12: major faults (a page was read from disk). */
  majorFaults: number;
  /** Field 11: minor faults of waited-for children. */
  childMinorFaults: number;
  /** Field 13: major faults of waited-for children. */
  childMajorFaults: number;
}

/**
 * Parse the page-fault fields of /proc/&lt;pid&gt;/stat. The command name is taken up to
 * the LAST `)` of the line, as it may contain `)` itself.
 * @param text - the file's content
 * @param path - the file's path, for errors
 * @returns the minor and major fault counts of the process and of its waited-for children
 * @throws {@link @bpfscope/core!EventProcessingFailed} naming the path and line 1 for a missing `(comm)`,
 *   fewer than 13 fields, or a non-integer field
 */
export function parsePidFaults(text: string, path: string): PidFaults {
  const nl = text.indexOf('\n');
  const line = nl < 0 ? text : text.slice(0, nl);
  const fail = (why: string): never => {
    throw parseFailure(path, 1, line, why);
  };
  const open = line.indexOf(' (');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open || line[close + 1] !== ' ') fail('no "(comm)" after the PID (empty or truncated file?)');
  const pidText = line.slice(0, open);
  const rest = line.slice(close + 2).split(' ');
  if (rest.length < 11) fail(`${rest.length + 2} fields, at least 13 expected (truncated?)`);
  const field = (n: number): number => {
    const v = rest[n - 3] as string;
    return /^\d+$/.test(v) ? Number(v) : fail(`field ${n} "${v.slice(0, 30)}" is not a non-negative integer`);
  };
  if (!/^\d+$/.test(pidText)) fail(`PID "${pidText}" is not an integer`);
  return { pid: Number(pidText), comm: line.slice(open + 2, close), minorFaults: field(10), childMinorFaults: field(11), majorFaults: field(12), childMajorFaults: field(13) };
}
