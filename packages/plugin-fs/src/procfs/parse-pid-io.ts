import { parseFailure } from '@bpfscope/core';

/**
 * /proc/&lt;pid&gt;/io: the I/O counters of a process over its life, summed over its
 * threads (exited ones included). Readable by the owner of the process or by root.
 * @internal
 */
export interface PidIo {
  /** `rchar`: bytes returned by read-class calls (read, pread, readv, sendfile, ...), from the page cache, pipes and sockets too. */
  rchar: number;
  /** `wchar`: bytes passed to write-class calls that they wrote, whether or not they reached storage. */
  wchar: number;
  /** `syscr`: read-class calls. */
  syscr: number;
  /** `syscw`: write-class calls. */
  syscw: number;
  /** `read_bytes`: bytes the process caused to be fetched from storage. */
  readBytes: number;
  /** `write_bytes`: bytes the process caused to be sent to storage (counted when it dirties pages). */
  writeBytes: number;
  /** `cancelled_write_bytes`: dirtied bytes never written back (the file was truncated or deleted first). */
  cancelledWriteBytes: number;
}

const KEYS = {
  rchar: 'rchar', wchar: 'wchar', syscr: 'syscr', syscw: 'syscw',
  read_bytes: 'readBytes', write_bytes: 'writeBytes', cancelled_write_bytes: 'cancelledWriteBytes',
} as const;
const isKey = (k: string): k is keyof typeof KEYS => Object.hasOwn(KEYS, k);

/**
 * Parse /proc/&lt;pid&gt;/io (`key: value` lines; keys it does not know are passed over).
 * @param path - the file's path, for errors
 * @param text - its content
 * @returns the seven counters
 * @throws {@link @bpfscope/core!EventProcessingFailed} for a line that is not `key: <integer>`,
 *   or a counter missing (then the line number is one past the end)
 * @internal
 */
export function parsePidIo(path: string, text: string): PidIo {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const out: Partial<PidIo> = {};
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\w+): (\d+)$/.exec(lines[i]!);
    if (m === null) throw parseFailure(path, i + 1, lines[i]!, 'not a "key: <integer>" line');
    if (isKey(m[1]!)) out[KEYS[m[1]]] = Number(m[2]);
  }
  for (const [fileKey, key] of Object.entries(KEYS)) {
    if (out[key] === undefined) throw parseFailure(path, lines.length + 1, '', `no ${fileKey} line (truncated file?)`);
  }
  return out as PidIo;
}
