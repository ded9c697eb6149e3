import { parseFailure } from '@bpfscope/core';

/** The system-call counters of /proc/&lt;pid&gt;/io, summed over the process's threads since it started. */
export interface IoSyscallCounts {
  /** `syscr`: read-class calls (read, pread64, readv, preadv, sendfile's reads, ...). */
  readCalls: number;
  /** `syscw`: write-class calls (write, pwrite64, writev, pwritev, ...). */
  writeCalls: number;
}

/**
 * Parse the `syscr` and `syscw` lines of /proc/&lt;pid&gt;/io. Every line must still be
 * `key: <integer>`; the other counters are ignored here.
 * @param text - the file's content
 * @param path - the file's path, for errors
 * @returns the read-class and write-class call counts
 * @throws {@link @bpfscope/core!EventProcessingFailed} naming the path and line for a line that is not
 *   `key: <integer>`, or when `syscr` or `syscw` is missing (line number: one past the end)
 */
export function parseIoSyscallCounts(text: string, path: string): IoSyscallCounts {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let readCalls: number | undefined;
  let writeCalls: number | undefined;
  lines.forEach((line, i) => {
    const m = /^(\w+): (\d+)$/.exec(line);
    if (!m) throw parseFailure(path, i + 1, line, 'not a "key: <integer>" line');
    if (m[1] === 'syscr') readCalls = Number(m[2]);
    else if (m[1] === 'syscw') writeCalls = Number(m[2]);
  });
  if (readCalls === undefined) throw parseFailure(path, lines.length + 1, '', 'no syscr line (truncated file?)');
  if (writeCalls === undefined) throw parseFailure(path, lines.length + 1, '', 'no syscw line (truncated file?)');
  return { readCalls, writeCalls };
}
