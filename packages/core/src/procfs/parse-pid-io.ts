import { parseFailure } from './parse-failure.js';

/**
 * /proc/&lt;pid&gt;/io: I/O counters of a process since it started, summed over its threads
 * (including exited ones). Readable only by the owner of the process or by root. The proc
 * and fs families both read it.
 */
export interface PidIo {
  /** `rchar`: bytes read by read-class calls (read, pread, readv, sendfile, ...), including from the page cache, pipes and sockets. */
  rchar: number;
  /** `wchar`: bytes passed to write-class calls, whether or not they reached storage. */
  wchar: number;
  /** `syscr`: read-class system calls made. */
  syscr: number;
  /** `syscw`: write-class system calls made. */
  syscw: number;
  /** `read_bytes`: bytes this process caused to be fetched from storage. */
  readBytes: number;
  /** `write_bytes`: bytes this process caused to be sent to storage (counted when pages are dirtied). */
  writeBytes: number;
  /** `cancelled_write_bytes`: dirtied bytes that were never written back (e.g. the file was truncated). */
  cancelledWriteBytes: number;
}

const KEYS = {
  rchar: 'rchar',
  wchar: 'wchar',
  syscr: 'syscr',
  syscw: 'syscw',
  read_bytes: 'readBytes',
  write_bytes: 'writeBytes',
  cancelled_write_bytes: 'cancelledWriteBytes',
} as const;
type FileKey = keyof typeof KEYS;
const isKey = (k: string): k is FileKey => Object.hasOwn(KEYS, k);

/**
 * Parse /proc/&lt;pid&gt;/io (`key: value` lines).
 * @param text - the file's content
 * @param path - the file's path, for errors
 * @returns the seven counters
 * @throws {@link @bpfscope/core!EventProcessingFailed} naming the path and line for a line that is not
 *   `key: <integer>`, or for a missing counter (line number: one past the end)
 */
export function parsePidIo(text: string, path: string): PidIo {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const out: Partial<PidIo> = {};
  lines.forEach((line, i) => {
    const m = /^(\w+): (\d+)$/.exec(line);
    if (!m) throw parseFailure(path, i + 1, line, 'not a "key: <integer>" line');
    const key = m[1] as string;
    if (isKey(key)) out[KEYS[key]] = Number(m[2]);
  });
  for (const [fileKey, key] of Object.entries(KEYS)) {
    if (out[key] === undefined) throw parseFailure(path, lines.length + 1, '', `no ${fileKey} line (truncated file?)`);
  }
  return out as PidIo;
}
