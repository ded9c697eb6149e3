import { readSync } from 'node:fs';

/** One buffer for every read through a kept descriptor (reads are synchronous); doubled when a file fills it. */
let buffer = Buffer.allocUnsafe(16 * 1024);

/**
 * The whole content from offset 0: reads on until one returns nothing. One read is not
 * always all of it, even into a larger buffer: a seq_file of many records (vmstat, a
 * process's smaps) stops at its page-sized buffer and returns the rest at the next offset.
 * @internal
 */
export function readWhole(fd: number): string {
  let n = 0;
  for (;;) {
    if (n === buffer.length) {
      const bigger = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(bigger, 0, 0, n);
      buffer = bigger;
    }
    const got = readSync(fd, buffer, n, buffer.length - n, n);
    if (got === 0) return buffer.toString('utf8', 0, n);
    n += got;
  }
}
